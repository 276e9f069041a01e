// Where the two receivers are served. A plain request — POST, a path naming a well-formed org id, a
// Content-Length within the limit — is read and answered straight from Node's request and response: for a
// one-record webhook, Fastify's routing, hooks and body parser (an AsyncResource bound per request) and Nest's
// hooks and middleware cost as much as the rules themselves. Every other request to these paths (chunked or
// oversized bodies, odd encodings, query strings) goes to the Fastify routes below, which answer exactly as
// before, 413s and 400s included; the request deadline (408) is the Node server's own for both.
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Answer, Receiver, internalError, sendThroughFastify, writeAnswer } from './answers';
import { MAX_BODY_BYTES, serveBeforeFastify } from './http-handling';
import { OTLP_TRACES_ROUTE, OtlpTracesRoute } from './otlp/otlp-traces-route';
import { WEBHOOK_ROUTE, WebhookRoute } from './webhooks/webhook-route';

type Handler = (orgId: string, headers: IncomingHttpHeaders, body: Buffer) => Promise<Answer>;

const EMPTY = Buffer.alloc(0);
const WEBHOOK_PATH = /^\/v1\/webhooks\/openrouter\/([A-Za-z0-9_-]{1,64})$/;
const OTLP_PATH = /^\/v1\/otlp\/([A-Za-z0-9_-]{1,64})\/v1\/traces$/;

export function serveReceivers(fastify: FastifyInstance, webhook: WebhookRoute, otlp: OtlpTracesRoute): void {
  const receivers: Record<Receiver, Handler> = {
    webhook: (orgId, headers, body) => webhook.handle(orgId, headers, body),
    otlp: (orgId, headers, body) => otlp.handle(orgId, headers, body),
  };

  const throughFastify = (receiver: Receiver) => async (request: FastifyRequest, reply: Parameters<typeof sendThroughFastify>[0]) => {
    const body = Buffer.isBuffer(request.body) ? request.body : EMPTY;
    let result: Answer;
    try {
      result = await receivers[receiver]((request.params as { orgId: string }).orgId, request.headers, body);
    } catch (error) {
      result = internalError(receiver, error);
    }
    sendThroughFastify(reply, result);
  };
  fastify.post(WEBHOOK_ROUTE, throughFastify('webhook'));
  fastify.post(OTLP_TRACES_ROUTE, throughFastify('otlp'));

  serveBeforeFastify((request, response) => {
    if (request.method !== 'POST') return false;
    const url = request.url ?? '';
    let receiver: Receiver;
    let match = WEBHOOK_PATH.exec(url);
    if (match) receiver = 'webhook';
    else if ((match = OTLP_PATH.exec(url))) receiver = 'otlp';
    else return false;
    const declared = request.headers['content-length'];
    if (declared === undefined || request.headers['transfer-encoding'] !== undefined) return false;
    const length = Number(declared);
    if (!(length <= MAX_BODY_BYTES)) return false;
    readBody(request, length, (body) => answerRaw(response, receiver, receivers[receiver], match[1], request.headers, body));
    return true;
  });
}

/** The body, whole; Node's parser holds it to the declared Content-Length. Nothing is answered if the socket fails. */
function readBody(request: IncomingMessage, length: number, done: (body: Buffer) => void): void {
  if (length === 0) {
    request.resume();
    request.once('end', () => done(EMPTY));
    return;
  }
  const chunks: Buffer[] = [];
  let received = 0;
  request.on('data', (chunk: Buffer) => {
    chunks.push(chunk);
    received += chunk.length;
  });
  request.once('end', () => done(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, received)));
}

function answerRaw(response: ServerResponse, receiver: Receiver, handler: Handler, orgId: string, headers: IncomingHttpHeaders, body: Buffer): void {
  handler(orgId, headers, body).then(
    (result) => writeAnswer(response, result),
    (error: unknown) => writeAnswer(response, internalError(receiver, error)),
  );
}
