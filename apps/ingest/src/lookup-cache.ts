// Briefly remembers per-org lookups on the request path, so a burst of deliveries costs one query, not one
// each. Misses are remembered for less time than hits, so a newly created org or token is seen quickly.
export interface LookupCacheOptions {
  readonly hitTtlMs: number;
  readonly missTtlMs: number;
  /** Bounds memory under a flood of distinct keys (e.g. random org ids in URLs). */
  readonly maxEntries?: number;
}

export class LookupCache<V> {
  private readonly entries = new Map<string, { value: V | undefined; expiresAt: number }>();

  constructor(private readonly options: LookupCacheOptions) {}

  async get(key: string, load: () => Promise<V | undefined>, now = Date.now): Promise<V | undefined> {
    const cached = this.entries.get(key);
    if (cached && cached.expiresAt > now()) return cached.value;
    const value = await load();
    if (this.entries.size >= (this.options.maxEntries ?? 100_000)) this.entries.clear();
    this.entries.set(key, { value, expiresAt: now() + (value === undefined ? this.options.missTtlMs : this.options.hitTtlMs) });
    return value;
  }
}
