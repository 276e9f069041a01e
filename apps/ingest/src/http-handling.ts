// Ingest's HTTP edge rules: bodies arrive as raw bytes (the signature is computed over them, and we parse only
// after verifying), at most 1 MiB, and slow senders are cut off. Fastify's own errors get our JSON envelope.
import type { ServerOptions } from 'node:http';
import type { FastifyError, FastifyInstance, FastifyServerOptions } from 'fastify';

export const MAX_BODY_BYTES = 1024 * 1024;

export function installIngestHttpHandling(fastify: FastifyInstance): void {
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: MAX_BODY_BYTES }, (_request, body, done) => done(null, body));
  fastify.setErrorHandler((error: FastifyError, _request, reply) => {
    const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 600 ? error.statusCode : 500;
    const message =
      status === 413 ? `the body is larger than ${MAX_BODY_BYTES} bytes` : status >= 500 ? 'internal error' : error.message;
    void reply.status(status).send({ error: message });
  });
}

/** The whole request, headers and body, must arrive within this (INGEST_REQUEST_TIMEOUT_MS; tests shorten it). */
export const REQUEST_TIMEOUT_MS = requestTimeoutFrom(process.env.INGEST_REQUEST_TIMEOUT_MS);

function requestTimeoutFrom(raw: string | undefined): number {
  if (raw === undefined || raw === '') return 15_000;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1_000 || value > 300_000) throw new Error(`INGEST_REQUEST_TIMEOUT_MS must be 1000 to 300000 ms, got "${raw}"`);
  return value;
}

installIngestHttpHandling.serverOptions = {
  bodyLimit: MAX_BODY_BYTES,
  // Slow-body senders (slowloris) are answered 408 instead of holding a socket open.
  requestTimeout: REQUEST_TIMEOUT_MS,
  // Given to Node's http server itself, not only set afterwards as Fastify does: Node swaps a headersTimeout
  // larger than requestTimeout (its default is 60 s) into the body deadline, and checks both only every
  // connectionsCheckingInterval (30 s by default), so a dribbled body was held for up to 90 s.
  http: { requestTimeout: REQUEST_TIMEOUT_MS, headersTimeout: REQUEST_TIMEOUT_MS, connectionsCheckingInterval: 1_000 },
  connectionTimeout: 30_000,
  keepAliveTimeout: 10_000,
} satisfies FastifyServerOptions & { http: ServerOptions };
