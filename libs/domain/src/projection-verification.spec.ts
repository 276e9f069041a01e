import { DailyModelUsage, OrgUsageRecord, foldUsage } from './daily-usage';
import { Usd } from './money';
import { ReplayedUsage, compareProjection, describeDrift, hasDrift } from './projection-verification';
import { UsageRecord } from './usage-event';

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
  user: 'u1',
  ...overrides,
});
const entry = (orgId: string, overrides: Partial<UsageRecord> = {}): OrgUsageRecord => ({ orgId, record: record(overrides) });

describe('ReplayedUsage: the stream folded in memory', () => {
  it('counts the first version of a generation id across batches; later copies never count', () => {
    const replay = new ReplayedUsage();
    replay.add([entry('acme', { generationId: 'a', rawCostUsd: '0.1' }), entry('acme', { generationId: 'a', rawCostUsd: '9' })]);
    replay.add([entry('acme', { generationId: 'a', rawCostUsd: '5' }), entry('acme', { generationId: 'b', rawCostUsd: '0.2' })]);
    const { daily } = replay.content();
    expect(daily).toHaveLength(1);
    expect(daily[0].requests).toBe(2);
    expect(daily[0].rawCost.toString()).toBe('0.3');
    expect(replay.records).toBe(2);
    expect(replay.duplicates).toBe(2);
  });

  it('the same generation id in two orgs is two generations', () => {
    const replay = new ReplayedUsage();
    replay.add([entry('acme', { generationId: 'a' })]);
    replay.add([entry('zeta', { generationId: 'a' })]);
    expect(replay.content().daily.map((row) => row.orgId)).toEqual(['acme', 'zeta']);
  });

  it('folding in batches equals folding all at once', () => {
    const entries = Array.from({ length: 50 }, (_, i) =>
      entry(i % 3 ? 'acme' : 'zeta', { generationId: `g${i % 40}`, usageDay: `2026-12-0${1 + (i % 5)}`, rawCostUsd: `0.00${i}`, user: `u${i % 7}` }),
    );
    const replay = new ReplayedUsage();
    for (let i = 0; i < entries.length; i += 7) replay.add(entries.slice(i, i + 7));
    const seen = new Set<string>();
    const once = entries.filter((e) => !seen.has(`${e.orgId}/${e.record.generationId}`) && seen.add(`${e.orgId}/${e.record.generationId}`));
    const expected = foldUsage(once);
    expect(replay.content().daily).toEqual(expected.daily);
    expect(replay.content().monthlyUsers).toEqual(expected.monthlyUsers);
  });

  it('narrows to one org and one month', () => {
    const replay = new ReplayedUsage();
    replay.add([
      entry('acme', { generationId: '1', usageDay: '2026-11-30' }),
      entry('acme', { generationId: '2', usageDay: '2026-12-01' }),
      entry('zeta', { generationId: '3', usageDay: '2026-12-01' }),
    ]);
    const content = replay.content({ orgId: 'acme', month: '2026-12' });
    expect(content.daily.map((row) => `${row.orgId} ${row.usageDay}`)).toEqual(['acme 2026-12-01']);
    expect(content.monthlyUsers).toEqual([{ orgId: 'acme', month: '2026-12', user: 'u1' }]);
  });
});

describe('compareProjection', () => {
  const folded = foldUsage([
    entry('acme', { generationId: 'a' }),
    entry('acme', { generationId: 'b', model: 'x-ai/grok-4', user: 'u2' }),
    entry('acme', { generationId: 'c', usageDay: '2026-12-05' }),
  ]);
  const stream = { daily: folded.daily, monthlyUsers: folded.monthlyUsers };

  it('equal content: no drift, and decimals compare by value (1.50 = 1.5)', () => {
    const projected = { ...stream, daily: stream.daily.map((row) => ({ ...row, rawCost: Usd.of(`${row.rawCost.toString()}000`) })) };
    const drift = compareProjection(projected, stream);
    expect(hasDrift(drift)).toBe(false);
    expect(drift.comparedRows).toBe(3);
    expect(drift.comparedMonths).toBe(1);
  });

  it('a changed field is reported with both values', () => {
    const corrupted: DailyModelUsage[] = stream.daily.map((row, i) => (i === 0 ? { ...row, requests: row.requests + 1, markupCost: Usd.of('1') } : row));
    const drift = compareProjection({ ...stream, daily: corrupted }, stream);
    expect(drift.rows).toEqual([
      {
        orgId: 'acme',
        usageDay: '2026-12-04',
        model: 'openai/o3',
        kind: 'different',
        differences: [
          { field: 'requests', projected: '2', replayed: '1' },
          { field: 'markup_cost', projected: '1', replayed: '0.13' },
        ],
      },
    ]);
    expect(describeDrift(drift)).toEqual(['drift acme 2026-12-04 openai/o3: differs: requests projected 2, stream 1; markup_cost projected 1, stream 0.13']);
  });

  it('rows missing from the projection and rows the stream never had', () => {
    const extra = { ...stream.daily[0], orgId: 'ghost' };
    const drift = compareProjection({ ...stream, daily: [...stream.daily.slice(1), extra] }, stream);
    expect(drift.rows.map((row) => [row.orgId, row.usageDay, row.model, row.kind])).toEqual([
      ['acme', '2026-12-04', 'openai/o3', 'missing'],
      ['ghost', '2026-12-04', 'openai/o3', 'unexpected'],
    ]);
    expect(drift.rows[0].differences.find((d) => d.field === 'requests')).toEqual({ field: 'requests', projected: '0', replayed: '1' });
  });

  it('distinct users per org-month, as counts', () => {
    const drift = compareProjection({ ...stream, monthlyUsers: [{ orgId: 'acme', month: '2026-12', user: 'u1' }, { orgId: 'acme', month: '2026-12', user: 'intruder' }] }, stream);
    expect(drift.users).toEqual([{ orgId: 'acme', month: '2026-12', projected: 2, replayed: 2, missing: 1, unexpected: 1 }]);
    expect(describeDrift(drift)).toEqual(['drift acme 2026-12 users: projected 2, stream 2 (1 missing, 1 not in the stream)']);
  });
});
