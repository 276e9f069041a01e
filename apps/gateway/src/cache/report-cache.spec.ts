import { ReportCache, reportCacheKey } from './report-cache';

function deferred<T>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

describe('ReportCache', () => {
  let now = 0;
  const options = { ttlMs: 1_000, maxEntries: 100, maxRows: 10_000, now: () => now };
  const live = () => {
    const cache = new ReportCache(options);
    cache.goLive();
    return cache;
  };
  beforeEach(() => (now = 0));

  it('keys each org apart', () => {
    expect(reportCacheKey('acme', 'x')).not.toBe(reportCacheKey('acm', 'ex'));
  });

  it('serves a second request from the cache, per org and key, until the TTL', async () => {
    const cache = live();
    const load = jest.fn(async () => [1, 2]);
    await cache.get('acme', 'k', load);
    expect(await cache.get('acme', 'k', load)).toEqual([1, 2]);
    expect(load).toHaveBeenCalledTimes(1);
    await cache.get('globex', 'k', load);
    await cache.get('acme', 'other', load);
    expect(load).toHaveBeenCalledTimes(3);
    now = 1_000;
    await cache.get('acme', 'k', load);
    expect(load).toHaveBeenCalledTimes(4);
  });

  it("drops only the signalled org's entries", async () => {
    const cache = live();
    const load = jest.fn(async () => 1);
    await cache.get('acme', 'a', load);
    await cache.get('acme', 'b', load);
    await cache.get('globex', 'a', load);
    cache.invalidateOrg('acme');
    await cache.get('acme', 'a', load);
    await cache.get('acme', 'b', load);
    await cache.get('globex', 'a', load);
    expect(load).toHaveBeenCalledTimes(5);
  });

  it('clear drops every org', async () => {
    const cache = live();
    const load = jest.fn(async () => 1);
    await cache.get('acme', 'a', load);
    await cache.get('globex', 'a', load);
    cache.clear();
    await cache.get('acme', 'a', load);
    await cache.get('globex', 'a', load);
    expect(load).toHaveBeenCalledTimes(4);
  });

  it('shares one read between concurrent requests', async () => {
    const cache = live();
    const read = deferred<number>();
    const load = jest.fn(() => read.promise);
    const first = cache.get('acme', 'k', load);
    const second = cache.get('acme', 'k', load);
    read.resolve(7);
    expect(await Promise.all([first, second])).toEqual([7, 7]);
    expect(load).toHaveBeenCalledTimes(1);
  });

  it('never stores, nor lets later requests join, a read in flight when its org was signalled', async () => {
    const cache = live();
    const before = deferred<string>();
    const load = jest.fn().mockReturnValueOnce(before.promise).mockResolvedValue('after the commit');
    const early = cache.get('acme', 'k', load);
    cache.invalidateOrg('acme'); // the commit's signal arrives while the read is in flight
    const late = cache.get('acme', 'k', load);
    before.resolve('before the commit');
    expect(await early).toBe('before the commit');
    expect(await late).toBe('after the commit');
    expect(await cache.get('acme', 'k', load)).toBe('after the commit');
    expect(load).toHaveBeenCalledTimes(2);
  });

  it('a read in flight for another org is still stored', async () => {
    const cache = live();
    const load = jest.fn(async () => 1);
    const pending = cache.get('globex', 'k', load);
    cache.invalidateOrg('acme');
    await pending;
    await cache.get('globex', 'k', load);
    expect(load).toHaveBeenCalledTimes(1);
  });

  it('bypasses the cache until live, and while dark, and forgets everything across a dark spell', async () => {
    const cache = new ReportCache(options);
    const load = jest.fn(async () => 1);
    await cache.get('acme', 'k', load);
    await cache.get('acme', 'k', load);
    expect(load).toHaveBeenCalledTimes(2);
    cache.goLive();
    await cache.get('acme', 'k', load);
    cache.goDark();
    await cache.get('acme', 'k', load);
    cache.goLive();
    await cache.get('acme', 'k', load);
    await cache.get('acme', 'k', load);
    expect(load).toHaveBeenCalledTimes(5);
  });

  it('does not store a read that was in flight when the cache went dark and live again', async () => {
    const cache = live();
    const read = deferred<number>();
    const load = jest.fn().mockReturnValueOnce(read.promise).mockResolvedValue(2);
    const pending = cache.get('acme', 'k', load);
    cache.goDark();
    cache.goLive();
    read.resolve(1);
    await pending;
    expect(await cache.get('acme', 'k', load)).toBe(2);
  });

  it('does not cache failures', async () => {
    const cache = live();
    const load = jest.fn().mockRejectedValueOnce(new Error('database away')).mockResolvedValue(1);
    await expect(cache.get('acme', 'k', load)).rejects.toThrow('database away');
    expect(await cache.get('acme', 'k', load)).toBe(1);
  });

  it('bounds memory by rows: a heavy answer pushes out the least recently used', async () => {
    const cache = new ReportCache({ ...options, maxRows: 100 });
    cache.goLive();
    const rows = (n: number) => async () => Array.from({ length: n }, (_, i) => i);
    const count = (value: number[]) => value.length;
    await cache.get('acme', 'a', rows(20), count);
    await cache.get('acme', 'b', rows(20), count);
    await cache.get('acme', 'c', rows(20), count);
    await cache.get('acme', 'd', rows(20), count);
    await cache.get('acme', 'e', rows(20), count); // 5 × 21 > 100: 'a' goes
    expect(cache.size).toBe(4);
    const load = jest.fn(rows(20));
    await cache.get('acme', 'a', load, count);
    expect(load).toHaveBeenCalledTimes(1);
    cache.invalidateOrg('acme'); // the index followed the evictions
    expect(cache.size).toBe(0);
  });

  it('hands out frozen values, so one request cannot change another one\'s answer', async () => {
    const cache = live();
    const value = await cache.get('acme', 'k', async () => [{ tokens: 1 }]);
    expect(Object.isFrozen(value)).toBe(true);
    expect(Object.isFrozen(value[0])).toBe(true);
  });

  describe('refresh-ahead', () => {
    // Entries become refreshable at 50 % of the 1 000 ms TTL (random() = 0 picks the start of the 50–75 % range).
    const refreshing = (maxRefreshes = 2) => {
      const cache = new ReportCache({ ...options, refreshAfter: { fromShare: 0.5, toShare: 0.75, maxRefreshes }, random: () => 0 });
      cache.goLive();
      return cache;
    };
    const flush = () => new Promise((resolve) => setImmediate(resolve));

    it('answers a late hit from the cache and reloads it in the background, once', async () => {
      const cache = refreshing();
      const reload = deferred<string>();
      const load = jest.fn().mockResolvedValueOnce('first').mockReturnValueOnce(reload.promise).mockResolvedValue('third');
      await cache.get('acme', 'k', load);
      now = 499;
      expect(await cache.get('acme', 'k', load)).toBe('first');
      expect(load).toHaveBeenCalledTimes(1); // still fresh
      now = 500;
      expect(await cache.get('acme', 'k', load)).toBe('first');
      expect(await cache.get('acme', 'k', load)).toBe('first');
      expect(load).toHaveBeenCalledTimes(2); // one reload, however many hits
      reload.resolve('second');
      await flush();
      expect(await cache.get('acme', 'k', load)).toBe('second');
      now = 999; // the reload (stored at 500) began a new life: fresh until 1 000, alive until 1 500
      expect(await cache.get('acme', 'k', load)).toBe('second');
      expect(load).toHaveBeenCalledTimes(2);
      now = 1_499;
      expect(await cache.get('acme', 'k', load)).toBe('second');
      expect(load).toHaveBeenCalledTimes(3);
    });

    it('never serves an entry past its TTL, reload or not', async () => {
      const cache = refreshing(0); // no background reloads allowed at all
      const load = jest.fn().mockResolvedValueOnce('first').mockResolvedValue('second');
      await cache.get('acme', 'k', load);
      now = 900;
      expect(await cache.get('acme', 'k', load)).toBe('first');
      now = 1_000;
      expect(await cache.get('acme', 'k', load)).toBe('second');
      expect(load).toHaveBeenCalledTimes(2);
    });

    it('runs at most maxRefreshes reloads at once', async () => {
      const cache = refreshing(1);
      const slow = deferred<string>();
      const loads = { a: jest.fn().mockResolvedValueOnce('a1').mockReturnValueOnce(slow.promise), b: jest.fn().mockResolvedValue('b') };
      await cache.get('acme', 'a', loads.a);
      await cache.get('acme', 'b', loads.b);
      now = 600;
      await cache.get('acme', 'a', loads.a); // starts the one reload allowed
      await cache.get('acme', 'b', loads.b); // waits its turn: served, not reloaded
      expect(loads.a).toHaveBeenCalledTimes(2);
      expect(loads.b).toHaveBeenCalledTimes(1);
      slow.resolve('a2');
      await flush();
      await cache.get('acme', 'b', loads.b);
      expect(loads.b).toHaveBeenCalledTimes(2);
    });

    it('drops a background reload that was in flight when its org was signalled', async () => {
      const cache = refreshing();
      const reload = deferred<string>();
      const load = jest.fn().mockResolvedValueOnce('before').mockReturnValueOnce(reload.promise).mockResolvedValue('after the commit');
      await cache.get('acme', 'k', load);
      now = 600;
      await cache.get('acme', 'k', load); // reload in flight
      cache.invalidateOrg('acme');
      reload.resolve('read before the commit');
      await flush();
      expect(await cache.get('acme', 'k', load)).toBe('after the commit');
    });
  });
});
