// 100 requests a minute per user (sub within org), across all dashboard routes together. Runs after the auth
// guard, so the key is the verified viewer, never anything the caller can vary.
import { ExecutionContext, HttpStatus, Injectable } from '@nestjs/common';
import { ThrottlerGuard, ThrottlerLimitDetail } from '@nestjs/throttler';
import { createHash } from 'node:crypto';
import type { ViewerRequest } from '../auth/viewer';
import { RetryLaterException } from '../http/retry-later.exception';

export const RATE_LIMIT = { limit: 100, windowMs: 60_000 } as const;

/** A 429 that carries how long to wait, for the Retry-After header. */
export class RateLimitedException extends RetryLaterException {
  constructor(retryAfterSeconds: number) {
    super(`too many requests: at most ${RATE_LIMIT.limit} a minute per user; retry in ${retryAfterSeconds} s`, HttpStatus.TOO_MANY_REQUESTS, retryAfterSeconds);
  }
}

@Injectable()
export class ViewerThrottlerGuard extends ThrottlerGuard {
  protected override async getTracker(request: Record<string, unknown>): Promise<string> {
    const viewer = (request as unknown as ViewerRequest).viewer;
    if (!viewer) throw new Error('ViewerThrottlerGuard must run after BearerAuthGuard');
    return `${viewer.orgId}\u0000${viewer.userId}`;
  }

  /** One budget per user for all routes (the default key would give each route its own). */
  protected override generateKey(_context: ExecutionContext, tracker: string, throttlerName: string): string {
    return `${throttlerName}:${createHash('sha256').update(tracker).digest('base64url')}`;
  }

  protected override async throwThrottlingException(_context: ExecutionContext, detail: ThrottlerLimitDetail): Promise<void> {
    throw new RateLimitedException(detail.timeToBlockExpire);
  }
}
