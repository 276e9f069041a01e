// `?access_token=` for the live-events stream: browsers' EventSource cannot set headers. The token is taken out
// of the URL before routing (Fastify's rewriteUrl), so it never reaches request logs, and is kept on the raw
// request for the one route that accepts it.
import type { IncomingMessage } from 'node:http';

const QUERY_TOKEN = Symbol('queryAccessToken');
type CarriesQueryToken = IncomingMessage & { [QUERY_TOKEN]?: string };

/** Fastify `rewriteUrl`: strips every `access_token` parameter and remembers the first one. */
export function takeAccessTokenFromUrl(request: IncomingMessage): string {
  const url = request.url ?? '/';
  const queryStart = url.indexOf('?');
  if (queryStart < 0 || !url.includes('access_token', queryStart)) return url;
  const params = new URLSearchParams(url.slice(queryStart + 1));
  const token = params.get('access_token');
  params.delete('access_token');
  if (token) (request as CarriesQueryToken)[QUERY_TOKEN] = token;
  const rest = params.toString();
  const rewritten = rest ? `${url.slice(0, queryStart)}?${rest}` : url.slice(0, queryStart);
  // Fastify keeps the original URL for logging; it must not carry the token either.
  (request as IncomingMessage & { originalUrl?: string }).originalUrl = rewritten;
  return rewritten;
}

export function queryAccessToken(request: IncomingMessage): string | undefined {
  return (request as CarriesQueryToken)[QUERY_TOKEN];
}
