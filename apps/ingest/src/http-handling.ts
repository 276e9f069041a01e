// Ingest's HTTP edge rules: bodies arrive as raw bytes (the signature is computed over them, and we parse only
// after verifying), at most 1 MiB, and slow senders are cut off. Fastify's own errors get our JSON envelope.
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

installIngestHttpHandling.serverOptions = {
  bodyLimit: MAX_BODY_BYTES,
  // Slow-body senders (slowloris) are answered 408 instead of holding a socket open.
  requestTimeout: 15_000,
  connectionTimeout: 30_000,
  keepAliveTimeout: 10_000,
} satisfies FastifyServerOptions;
