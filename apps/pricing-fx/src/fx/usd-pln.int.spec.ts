// USD→PLN through NATS from a real pricing-fx process, against a local fake of NBP's API that answers with
// NBP's exact JSON or fails the ways NBP does. Asked with the PricingClient every other service uses, so
// "the caller never waits more than 5 s" is measured where it matters.
import { performance } from 'node:perf_hooks';
import { UsdPlnReply } from '@mai/messaging';
import { PricingClient } from '@mai/platform';
import { FakeNbp, FakeNbpMode, ServiceProcess, TestEnvironment, createTestEnvironment, startFakeNbp, waitFor } from '@mai/testing';

jest.setTimeout(60_000);

const CALLER_LIMIT_MS = 5_000;
const failureModes: [FakeNbpMode, string][] = [
  ['404', 'not_found'],
  ['500', 'server_error'],
  ['malformed', 'malformed'],
  ['hang', 'timeout'],
];

describe('pricing-fx: USD→PLN from NBP', () => {
  let environment: TestEnvironment;
  let nbp: FakeNbp;
  let pricingFx: ServiceProcess | undefined;
  let client: PricingClient;

  beforeAll(async () => {
    environment = await createTestEnvironment();
    nbp = await startFakeNbp({ rate: { effectiveDate: '2026-12-03', mid: 3.6521 } });
    client = new PricingClient(environment.config);
  });
  afterAll(async () => {
    await client?.onApplicationShutdown();
    await pricingFx?.kill();
    await nbp?.close();
    await environment?.dispose();
  });

  /** A fresh pricing-fx process: nothing in memory, only what the table holds. */
  async function restartPricingFx(): Promise<void> {
    if (pricingFx) await pricingFx.restart();
    else pricingFx = await ServiceProcess.start('pricing-fx', { ...environment.env, NBP_API_URL: nbp.url });
  }

  async function timed(ask: () => Promise<UsdPlnReply>): Promise<{ reply: UsdPlnReply; ms: number }> {
    const started = performance.now();
    const reply = await ask();
    return { reply, ms: performance.now() - started };
  }

  async function metric(pattern: RegExp): Promise<string | undefined> {
    const text = await (await fetch(`${pricingFx!.url}/metrics`)).text();
    return pattern.exec(text)?.[1];
  }

  const failuresCounted = (reason: string, endpoint = 'current') =>
    waitFor(() => metric(new RegExp(`pricing_nbp_fetch_failures_total\\{endpoint="${endpoint}",reason="${reason}"[^}]*\\} (\\d+)`)), {
      timeoutMs: 8_000,
      what: `an NBP ${reason} failure counted`,
    });

  const currentRequests = () => nbp.requests.filter((url) => /\/rates\/a\/usd\/\?/.test(url)).length;
  const rangeRequests = () => nbp.requests.filter((url) => /\/rates\/a\/usd\/\d{4}-\d{2}-\d{2}\//.test(url)).length;

  describe('before NBP has ever answered', () => {
    it.each(failureModes)('NBP %s: the configured fallback 4.0, within 5 s, the failure counted as %s', async (mode, reason) => {
      nbp.mode = mode;
      await restartPricingFx();
      const { reply, ms } = await timed(() => client.usdPln());
      expect(reply).toEqual({ usdPln: '4', source: 'fallback', effectiveDate: null });
      expect(ms).toBeLessThan(CALLER_LIMIT_MS);
      await failuresCounted(reason);
      expect(await metric(/pricing_usd_pln_rate_age_seconds\{[^}]*\} (\S+)/)).toBe('+Inf');
    });

    it('keeps every one of many concurrent callers under 5 s while NBP hangs', async () => {
      nbp.mode = 'hang';
      await restartPricingFx();
      const answers = await Promise.all(Array.from({ length: 20 }, () => timed(() => client.usdPln())));
      expect(new Set(answers.map((a) => a.reply.source))).toEqual(new Set(['fallback']));
      expect(Math.max(...answers.map((a) => a.ms))).toBeLessThan(CALLER_LIMIT_MS);
    });
  });

  describe('once NBP has answered', () => {
    it('serves NBP\'s table A mid rate with its effective date, and keeps it in the table', async () => {
      nbp.mode = 'ok';
      await restartPricingFx();
      expect(await client.usdPln()).toEqual({ usdPln: '3.6521', source: 'nbp', effectiveDate: '2026-12-03' });
      const stored = await waitFor(async () => {
        const { rows } = await environment.pool.query(`SELECT mid::text, confirmed_at IS NOT NULL AS confirmed FROM exchange_rates WHERE effective_date = '2026-12-03'`);
        return rows[0];
      }, { what: 'the NBP rate stored' });
      expect(stored).toEqual({ mid: '3.6521', confirmed: true });
      expect(Number(await metric(/pricing_usd_pln_rate_age_seconds\{[^}]*\} (\S+)/))).toBeLessThan(60);
    });

    it('answers from the cache for 4 h without asking NBP again', async () => {
      const asked = currentRequests();
      for (let i = 0; i < 5; i++) expect(await client.usdPln()).toMatchObject({ source: 'nbp', usdPln: '3.6521' });
      expect(currentRequests()).toBe(asked);
    });

    it.each(failureModes)('NBP %s after the 4 h: the last good rate as "cache", surviving a restart, within 5 s', async (mode, reason) => {
      await environment.pool.query(`UPDATE exchange_rates SET confirmed_at = now() - interval '4 hours 1 minute'`);
      nbp.mode = mode;
      await restartPricingFx();
      const { reply, ms } = await timed(() => client.usdPln());
      expect(reply).toEqual({ usdPln: '3.6521', source: 'cache', effectiveDate: '2026-12-03' });
      expect(ms).toBeLessThan(CALLER_LIMIT_MS);
      await failuresCounted(reason);
    });

    it('takes NBP\'s next table once the 4 h are over and NBP answers again', async () => {
      await environment.pool.query(`UPDATE exchange_rates SET confirmed_at = now() - interval '4 hours 1 minute'`);
      nbp.mode = 'ok';
      nbp.rate = { effectiveDate: '2026-12-04', mid: 3.6012 };
      await restartPricingFx();
      expect(await client.usdPln()).toEqual({ usdPln: '3.6012', source: 'nbp', effectiveDate: '2026-12-04' });
    });
  });

  describe('the booking rate of a day: the last table A published before it', () => {
    beforeAll(() => {
      nbp.mode = 'ok';
      nbp.history = [
        { effectiveDate: '2026-11-26', mid: 3.7012 },
        { effectiveDate: '2026-11-27', mid: 3.6987 },
        { effectiveDate: '2026-11-30', mid: 3.6931 },
        { effectiveDate: '2026-12-01', mid: 3.6612 },
      ];
    });

    it('gives Monday Friday\'s table, asked of NBP once and then kept for good', async () => {
      expect(await client.usdPlnForDay({ day: '2026-11-30' })).toEqual({ usdPln: '3.6987', source: 'nbp', effectiveDate: '2026-11-27' });
      expect(nbp.requests.at(-1)).toMatch(/\/rates\/a\/usd\/2026-11-16\/2026-11-29\/\?format=json$/);
      nbp.mode = '500';
      await restartPricingFx();
      const asked = rangeRequests();
      expect(await client.usdPlnForDay({ day: '2026-11-30' })).toEqual({ usdPln: '3.6987', source: 'nbp', effectiveDate: '2026-11-27' });
      expect(rangeRequests()).toBe(asked);
    });

    it('gives a Tuesday Monday\'s table', async () => {
      nbp.mode = 'ok';
      expect(await client.usdPlnForDay({ day: '2026-12-01' })).toEqual({ usdPln: '3.6931', source: 'nbp', effectiveDate: '2026-11-30' });
    });

    it('falls back to the last good rate before the day when NBP has no table in the 14 days (404), else to 4.0', async () => {
      nbp.history = [];
      expect(await client.usdPlnForDay({ day: '2025-06-02' })).toEqual({ usdPln: '4', source: 'fallback', effectiveDate: null });
      // Of the tables kept so far (11-26, 11-27, 11-30 from the lookups, 12-03 and 12-04 as current rates),
      // 11-30 is the last before the 3rd.
      expect(await client.usdPlnForDay({ day: '2026-12-03' })).toEqual({ usdPln: '3.6931', source: 'cache', effectiveDate: '2026-11-30' });
    });

    it('answers within 5 s from what it holds while NBP hangs', async () => {
      nbp.mode = 'hang';
      await restartPricingFx();
      const { reply, ms } = await timed(() => client.usdPlnForDay({ day: '2026-12-02' }));
      expect(reply).toEqual({ usdPln: '3.6931', source: 'cache', effectiveDate: '2026-11-30' });
      expect(ms).toBeLessThan(CALLER_LIMIT_MS);
      await failuresCounted('timeout', 'range');
    });

    it('refuses a day that is not a date, or is too far ahead to have a booking rate', async () => {
      await expect(client.usdPlnForDay({ day: '2026-13-01' })).rejects.toThrow();
      await expect(client.usdPlnForDay({ day: '2099-01-01' })).rejects.toThrow();
    });
  });
});
