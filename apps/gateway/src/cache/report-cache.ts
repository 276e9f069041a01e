// The gateway's cache of report data (the SQL results behind each answer), per org. The projection changes only
// when the aggregator commits (or the CLI swaps in a rebuilt projection, or erases an org's data), and each of
// those publishes a core-NATS signal: the org's entries are dropped on its signal, everything on a signal for all
// orgs. Core NATS is at-most-once, so the cache is only used while the signal subscription is live: a disconnect
// turns it off and empties it, a reconnect empties it again before turning it back on, and every entry also
// expires after a short TTL, which bounds how stale an answer can be if a signal is lost on the way.
//
// A load that was in flight when its org was invalidated is not stored (it may have read the projection before
// the commit that signalled), and requests arriving after the signal never join it: they start a fresh read.
//
// Refresh-ahead: an entry hit in the last part of its life (from a random point between half and three quarters
// of the TTL) is answered from the cache and reloaded in the background, a few reloads at a time. Without it,
// entries filled together (a deploy, a busy minute) all expired together, and their reloads queued in front of
// every other request's queries: a 1 000-org benchmark saw p99 jump from 2 to 150+ ms at each expiry wave. The
// TTL stays the hard bound: past it an entry is never served.
import { ExpiringLru } from '@mai/platform';

export interface ReportCacheOptions {
  /** How long an entry may be served without a signal: the staleness bound when a signal is lost. */
  readonly ttlMs: number;
  readonly maxEntries: number;
  /** Budget of rows over all entries (an entry weighs its rows + 1). */
  readonly maxRows: number;
  /** Refresh-ahead: reload in the background when hit after this share of the TTL (drawn per entry), at most `maxRefreshes` at once. */
  readonly refreshAfter?: { readonly fromShare: number; readonly toShare: number; readonly maxRefreshes: number };
  readonly now?: () => number;
  readonly random?: () => number;
}

/**
 * Five minutes: signals keep answers fresh (the TTL is only the bound for a signal lost on a live connection,
 * e.g. across a broken cluster route), and every expiry is a reload: with 1 000 orgs' one-year reports a 30 s
 * TTL kept PostgreSQL busy reloading and put 150–800 ms on the p99 at 500 requests/s.
 */
export const REPORT_CACHE_DEFAULTS: ReportCacheOptions = {
  ttlMs: 5 * 60_000,
  maxEntries: 20_000,
  maxRows: 400_000,
  refreshAfter: { fromShare: 0.5, toShare: 0.75, maxRefreshes: 2 },
};

interface Stored {
  readonly value: unknown;
  /** From when a hit also starts a background reload. */
  readonly refreshAt: number;
}

interface Flight {
  readonly orgId: string;
  readonly promise: Promise<unknown>;
  stale: boolean;
}

export type CacheOutcome = 'hit' | 'miss' | 'joined' | 'bypass';

/** `org` NUL `what`: an org id never holds a NUL, so two orgs' keys never meet. */
export function reportCacheKey(orgId: string, what: string): string {
  return `${orgId}\u0000${what}`;
}

export class ReportCache {
  private readonly entries: ExpiringLru<string, Stored>;
  private readonly keysByOrg = new Map<string, Set<string>>();
  private readonly flights = new Map<string, Flight>();
  private readonly now: () => number;
  private readonly random: () => number;
  private refreshing = 0;
  private live = false;

  constructor(
    private readonly options: ReportCacheOptions = REPORT_CACHE_DEFAULTS,
    private readonly observe: (outcome: CacheOutcome) => void = () => undefined,
  ) {
    this.now = options.now ?? Date.now;
    this.random = options.random ?? Math.random;
    this.entries = new ExpiringLru<string, Stored>({
      maxEntries: options.maxEntries,
      maxWeight: options.maxRows,
      onRemove: (key) => this.unindex(key),
    });
  }

  /** Whether answers may come from the cache: only while invalidation signals are being received. */
  get isLive(): boolean {
    return this.live;
  }

  get size(): number {
    return this.entries.size;
  }

  /** The signal subscription is (again) in place: start from empty, since signals may have been missed. */
  goLive(): void {
    this.clear();
    this.live = true;
  }

  /** Signals can no longer be trusted to arrive (NATS disconnected, subscription gone): empty and bypass. */
  goDark(): void {
    this.live = false;
    this.clear();
  }

  /**
   * The cached data for `what` of `orgId`, or `load()`'s, shared by concurrent requests and kept for the TTL.
   * The value is shared between requests: callers must not mutate it (it is frozen one level deep).
   */
  async get<T>(orgId: string, what: string, load: () => Promise<T>, rows: (value: T) => number = () => 0): Promise<T> {
    if (!this.live) {
      this.observe('bypass');
      return load();
    }
    const key = reportCacheKey(orgId, what);
    const now = this.now();
    const cached = this.entries.get(key, now);
    if (cached !== undefined) {
      this.observe('hit');
      if (cached.refreshAt <= now) this.refreshInBackground(orgId, key, load, rows);
      return cached.value as T;
    }
    const inFlight = this.flights.get(key);
    if (inFlight) {
      this.observe('joined');
      return inFlight.promise as Promise<T>;
    }
    this.observe('miss');
    return this.fly(orgId, key, load, rows);
  }

  private refreshInBackground<T>(orgId: string, key: string, load: () => Promise<T>, rows: (value: T) => number): void {
    const limit = this.options.refreshAfter?.maxRefreshes ?? 0;
    if (this.flights.has(key) || this.refreshing >= limit) return;
    this.refreshing += 1;
    this.fly(orgId, key, load, rows)
      .catch(() => undefined) // the entry stays until its TTL; the next hit tries again
      .finally(() => (this.refreshing -= 1));
  }

  /** Loads `key`, shared by whoever asks meanwhile, and stores the result unless the org was signalled since. */
  private fly<T>(orgId: string, key: string, load: () => Promise<T>, rows: (value: T) => number): Promise<T> {
    const flight: Flight = {
      orgId,
      stale: false,
      // A load that throws at once fails like one that rejects (a background refresh must not throw into its hit).
      promise: new Promise<T>((resolve) => resolve(load())).then(
        (value) => {
          if (this.flights.get(key) === flight) this.flights.delete(key);
          const shared = freeze(value);
          if (!flight.stale && this.live) {
            const now = this.now();
            const stored: Stored = { value: shared, refreshAt: now + this.refreshDelay() };
            if (this.entries.set(key, stored, now + this.options.ttlMs, rows(value) + 1)) this.index(orgId, key);
          }
          return shared;
        },
        (error: unknown) => {
          if (this.flights.get(key) === flight) this.flights.delete(key);
          throw error;
        },
      ),
    };
    this.flights.set(key, flight);
    return flight.promise as Promise<T>;
  }

  private refreshDelay(): number {
    const refresh = this.options.refreshAfter;
    if (!refresh) return Number.POSITIVE_INFINITY;
    return this.options.ttlMs * (refresh.fromShare + (refresh.toShare - refresh.fromShare) * this.random());
  }

  /** The org's projection changed: drop its entries and disown its loads in flight. */
  invalidateOrg(orgId: string): void {
    const keys = this.keysByOrg.get(orgId);
    if (keys) for (const key of [...keys]) this.entries.delete(key);
    for (const [key, flight] of this.flights) {
      if (flight.orgId !== orgId) continue;
      flight.stale = true;
      this.flights.delete(key);
    }
  }

  /** Everything may have changed (a projection swapped in, signals possibly lost). */
  clear(): void {
    this.entries.clear();
    this.keysByOrg.clear();
    for (const flight of this.flights.values()) flight.stale = true;
    this.flights.clear();
  }

  private index(orgId: string, key: string): void {
    let keys = this.keysByOrg.get(orgId);
    if (!keys) this.keysByOrg.set(orgId, (keys = new Set()));
    keys.add(key);
  }

  private unindex(key: string): void {
    const orgId = key.slice(0, key.indexOf('\u0000'));
    const keys = this.keysByOrg.get(orgId);
    if (!keys) return;
    keys.delete(key);
    if (keys.size === 0) this.keysByOrg.delete(orgId);
  }
}

function freeze<T>(value: T): T {
  if (Array.isArray(value)) {
    for (const item of value) if (item && typeof item === 'object') Object.freeze(item);
  }
  return typeof value === 'object' && value !== null ? Object.freeze(value) : value;
}
