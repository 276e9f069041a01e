// Briefly remembers per-org lookups on the request path, so a burst of deliveries costs one query, not one
// each. Misses are remembered for less time than hits, so a newly created org or token is seen quickly.
import { ExpiringLru } from '@mai/platform';

export interface LookupCacheOptions {
  readonly hitTtlMs: number;
  readonly missTtlMs: number;
  /** Bounds memory under a flood of distinct keys (e.g. random org ids in URLs): the least recently used go. */
  readonly maxEntries?: number;
}

/** A remembered miss, told apart from "not remembered" (which ExpiringLru answers with undefined). */
const MISS = Symbol('miss');

export class LookupCache<V> {
  private readonly entries: ExpiringLru<string, V | typeof MISS>;

  constructor(private readonly options: LookupCacheOptions) {
    this.entries = new ExpiringLru({ maxEntries: options.maxEntries ?? 100_000 });
  }

  async get(key: string, load: () => Promise<V | undefined>, now = Date.now): Promise<V | undefined> {
    const cached = this.entries.get(key, now());
    if (cached !== undefined) return cached === MISS ? undefined : cached;
    const value = await load();
    this.entries.set(key, value === undefined ? MISS : value, now() + (value === undefined ? this.options.missTtlMs : this.options.hitTtlMs));
    return value;
  }
}
