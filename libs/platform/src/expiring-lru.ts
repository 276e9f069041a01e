// A bounded map whose entries expire: at most `maxEntries` entries and `maxWeight` in total weight, the least
// recently used going first. Map keeps insertion order, so a hit is moved to the end and eviction takes the head.
// Time is passed in (milliseconds), so the rules are testable without clocks.

export interface ExpiringLruOptions<K> {
  readonly maxEntries: number;
  /** Sum of the entries' weights (rows, say); default: no bound beyond the entry count. */
  readonly maxWeight?: number;
  /** Told of every entry that leaves (deleted, expired, evicted), not of `clear`. */
  readonly onRemove?: (key: K) => void;
}

interface Slot<V> {
  readonly value: V;
  readonly expiresAt: number;
  readonly weight: number;
}

export class ExpiringLru<K, V> {
  private readonly slots = new Map<K, Slot<V>>();
  private totalWeight = 0;
  private readonly maxWeight: number;

  constructor(private readonly options: ExpiringLruOptions<K>) {
    this.maxWeight = options.maxWeight ?? Number.POSITIVE_INFINITY;
  }

  get size(): number {
    return this.slots.size;
  }

  get weight(): number {
    return this.totalWeight;
  }

  /** The value while `now` is before its expiry; an expired entry is dropped on the way. */
  get(key: K, now: number): V | undefined {
    const slot = this.slots.get(key);
    if (slot === undefined) return undefined;
    this.slots.delete(key);
    if (slot.expiresAt <= now) {
      this.totalWeight -= slot.weight;
      this.options.onRemove?.(key);
      return undefined;
    }
    this.slots.set(key, slot); // most recently used: to the end
    return slot.value;
  }

  /** Stores `value` until `expiresAt`; a value heavier than a quarter of the budget is not kept at all. */
  set(key: K, value: V, expiresAt: number, weight = 1): boolean {
    this.delete(key);
    if (weight > this.maxWeight / 4) return false;
    this.slots.set(key, { value, expiresAt, weight });
    this.totalWeight += weight;
    while (this.slots.size > this.options.maxEntries || this.totalWeight > this.maxWeight) {
      const oldest = this.slots.keys().next().value as K;
      this.delete(oldest);
    }
    return true;
  }

  delete(key: K): void {
    const slot = this.slots.get(key);
    if (slot === undefined) return;
    this.slots.delete(key);
    this.totalWeight -= slot.weight;
    this.options.onRemove?.(key);
  }

  clear(): void {
    this.slots.clear();
    this.totalWeight = 0;
  }
}
