// How ingest's receivers answer: a status, a JSON body and maybe headers, counted in ingest_requests_total,
// with a log line only for what went wrong — a rejection (4xx) at info, a failure to store (5xx) at warn.
// Accepted deliveries are counted, not logged: a line (or a child logger) per request was a measurable share of
// a one-record webhook's cost. Headers are never logged, so no signature or token can reach the logs.
import type { ServerResponse } from 'node:http';
import type { FastifyReply } from 'fastify';
import type { Counter } from 'prom-client';
import { createLogger } from '@mai/platform';
import { ingestMetrics } from './intake/ingest-metrics';

export type Receiver = 'webhook' | 'otlp';

export interface Answer {
  readonly status: number;
  readonly body: object;
  readonly headers?: Readonly<Record<string, string>>;
}

export const edgeLog = createLogger('ingest').child({ component: 'http' });

/** One counter child per (receiver, status), so counting an answer does not hash its labels every time. */
const counted = new Map<string, Counter.Internal>();
function requestCounter(receiver: Receiver, status: number): Counter.Internal {
  const key = `${receiver} ${status}`;
  let child = counted.get(key);
  if (!child) {
    child = ingestMetrics.requests.labels({ receiver, status });
    counted.set(key, child);
  }
  return child;
}

/** The answer to one request of `receiver` for `orgId` (as the URL named it), counted and, when not a 2xx, logged. */
export function answer(receiver: Receiver, orgId: string, status: number, body: object, headers?: Readonly<Record<string, string>>): Answer {
  requestCounter(receiver, status).inc();
  if (status >= 400) {
    const error = (body as { error?: unknown }).error;
    edgeLog[status >= 500 ? 'warn' : 'info']({ receiver, orgId: orgId.slice(0, 64), status, error }, 'request not accepted');
  }
  return { status, body, headers };
}

/** What a receiver that threw answers (never the error's own words); the error goes to the log. */
export function internalError(receiver: Receiver, error: unknown): Answer {
  requestCounter(receiver, 500).inc();
  edgeLog.error({ receiver, err: error }, 'request failed');
  return { status: 500, body: { error: 'internal error' } };
}

export function sendThroughFastify(reply: FastifyReply, { status, body, headers }: Answer): void {
  if (headers) void reply.headers(headers);
  void reply.code(status).send(body);
}

const JSON_TYPE = 'application/json; charset=utf-8';

/** The same answer written straight to Node's response (the fast path of http-handling.ts). */
export function writeAnswer(response: ServerResponse, { status, body, headers }: Answer): void {
  const json = JSON.stringify(body);
  const length = String(Buffer.byteLength(json));
  response.writeHead(status, headers ? { ...headers, 'content-type': JSON_TYPE, 'content-length': length } : { 'content-type': JSON_TYPE, 'content-length': length });
  response.end(json);
}
