// Rate-limit counters in Postgres, so the limit holds across every gateway instance: one atomic upsert per
// request on a fixed window per user. Windows that ended are swept now and then by whichever instance notices.
import { ThrottlerStorage } from '@nestjs/throttler';
import { Pool } from 'pg';

type ThrottlerStorageRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;

const SWEEP_EVERY_MS = 5 * 60_000;
/** Keeps a flood from overflowing the integer column; the answer is the same 429 either way. */
const MAX_COUNTED_HITS = 1_000_000;

export class PostgresThrottlerStorage implements ThrottlerStorage {
  private lastSweep = Date.now();

  constructor(private readonly pool: Pool) {}

  /** `ttl` in ms (the window); the answer's times in seconds, as the throttler guard expects. */
  async increment(key: string, ttl: number, limit: number): Promise<ThrottlerStorageRecord> {
    const { rows } = await this.pool.query<{ hits: number; seconds_left: number }>(
      `INSERT INTO gateway_rate_limits AS r (key, hits, window_ends_at)
       VALUES ($1, 1, clock_timestamp() + make_interval(secs => $2::float8 / 1000))
       ON CONFLICT (key) DO UPDATE SET
         hits           = CASE WHEN r.window_ends_at <= clock_timestamp() THEN 1 ELSE least(r.hits + 1, $3) END,
         window_ends_at = CASE WHEN r.window_ends_at <= clock_timestamp() THEN EXCLUDED.window_ends_at ELSE r.window_ends_at END
       RETURNING hits, ceil(extract(epoch FROM window_ends_at - clock_timestamp()))::int AS seconds_left`,
      [key, ttl, MAX_COUNTED_HITS],
    );
    this.sweepNowAndThen();
    const { hits } = rows[0];
    const secondsLeft = Math.max(1, rows[0].seconds_left);
    const isBlocked = hits > limit;
    return { totalHits: hits, timeToExpire: secondsLeft, isBlocked, timeToBlockExpire: isBlocked ? secondsLeft : 0 };
  }

  private sweepNowAndThen(): void {
    if (Date.now() - this.lastSweep < SWEEP_EVERY_MS) return;
    this.lastSweep = Date.now();
    void this.pool.query(`DELETE FROM gateway_rate_limits WHERE window_ends_at < clock_timestamp() - interval '1 minute'`).catch(() => undefined);
  }
}
