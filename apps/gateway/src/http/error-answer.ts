// Every failure as the contract's envelope, `{"success": false, "error": "...", ...}`, with the right status.
// Infrastructure failures become 503 with Retry-After; anything unexpected is a bare 500, never a stack trace.
import { HttpException, HttpStatus } from '@nestjs/common';
import { PricingUnavailableError } from '@mai/platform';
import { RetryLaterException } from './retry-later.exception';

export interface ErrorAnswer {
  readonly status: number;
  readonly body: { success: false; error: string; status: number; details?: unknown };
  readonly headers: Record<string, string>;
  /** Unexpected: worth an error log with the stack. */
  readonly unexpected: boolean;
}

const RETRY_AFTER_SECONDS = '5';

export function errorAnswer(exception: unknown): ErrorAnswer {
  if (exception instanceof RetryLaterException) {
    return answer(exception.getStatus(), exception.message, { 'Retry-After': String(exception.retryAfterSeconds) });
  }
  if (exception instanceof HttpException) return fromHttpException(exception);
  if (exception instanceof PricingUnavailableError) {
    return answer(HttpStatus.SERVICE_UNAVAILABLE, 'the model catalog is unavailable (pricing-fx is not answering); retry later', { 'Retry-After': RETRY_AFTER_SECONDS });
  }
  if (isDatabaseUnavailable(exception)) {
    return answer(HttpStatus.SERVICE_UNAVAILABLE, 'the usage database is unavailable; retry later', { 'Retry-After': RETRY_AFTER_SECONDS });
  }
  return { ...answer(HttpStatus.INTERNAL_SERVER_ERROR, 'internal error'), unexpected: true };
}

function fromHttpException(exception: HttpException): ErrorAnswer {
  const status = exception.getStatus();
  const response = exception.getResponse();
  const headers: Record<string, string> = {};
  if (status === HttpStatus.UNAUTHORIZED) headers['WWW-Authenticate'] = 'Bearer realm="mai-usage", error="invalid_token"';
  if (status === HttpStatus.SERVICE_UNAVAILABLE) headers['Retry-After'] = RETRY_AFTER_SECONDS;
  const message = typeof response === 'object' && response !== null ? (response as { message?: unknown }).message : response;
  // ValidationPipe reports a list of messages: the first one leads, all of them follow as details.
  if (Array.isArray(message)) return answer(status, `invalid request: ${String(message[0])}`, headers, message);
  return answer(status, typeof message === 'string' ? message : exception.message, headers);
}

function answer(status: number, error: string, headers: Record<string, string> = {}, details?: unknown): ErrorAnswer {
  return { status, body: { success: false, error, status, ...(details === undefined ? {} : { details }) }, headers, unexpected: false };
}

const UNAVAILABLE_NODE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE', 'EHOSTUNREACH']);

/** Connection-level failures of pg: the database is down, restarting, unreachable or out of connections. */
export function isDatabaseUnavailable(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { code, message } = error as { code?: unknown; message?: unknown };
  if (typeof code === 'string') {
    if (UNAVAILABLE_NODE_CODES.has(code)) return true;
    // SQLSTATE 08 connection exception, 57P01-03 shutdown / cannot connect now, 53300 too many connections.
    if (/^08/.test(code) || ['57P01', '57P02', '57P03', '53300'].includes(code)) return true;
  }
  return typeof message === 'string' && /Connection terminated|timeout exceeded when trying to connect|Query read timeout|Client has encountered a connection error/.test(message);
}
