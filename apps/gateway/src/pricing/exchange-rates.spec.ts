import { readConfig } from '@mai/config';
import type { UsdPlnReply } from '@mai/messaging';
import type { PricingClient } from '@mai/platform';
import { ExchangeRates, FX_WAIT_MS } from './exchange-rates';

const config = readConfig({ FX_FALLBACK_USD_PLN: '4.05', DATABASE_URL: 'postgres://x@127.0.0.1/x' });

function ratesWith(usdPln: () => Promise<UsdPlnReply>) {
  const calls = { count: 0 };
  const pricing = { usdPln: () => (calls.count++, usdPln()) } as unknown as PricingClient;
  return { rates: new ExchangeRates(pricing, config), calls };
}

describe('ExchangeRates', () => {
  afterEach(() => jest.useRealTimers());

  it("passes pricing-fx's answer through and reuses it for a minute", async () => {
    jest.useFakeTimers({ now: Date.parse('2026-12-04T10:00:00Z') });
    const { rates, calls } = ratesWith(async () => ({ usdPln: '3.6521', source: 'nbp', effectiveDate: '2026-12-03' }));
    const quote = await rates.current();
    expect({ ...quote, usdPln: quote.usdPln.toString() }).toEqual({ usdPln: '3.6521', source: 'nbp', effectiveDate: '2026-12-03' });
    await rates.current();
    jest.setSystemTime(Date.parse('2026-12-04T10:00:59Z'));
    await rates.current();
    expect(calls.count).toBe(1);
    jest.setSystemTime(Date.parse('2026-12-04T10:01:01Z'));
    await rates.current(); // stale: served at once while one new question goes out
    expect(calls.count).toBe(2);
  });

  it('falls back to FX_FALLBACK_USD_PLN when pricing-fx fails', async () => {
    const { rates } = ratesWith(async () => {
      throw new Error('no subscribers');
    });
    const quote = await rates.current();
    expect({ ...quote, usdPln: quote.usdPln.toString() }).toEqual({ usdPln: '4.05', source: 'fallback', effectiveDate: null });
  });

  it('never waits more than 5 s for pricing-fx, and asks once for many callers', async () => {
    jest.useFakeTimers();
    const { rates, calls } = ratesWith(() => new Promise<never>(() => undefined));
    const answers = Promise.all([rates.current(), rates.current(), rates.current()]);
    await jest.advanceTimersByTimeAsync(FX_WAIT_MS);
    const quotes = await answers;
    expect(quotes.map((q) => q.source)).toEqual(['fallback', 'fallback', 'fallback']);
    expect(calls.count).toBe(1);
  });

  it('asks again soon after a fallback, so real rates come back quickly', async () => {
    jest.useFakeTimers({ now: 0 });
    let up = false;
    const { rates } = ratesWith(async () => {
      if (!up) throw new Error('down');
      return { usdPln: '3.9', source: 'cache', effectiveDate: '2026-12-01' };
    });
    expect((await rates.current()).source).toBe('fallback');
    up = true;
    jest.setSystemTime(6_000);
    await rates.current(); // triggers the new question
    await jest.advanceTimersByTimeAsync(0);
    expect((await rates.current()).source).toBe('cache');
  });
});
