// Ingest's HTTP edge rules: bodies arrive as raw bytes (the signature is computed over them, and we parse only
// after verifying), at most 1 MiB, and slow senders are cut off. Fastify's own errors get our JSON envelope.
import { IncomingMessage, ServerOptions, ServerResponse, createServer } from 'node:http';
import type { FastifyError, FastifyInstance, FastifyServerOptions } from 'fastify';
import { edgeLog } from './answers';

export const MAX_BODY_BYTES = 1024 * 1024;

export function installIngestHttpHandling(fastify: FastifyInstance): void {
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: MAX_BODY_BYTES }, (_request, body, done) => done(null, body));
  fastify.setErrorHandler((error: FastifyError, request, reply) => {
    const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 600 ? error.statusCode : 500;
    const message =
      status === 413 ? `the body is larger than ${MAX_BODY_BYTES} bytes` : status >= 500 ? 'internal error' : error.message;
    if (status >= 500) edgeLog.error({ err: error, method: request.method, url: request.url.slice(0, 200), status }, 'request failed');
    else edgeLog.info({ method: request.method, url: request.url.slice(0, 200), status, error: message }, 'request not accepted');
    void reply.status(status).send({ error: message });
  });
  // From the moment Fastify starts closing, requests go to it again, so that they get its 503 while it closes.
  fastify.addHook('preClose', (done) => {
    fastPath = undefined;
    done();
  });
}

/**
 * Takes a request before Fastify sees it (answering it itself, and then returning true) or declines it. Set by
 * `serveBeforeFastify`; requests go to Fastify until then and after it starts closing.
 */
export type FastPath = (request: IncomingMessage, response: ServerResponse) => boolean;
let fastPath: FastPath | undefined;

export function serveBeforeFastify(path: FastPath): void {
  fastPath = path;
}

/** The whole request, headers and body, must arrive within this (INGEST_REQUEST_TIMEOUT_MS; tests shorten it). */
export const REQUEST_TIMEOUT_MS = requestTimeoutFrom(process.env.INGEST_REQUEST_TIMEOUT_MS);

function requestTimeoutFrom(raw: string | undefined): number {
  if (raw === undefined || raw === '') return 15_000;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1_000 || value > 300_000) throw new Error(`INGEST_REQUEST_TIMEOUT_MS must be 1000 to 300000 ms, got "${raw}"`);
  return value;
}

// Given to Node's http server itself, not only set afterwards as Fastify does: Node swaps a headersTimeout
// larger than requestTimeout (its default is 60 s) into the body deadline, and checks both only every
// connectionsCheckingInterval (30 s by default), so a dribbled body was held for up to 90 s.
const HTTP_SERVER_OPTIONS: ServerOptions = { requestTimeout: REQUEST_TIMEOUT_MS, headersTimeout: REQUEST_TIMEOUT_MS, connectionsCheckingInterval: 1_000 };
const CONNECTION_TIMEOUT_MS = 30_000;
const KEEP_ALIVE_TIMEOUT_MS = 10_000;

installIngestHttpHandling.serverOptions = {
  bodyLimit: MAX_BODY_BYTES,
  // Slow-body senders (slowloris) are answered 408 instead of holding a socket open.
  requestTimeout: REQUEST_TIMEOUT_MS,
  http: HTTP_SERVER_OPTIONS,
  connectionTimeout: CONNECTION_TIMEOUT_MS,
  keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS,
  // The server Fastify would make (same options and timeouts; Fastify still adds its clientError handler, which
  // answers 408 and 400), with the fast path in front of Fastify's request handler.
  serverFactory: (handler) => {
    const server = createServer(HTTP_SERVER_OPTIONS, (request, response) => {
      if (fastPath === undefined || !fastPath(request, response)) handler(request, response);
    });
    server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
    server.requestTimeout = REQUEST_TIMEOUT_MS;
    server.setTimeout(CONNECTION_TIMEOUT_MS);
    return server;
  },
} satisfies FastifyServerOptions & { http: ServerOptions };
