import fc from 'fast-check';
import { OrgUsageRecord, firstOfEachGeneration, foldUsage, usageRecordsOf } from './daily-usage';
import { Rate, Usd } from './money';
import { UsageRecord, UsageRecorded } from './usage-event';

const record = (overrides: Partial<UsageRecord> = {}): UsageRecord => ({
  generationId: 'gen-1',
  model: 'openai/o3',
  provider: 'OpenAI',
  rawCostUsd: '0.1',
  markupRate: '1.3',
  promptTokens: 100,
  completionTokens: 20,
  occurredAt: '2026-12-04T10:00:00.000Z',
  usageDay: '2026-12-04',
  user: null,
  ...overrides,
});
const entry = (orgId: string, overrides: Partial<UsageRecord> = {}): OrgUsageRecord => ({ orgId, record: record(overrides) });

// given(records).when(folded).then(rows): the projection specified as data.
describe('foldUsage', () => {
  it('sums tokens, requests and exact costs per (org, day, model)', () => {
    const delta = foldUsage([
      entry('acme', { generationId: 'a', rawCostUsd: '0.1' }),
      entry('acme', { generationId: 'b', rawCostUsd: '0.2', promptTokens: 1, completionTokens: 2 }),
    ]);
    expect(delta.daily).toHaveLength(1);
    const [row] = delta.daily;
    expect({ ...row, rawCost: row.rawCost.toString(), markupCost: row.markupCost.toString() }).toEqual({
      orgId: 'acme',
      usageDay: '2026-12-04',
      model: 'openai/o3',
      promptTokens: 101,
      completionTokens: 22,
      totalTokens: 123,
      requests: 2,
      rawCost: '0.3', // not 0.30000000000000004
      markupCost: '0.39',
    });
  });

  it('keeps each record\'s own markup rate (a markup change never re-prices history)', () => {
    const [row] = foldUsage([entry('acme', { generationId: 'a', rawCostUsd: '1', markupRate: '1.3' }), entry('acme', { generationId: 'b', rawCostUsd: '1', markupRate: '1.5' })]).daily;
    expect(row.markupCost.toString()).toBe('2.8');
  });

  it('separates orgs, days and models, sorted by (org, day, model) for lock ordering', () => {
    const delta = foldUsage([
      entry('zeta', { generationId: '1' }),
      entry('acme', { generationId: '2', model: 'x-ai/grok-4' }),
      entry('acme', { generationId: '3', usageDay: '2026-12-03' }),
      entry('acme', { generationId: '4', model: 'anthropic/claude-sonnet-4' }),
    ]);
    expect(delta.daily.map((r) => `${r.orgId} ${r.usageDay} ${r.model}`)).toEqual([
      'acme 2026-12-03 openai/o3',
      'acme 2026-12-04 anthropic/claude-sonnet-4',
      'acme 2026-12-04 x-ai/grok-4',
      'zeta 2026-12-04 openai/o3',
    ]);
  });

  it('collects each month\'s distinct users of the org\'s calendar', () => {
    const delta = foldUsage([
      entry('acme', { generationId: '1', user: 'u1' }),
      entry('acme', { generationId: '2', user: 'u1' }),
      entry('acme', { generationId: '3', user: 'u2', usageDay: '2026-11-30' }),
      entry('acme', { generationId: '4', user: null }),
    ]);
    expect(delta.monthlyUsers).toEqual([
      { orgId: 'acme', month: '2026-11', user: 'u2' },
      { orgId: 'acme', month: '2026-12', user: 'u1' },
    ]);
  });

  it('prices record by record: the same exact sums as multiplying each record by its own rate', () => {
    // The plain definition, one multiplication per record, against which the grouped fold is checked.
    const reference = (entries: OrgUsageRecord[]) => {
      const rows = new Map<string, { raw: Usd; markup: Usd; tokens: number; requests: number }>();
      for (const { orgId, record } of entries) {
        const key = `${orgId} ${record.usageDay} ${record.model}`;
        const row = rows.get(key) ?? { raw: Usd.zero, markup: Usd.zero, tokens: 0, requests: 0 };
        const raw = Usd.of(record.rawCostUsd);
        rows.set(key, { raw: row.raw.plus(raw), markup: row.markup.plus(raw.times(Rate.of(record.markupRate))), tokens: row.tokens + record.promptTokens + record.completionTokens, requests: row.requests + 1 });
      }
      return [...rows].sort(([a], [b]) => (a < b ? -1 : 1)).map(([key, row]) => [key, row.raw.toString(), row.markup.toString(), row.tokens, row.requests]);
    };
    const decimal = (max: number, places: number) => fc.tuple(fc.integer({ min: 0, max }), fc.integer({ min: 0, max: 10 ** places - 1 })).map(([whole, fraction]) => `${whole}.${String(fraction).padStart(places, '0')}`);
    const generated = fc.array(
      fc.record({
        orgId: fc.constantFrom('acme', 'beta'),
        model: fc.constantFrom('openai/o3', 'x-ai/grok-4'),
        usageDay: fc.constantFrom('2026-12-03', '2026-12-04'),
        rawCostUsd: fc.oneof(decimal(10_000, 12), fc.constantFrom('0', '0.000000000001', '9999.999999999999')),
        markupRate: fc.oneof(fc.constantFrom('1.3', '1.5', '1'), decimal(999_999, 12)),
        promptTokens: fc.integer({ min: 0, max: 100_000_000 }),
      }),
      { maxLength: 200 },
    );
    fc.assert(
      fc.property(generated, (drawn) => {
        const entries = drawn.map((d, i) => entry(d.orgId, { generationId: String(i), model: d.model, usageDay: d.usageDay, rawCostUsd: d.rawCostUsd, markupRate: d.markupRate, promptTokens: d.promptTokens }));
        const folded = foldUsage(entries).daily.map((r) => [`${r.orgId} ${r.usageDay} ${r.model}`, r.rawCost.toString(), r.markupCost.toString(), r.totalTokens, r.requests]);
        expect(folded).toEqual(reference(entries));
      }),
      { numRuns: 300 },
    );
  });

  it('gives the same rows whatever the order of the records', () => {
    const entries = Array.from({ length: 50 }, (_, i) => entry(i % 2 ? 'acme' : 'beta', { generationId: String(i), rawCostUsd: `0.0${i}`, model: i % 3 ? 'openai/o3' : 'x-ai/grok-4' }));
    const forward = foldUsage(entries);
    const backward = foldUsage([...entries].reverse());
    expect(backward.daily.map((r) => [r.orgId, r.model, r.rawCost.toString(), r.requests])).toEqual(forward.daily.map((r) => [r.orgId, r.model, r.rawCost.toString(), r.requests]));
  });
});

describe('firstOfEachGeneration', () => {
  it('keeps the first version of a generation id within an org; the same id in another org is another generation', () => {
    const first = entry('acme', { generationId: 'g', rawCostUsd: '1' });
    const resent = entry('acme', { generationId: 'g', rawCostUsd: '99' });
    const otherOrg = entry('beta', { generationId: 'g' });
    const { unique, duplicates } = firstOfEachGeneration([first, resent, otherOrg]);
    expect(unique).toEqual([first, otherOrg]);
    expect(duplicates).toEqual([resent]);
  });
});

describe('usageRecordsOf', () => {
  it('yields every record of a UsageRecorded event with its org', () => {
    const event: UsageRecorded = {
      type: 'UsageRecorded',
      version: 1,
      data: { orgId: 'acme', timeZone: 'UTC', records: [record({ generationId: 'a' }), record({ generationId: 'b' })] },
      metadata: { source: 'webhook', deliveryId: 'd', receivedAt: '2026-12-04T10:00:00.000Z' },
    };
    expect(usageRecordsOf(event).map((e) => `${e.orgId}/${e.record.generationId}`)).toEqual(['acme/a', 'acme/b']);
  });
});
