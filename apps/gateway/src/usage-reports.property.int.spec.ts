// Property: for random sets of usage events (duplicates, several orgs, time zones, month and midnight edges)
// sent through the real signed webhook and projected by the real aggregator, every report the gateway gives
// equals a plain reference computation over the same events. Decimal arithmetic and Intl only: the reference
// shares no code with the pipeline.
import Decimal from 'decimal.js';
import fc from 'fast-check';
import { SignJWT } from 'jose';
import { DEFAULT_CATALOG } from '@mai/domain';
import { FakeNbp, Pipeline, TEST_JWT_SECRET, sendWebhook, startFakeNbp, startPipeline } from '@mai/testing';

const API = '/api/v1/usage-tracking/my-organization';
const MARKUP = new Decimal('1.3'); // MARKUP_RATE's default, in force since the epoch in a fresh pipeline
const DAY_MS = 86_400_000;
const ZONES = ['UTC', 'Europe/Warsaw', 'Pacific/Auckland', 'America/Los_Angeles', 'Asia/Kathmandu', 'Pacific/Kiritimati', 'Pacific/Pago_Pago'];
const MODELS = DEFAULT_CATALOG.map((m) => m.id);
const DISPLAY = new Map(DEFAULT_CATALOG.map((m) => [m.id, m.displayName]));
const PROVIDER = new Map(DEFAULT_CATALOG.map((m) => [m.id, m.provider]));

// ---------------------------------------------------------------------------------------------------------
// Calendar helpers, written independently of libs/domain.

const dayFormat = new Map<string, Intl.DateTimeFormat>();
function localDay(instant: number, zone: string): string {
  if (!dayFormat.has(zone)) dayFormat.set(zone, new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' }));
  return dayFormat.get(zone)!.format(new Date(instant));
}
const shiftDay = (day: string, days: number) => new Date(Date.parse(`${day}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
const lastOfMonth = (month: string) => new Date(Date.UTC(Number(month.slice(0, 4)), Number(month.slice(5, 7)), 0)).toISOString().slice(0, 10);
const dayCount = (start: string, end: string) => Math.round((Date.parse(end) - Date.parse(start)) / DAY_MS) + 1;

/** The instant the org's wall clock shows 00:00 on `day` (two passes settle the zone offset). */
function localMidnight(day: string, zone: string): number {
  const utcMidnight = Date.parse(`${day}T00:00:00Z`);
  const offsetAt = (instant: number) => {
    const [d, t] = new Intl.DateTimeFormat('sv-SE', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' })
      .format(new Date(instant))
      .split(' ');
    return Date.parse(`${d}T${t}Z`) - Math.floor(instant / 1000) * 1000;
  };
  const guess = utcMidnight - offsetAt(utcMidnight);
  return utcMidnight - offsetAt(guess);
}

// ---------------------------------------------------------------------------------------------------------
// Generated scenarios.

type When = { kind: 'recent'; ageMs: number } | { kind: 'month-start'; offsetMs: number } | { kind: 'midnight'; daysAgo: number; offsetMs: number };

interface GeneratedRecord {
  org: number;
  id: number; // a small pool, so the same generation id recurs: within an org it is a duplicate
  model: string;
  cost: string | number;
  prompt: number;
  completion: number;
  when: When;
  user: string | null;
}

const costArb = fc.oneof(
  fc.constantFrom('0', '0.001', '0.0015', '0.25', '1', 0.1, 0.0961538),
  fc.bigInt({ min: 0n, max: 50_000_000_000_000n }).map((pico) => new Decimal(pico.toString()).dividedBy(1e12).toFixed()), // ≤ 50 USD, to the pico-dollar
);
const tokensArb = fc.oneof(fc.constantFrom(0, 10, 100), fc.integer({ min: 0, max: 200_000 }));
const whenArb: fc.Arbitrary<When> = fc.oneof(
  fc.record({ kind: fc.constant('recent' as const), ageMs: fc.integer({ min: 60_000, max: 34 * DAY_MS }) }),
  fc.record({ kind: fc.constant('month-start' as const), offsetMs: fc.integer({ min: -3 * 3_600_000, max: 3 * 3_600_000 }) }),
  fc.record({ kind: fc.constant('midnight' as const), daysAgo: fc.integer({ min: 0, max: 33 }), offsetMs: fc.integer({ min: -120_000, max: 120_000 }) }),
);
const recordArb = (orgs: number): fc.Arbitrary<GeneratedRecord> =>
  fc.record({
    org: fc.integer({ min: 0, max: orgs - 1 }),
    id: fc.integer({ min: 0, max: 24 }),
    model: fc.constantFrom(...MODELS),
    cost: costArb,
    prompt: tokensArb,
    completion: tokensArb,
    when: whenArb,
    user: fc.option(fc.constantFrom('alice', 'bob', 'carol', 'dave'), { nil: null }),
  });
const scenarioArb = fc.integer({ min: 1, max: 3 }).chain((orgCount) =>
  fc.record({
    orgs: fc.array(fc.record({ zone: fc.constantFrom(...ZONES), role: fc.constantFrom('admin', 'member') }), { minLength: orgCount, maxLength: orgCount }),
    records: fc.array(recordArb(orgCount), { minLength: 1, maxLength: 30 }),
    batchSize: fc.integer({ min: 1, max: 8 }),
    retryADelivery: fc.boolean(),
  }),
);

function instantOf(when: When, zone: string, now: number): number {
  const today = localDay(now, zone);
  const raw =
    when.kind === 'recent'
      ? now - when.ageMs
      : when.kind === 'month-start'
        ? localMidnight(`${today.slice(0, 7)}-01`, zone) + when.offsetMs
        : localMidnight(shiftDay(today, -when.daysAgo), zone) + when.offsetMs;
  // Ingest takes records at most 35 days old and 5 minutes ahead.
  return Math.min(Math.max(raw, now - 34.5 * DAY_MS), now - 30_000);
}

// ---------------------------------------------------------------------------------------------------------
// The reference: what the reports must say about the records that count.

interface Counted {
  model: string;
  cost: Decimal;
  tokens: number;
  day: string;
  user: string | null;
}

const usd9 = (amount: Decimal) => amount.toDecimalPlaces(9, Decimal.ROUND_HALF_UP);
const pln = (markup: Decimal, usdPln: number) => markup.times(String(usdPln)).toDecimalPlaces(2, Decimal.ROUND_HALF_UP).toNumber();

function sumBy(records: Counted[]) {
  const raw = records.reduce((sum, r) => sum.plus(r.cost), new Decimal(0));
  const markup = records.reduce((sum, r) => sum.plus(r.cost.times(MARKUP)), new Decimal(0));
  return { raw, markup, tokens: records.reduce((sum, r) => sum + r.tokens, 0), requests: records.length };
}

function money(raw: Decimal, markup: Decimal, usdPln: number, member: boolean) {
  return member
    ? { raw_cost: null, markup_cost: null, cost_pln: null }
    : { raw_cost: usd9(raw).toNumber(), markup_cost: usd9(markup).toNumber(), cost_pln: pln(markup, usdPln) };
}

function referenceBreakdown(records: Counted[], start: string, end: string, usdPln: number, member: boolean) {
  const inRange = records.filter((r) => r.day >= start && r.day <= end);
  const lines = MODELS.map((model) => {
    const mine = inRange.filter((r) => r.model === model);
    const { raw, markup, tokens, requests } = sumBy(mine);
    return { model, markup9: usd9(markup), tokens, row: { model_name: model, display_name: DISPLAY.get(model), provider: PROVIDER.get(model), total_tokens: tokens, total_requests: requests, ...money(raw, markup, usdPln, member), days_used: new Set(mine.map((r) => r.day)).size } };
  });
  lines.sort((a, b) => {
    const [aPaid, bPaid] = [a.markup9.gt(0), b.markup9.gt(0)];
    if (aPaid !== bPaid) return aPaid ? -1 : 1;
    if (aPaid && !a.markup9.eq(b.markup9)) return b.markup9.cmp(a.markup9);
    if (aPaid && a.tokens !== b.tokens) return b.tokens - a.tokens;
    return a.model < b.model ? -1 : 1;
  });
  const all = sumBy(inRange);
  return { model_usage: lines.map((l) => l.row), totals: { total_tokens: all.tokens, total_requests: all.requests, ...money(all.raw, all.markup, usdPln, member) } };
}

function referenceTop(records: Counted[], start: string, end: string) {
  const tokens = new Map<string, number>();
  for (const r of records) if (r.day >= start && r.day <= end) tokens.set(r.model, (tokens.get(r.model) ?? 0) + r.tokens);
  return [...tokens]
    .filter(([, t]) => t > 0)
    .sort(([am, at], [bm, bt]) => bt - at || (am < bm ? -1 : 1))
    .slice(0, 3)
    .map(([model, total]) => ({ model_name: model, display_name: DISPLAY.get(model), total_tokens: total }));
}

function referenceDaily(records: Counted[], start: string, end: string, usdPln: number, member: boolean) {
  const groups = new Map<string, Counted[]>();
  for (const r of records) if (r.day >= start && r.day <= end) groups.set(`${r.day} ${r.model}`, [...(groups.get(`${r.day} ${r.model}`) ?? []), r]);
  return [...groups.keys()].sort().map((key) => {
    const [day, model] = key.split(' ');
    const { raw, markup, tokens, requests } = sumBy(groups.get(key)!);
    return { date: day, model_name: model, display_name: DISPLAY.get(model), provider: PROVIDER.get(model), total_tokens: tokens, total_requests: requests, ...money(raw, markup, usdPln, member) };
  });
}

function referenceMonth(records: Counted[], month: string, today: string, usdPln: number, member: boolean) {
  const [start, end] = [`${month}-01`, lastOfMonth(month)];
  const elapsed = month < today.slice(0, 7) ? dayCount(start, end) : month === today.slice(0, 7) ? dayCount(start, today) : 0;
  const inMonth = records.filter((r) => r.day >= start && r.day <= end);
  const days = [...new Set(inMonth.map((r) => r.day))].sort().map((day) => ({ day, ...sumBy(inMonth.filter((r) => r.day === day)) }));
  const all = sumBy(inMonth);
  let busiest: (typeof days)[number] | undefined;
  let costliest: (typeof days)[number] | undefined;
  for (const d of days) {
    if (d.tokens > 0 && (!busiest || d.tokens > busiest.tokens)) busiest = d;
    if (d.markup.gt(0) && (!costliest || d.markup.gt(costliest.markup))) costliest = d;
  }
  return {
    month,
    days_elapsed: elapsed,
    days_with_usage: days.length,
    average_daily_tokens: elapsed ? Math.round(all.tokens / elapsed) : 0,
    average_daily_cost: member ? null : elapsed ? all.markup.dividedBy(elapsed).toDecimalPlaces(4, Decimal.ROUND_HALF_UP).toNumber() : 0,
    average_usage_day_tokens: days.length ? Math.round(all.tokens / days.length) : 0,
    busiest_day: busiest ? { date: busiest.day, total_tokens: busiest.tokens } : null,
    highest_cost_day: member || !costliest ? null : { date: costliest.day, markup_cost: usd9(costliest.markup).toNumber(), cost_pln: pln(costliest.markup, usdPln) },
    total_unique_users: new Set(inMonth.map((r) => r.user).filter((u) => u !== null)).size,
    top_models: referenceTop(records, start, end),
  };
}

// ---------------------------------------------------------------------------------------------------------

describe('property: the reports equal a reference computation over the events sent', () => {
  let nbp: FakeNbp;
  let pipeline: Pipeline;
  let gatewayUrl: string;
  let run = 0;

  beforeAll(async () => {
    nbp = await startFakeNbp();
    pipeline = await startPipeline(['pricing-fx', 'ingest', 'aggregator', 'gateway'], { NBP_API_URL: nbp.url });
    gatewayUrl = pipeline.services.gateway!.url;
  });
  afterAll(async () => {
    await pipeline?.stop();
    await nbp?.close();
  });

  // Answers are compared with the reference as whole objects, so they stay untyped here.
  async function ask(path: string, token: string): Promise<any> {
    const response = await fetch(`${gatewayUrl}${API}${path}`, { headers: { authorization: `Bearer ${token}` } });
    const body = response.headers.get('content-type')?.startsWith('application/json') ? await response.json() : await response.text();
    if (response.status !== 200) throw new Error(`${path} answered ${response.status}: ${JSON.stringify(body)}`);
    return body;
  }

  it('for random events across orgs, zones, month edges and duplicates', async () => {
    await fc.assert(
      fc.asyncProperty(scenarioArb, async (scenario) => {
        run += 1;
        const now = Date.now();
        const orgs = await Promise.all(
          scenario.orgs.map(async ({ zone, role }, i) => {
            const orgId = `prop-${run}-${i}`;
            const secret = await pipeline.createOrg(orgId, zone);
            const iat = Math.floor(now / 1000);
            const token = await new SignJWT({ org: orgId, role })
              .setProtectedHeader({ alg: 'HS256' })
              .setSubject(`viewer-${run}-${i}`)
              .setIssuer('mai-usage')
              .setAudience('mai-dashboard')
              .setIssuedAt(iat)
              .setExpirationTime(iat + 600)
              .sign(new TextEncoder().encode(TEST_JWT_SECRET));
            return { orgId, zone, member: role === 'member', secret, token };
          }),
        );

        // Send in order, in deliveries of `batchSize` records per org; the first accepted version of an id stands.
        const counted: Counted[][] = orgs.map(() => []);
        const seen = orgs.map(() => new Set<number>());
        const deliveries: { org: number; body: object[] }[] = [];
        for (const record of scenario.records) {
          const instant = instantOf(record.when, orgs[record.org].zone, now);
          const body = {
            id: `gen-${record.id}`,
            model: record.model,
            total_cost: record.cost,
            native_tokens_prompt: record.prompt,
            native_tokens_completion: record.completion,
            created_at: new Date(instant).toISOString(),
            ...(record.user === null ? {} : { user: record.user }),
          };
          const open = deliveries.findLast((d) => d.org === record.org);
          if (open && open.body.length < scenario.batchSize) open.body.push(body);
          else deliveries.push({ org: record.org, body: [body] });
          if (!seen[record.org].has(record.id)) {
            seen[record.org].add(record.id);
            counted[record.org].push({ model: record.model, cost: new Decimal(String(record.cost)), tokens: record.prompt + record.completion, day: localDay(instant, orgs[record.org].zone), user: record.user });
          }
        }
        for (const [index, delivery] of deliveries.entries()) {
          const org = orgs[delivery.org];
          const send = () => sendWebhook(pipeline.ingestUrl, org.orgId, org.secret, `run${run}-d${index}`, { data: delivery.body });
          expect((await send()).status).toBe(202);
          if (scenario.retryADelivery && index === 0) expect((await send()).status).toBe(202); // a sender's retry: same webhook-id
        }
        for (const [i, org] of orgs.entries()) if (counted[i].length > 0) await pipeline.waitForRequests(org.orgId, counted[i].length);

        for (const [i, org] of orgs.entries()) {
          const records = counted[i];
          const today = localDay(Date.now(), org.zone);
          const [windowStart, month, previousMonth] = [shiftDay(today, -35), today.slice(0, 7), shiftDay(`${today.slice(0, 7)}-01`, -1).slice(0, 7)];

          const wide = await ask(`/usage-by-model?start=${windowStart}&end=${today}`, org.token);
          const rate = wide.exchange_rate.usd_pln;
          expect(wide.period).toEqual({ start: windowStart, end: today, timezone: org.zone });
          expect({ model_usage: wide.model_usage, totals: wide.totals }).toEqual(referenceBreakdown(records, windowStart, today, rate, org.member));

          const daily = await ask(`/usage-by-model/daily?start=${windowStart}&end=${today}`, org.token);
          expect(daily.daily_usage).toEqual(referenceDaily(records, windowStart, today, daily.exchange_rate.usd_pln, org.member));

          const before = localDay(Date.now(), org.zone);
          const [thisMonth, top, current, previous] = await Promise.all([
            ask('/usage-by-model', org.token),
            ask('/top-models', org.token),
            ask('/monthly-summary', org.token),
            ask(`/monthly-summary?month=${previousMonth}`, org.token),
          ]);
          if (localDay(Date.now(), org.zone) !== before) continue; // midnight passed mid-check: "this month" moved
          const monthStart = `${month}-01`;
          expect(thisMonth.period).toEqual({ start: monthStart, end: today, timezone: org.zone });
          expect({ model_usage: thisMonth.model_usage, totals: thisMonth.totals }).toEqual(referenceBreakdown(records, monthStart, today, thisMonth.exchange_rate.usd_pln, org.member));
          expect(top.top_models).toEqual(referenceTop(records, monthStart, today));
          for (const [answer, m] of [[current, month], [previous, previousMonth]] as const) {
            const { success, period, exchange_rate, ...figures } = answer;
            expect({ success, period }).toEqual({ success: true, period: { start: `${m}-01`, end: lastOfMonth(m), timezone: org.zone } });
            expect(figures).toEqual(referenceMonth(records, m, today, exchange_rate.usd_pln, org.member));
          }

          const csv: string = await ask(`/usage-by-model.csv?start=${windowStart}&end=${today}`, org.token);
          const csvRows = csv.trimEnd().split('\r\n').slice(1).map((line) => line.split(','));
          expect(csvRows.map((cells) => [cells[0], Number(cells[3]), Number(cells[4])])).toEqual(wide.model_usage.map((m: any) => [m.model_name, m.total_tokens, m.total_requests]));
        }
      }),
      // Each run is a few webhooks and a dozen reports against real processes: keep it to a handful on 2 cores,
      // and report a failure as found instead of spending minutes shrinking it against the pipeline.
      { numRuns: 40, endOnFailure: true },
    );
  });
});
