import { LookupCache } from './lookup-cache';

describe('LookupCache', () => {
  it('serves a hit until its TTL and a miss for the shorter miss TTL', async () => {
    let clock = 0;
    const now = () => clock;
    const cache = new LookupCache<string>({ hitTtlMs: 5_000, missTtlMs: 1_000 });
    const loads: string[] = [];
    const load = (key: string, value?: string) => async () => {
      loads.push(key);
      return value;
    };
    expect(await cache.get('a', load('a', 'A'), now)).toBe('A');
    expect(await cache.get('b', load('b'), now)).toBeUndefined();
    clock = 999;
    await cache.get('a', load('a', 'A'), now);
    await cache.get('b', load('b'), now);
    expect(loads).toEqual(['a', 'b']);
    clock = 1_000;
    await cache.get('b', load('b', 'B'), now);
    expect(loads).toEqual(['a', 'b', 'b']);
    clock = 5_000;
    await cache.get('a', load('a', 'A2'), now);
    expect(loads).toEqual(['a', 'b', 'b', 'a']);
  });

  it('forgets the least recently used rather than grow past its bound', async () => {
    const cache = new LookupCache<number>({ hitTtlMs: 60_000, missTtlMs: 60_000, maxEntries: 2 });
    let loads = 0;
    const load = async () => ++loads;
    await cache.get('a', load);
    await cache.get('b', load);
    await cache.get('c', load); // a, the least recently used, goes
    await cache.get('a', load);
    expect(loads).toBe(4);
  });
});
