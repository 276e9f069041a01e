// Rate-limit counters in Postgres, so the limit holds across every gateway instance: an atomic upsert on a
// fixed window per user. The hits that arrive in one turn of the event loop share one statement (one round trip
// and one socket write instead of one per request): each key's counter goes up by its hits at once, and each
// request learns its own place in that count, so the limit is exactly as strict as one upsert per request.
// Windows that ended are swept now and then by whichever instance notices.
import { ThrottlerStorage } from '@nestjs/throttler';
import { Pool } from 'pg';

type ThrottlerStorageRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;

const SWEEP_EVERY_MS = 5 * 60_000;
/** Keeps a flood from overflowing the integer column; the answer is the same 429 either way. */
const MAX_COUNTED_HITS = 1_000_000;

interface PendingHit {
  readonly limit: number;
  readonly resolve: (record: ThrottlerStorageRecord) => void;
  readonly reject: (error: unknown) => void;
}

/** The hits of one turn for one window length, by key, in arrival order. */
type Round = Map<string, PendingHit[]>;

export class PostgresThrottlerStorage implements ThrottlerStorage {
  private lastSweep = Date.now();
  /** Rounds waiting for the end of the current turn, by window length (ms). */
  private readonly rounds = new Map<number, Round>();
  private flushScheduled = false;

  constructor(private readonly pool: Pool) {}

  /** `ttl` in ms (the window); the answer's times in seconds, as the throttler guard expects. */
  increment(key: string, ttl: number, limit: number): Promise<ThrottlerStorageRecord> {
    return new Promise((resolve, reject) => {
      let round = this.rounds.get(ttl);
      if (!round) this.rounds.set(ttl, (round = new Map()));
      const hits = round.get(key);
      if (hits) hits.push({ limit, resolve, reject });
      else round.set(key, [{ limit, resolve, reject }]);
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    this.flushScheduled = false;
    const rounds = [...this.rounds];
    this.rounds.clear();
    for (const [ttl, round] of rounds) void this.count(ttl, round);
    this.sweepNowAndThen();
  }

  private async count(ttl: number, round: Round): Promise<void> {
    // Sorted keys: two instances upserting overlapping keys lock them in the same order, so never deadlock.
    const keys = [...round.keys()].sort();
    try {
      const { rows } = await this.pool.query<{ key: string; hits: number; seconds_left: number }>(
        `INSERT INTO gateway_rate_limits AS r (key, hits, window_ends_at)
         SELECT key, least(n, $4), clock_timestamp() + make_interval(secs => $3::float8 / 1000)
           FROM unnest($1::text[], $2::int[]) AS hit(key, n)
         ON CONFLICT (key) DO UPDATE SET
           hits           = CASE WHEN r.window_ends_at <= clock_timestamp() THEN EXCLUDED.hits ELSE least(r.hits + EXCLUDED.hits, $4) END,
           window_ends_at = CASE WHEN r.window_ends_at <= clock_timestamp() THEN EXCLUDED.window_ends_at ELSE r.window_ends_at END
         RETURNING key, hits, ceil(extract(epoch FROM window_ends_at - clock_timestamp()))::int AS seconds_left`,
        [keys, keys.map((key) => round.get(key)!.length), ttl, MAX_COUNTED_HITS],
      );
      for (const row of rows) {
        const secondsLeft = Math.max(1, row.seconds_left);
        const waiting = round.get(row.key)!;
        // The counter now includes all of this round's hits of the key; the i-th of them was hit number first + i.
        const first = row.hits - waiting.length + 1;
        waiting.forEach((hit, i) => hit.resolve(answer(first + i, hit.limit, secondsLeft)));
        round.delete(row.key);
      }
      if (round.size > 0) throw new Error(`rate-limit upsert returned no row for ${round.size} key(s)`);
    } catch (error) {
      for (const waiting of round.values()) for (const hit of waiting) hit.reject(error);
    }
  }

  private sweepNowAndThen(): void {
    if (Date.now() - this.lastSweep < SWEEP_EVERY_MS) return;
    this.lastSweep = Date.now();
    void this.pool.query(`DELETE FROM gateway_rate_limits WHERE window_ends_at < clock_timestamp() - interval '1 minute'`).catch(() => undefined);
  }
}

function answer(totalHits: number, limit: number, secondsLeft: number): ThrottlerStorageRecord {
  const isBlocked = totalHits > limit;
  return { totalHits, timeToExpire: secondsLeft, isBlocked, timeToBlockExpire: isBlocked ? secondsLeft : 0 };
}
