import { ExpiringLru } from './expiring-lru';

describe('ExpiringLru', () => {
  it('expires entries at their time and evicts the least recently used beyond the entry count', () => {
    const lru = new ExpiringLru<string, number>({ maxEntries: 2 });
    lru.set('a', 1, 100);
    lru.set('b', 2, 100);
    expect(lru.get('a', 50)).toBe(1); // a is now the most recent
    lru.set('c', 3, 100);
    expect(lru.get('b', 50)).toBeUndefined();
    expect(lru.get('a', 50)).toBe(1);
    expect(lru.get('c', 100)).toBeUndefined(); // expiry is exclusive
    expect(lru.size).toBe(1);
  });

  it('keeps the total weight within budget and refuses an entry heavier than a quarter of it', () => {
    const removed: string[] = [];
    const lru = new ExpiringLru<string, number>({ maxEntries: 100, maxWeight: 100, onRemove: (key) => removed.push(key) });
    expect(lru.set('huge', 0, 1_000, 26)).toBe(false);
    for (const key of ['a', 'b', 'c', 'd', 'e']) lru.set(key, 0, 1_000, 25);
    expect(lru.weight).toBe(100);
    expect(lru.get('a', 0)).toBeUndefined();
    expect(removed).toEqual(['a']);
  });
});
