import fc from 'fast-check';
import { DEFAULT_CATALOG } from './catalog';
import { Rate, Usd } from './money';
import { ModelUsageTotals, buildDailyUsage, buildUsageBreakdown, rankTopModels, reportedUsd } from './usage-report-breakdown';

const usd = Usd.of;
const rate = Rate.of('3.6521');
const markup = Rate.of('1.3');

function used(model: string, raw: string, tokens: number, requests = 1, daysUsed = 1): ModelUsageTotals {
  return { model, totalTokens: tokens, totalRequests: requests, rawCost: usd(raw), markupCost: usd(raw).times(markup), daysUsed };
}

describe('buildUsageBreakdown', () => {
  it('lists every catalog model, with zeros where unused, the unused ones by model id', () => {
    const { lines, totals } = buildUsageBreakdown({ catalog: DEFAULT_CATALOG, usage: [], usdPln: rate, role: 'admin' });
    expect(lines.map((l) => l.model)).toEqual(DEFAULT_CATALOG.map((m) => m.id).sort());
    expect(lines).toHaveLength(12);
    for (const line of lines) {
      expect(line).toMatchObject({ totalTokens: 0, totalRequests: 0, daysUsed: 0 });
      expect(line.cost?.markupCost.isZero()).toBe(true);
      expect(line.cost?.costPln).toBe('0.00');
    }
    expect(totals).toMatchObject({ totalTokens: 0, totalRequests: 0 });
    expect(totals.cost?.costPln).toBe('0.00');
  });

  it('carries display name and provider from the catalog', () => {
    const { lines } = buildUsageBreakdown({ catalog: DEFAULT_CATALOG, usage: [used('x-ai/grok-4', '1', 10)], usdPln: rate, role: 'admin' });
    expect(lines[0]).toMatchObject({ model: 'x-ai/grok-4', displayName: 'Grok 4', provider: 'xAI', totalTokens: 10, daysUsed: 1 });
  });

  it('orders paid models by markup desc, then tokens desc, then model id; then the rest by model id', () => {
    const usage = [
      used('openai/o3', '0.5', 100),
      used('google/gemini-2.5-pro', '1', 5),
      used('anthropic/claude-sonnet-4', '0.5', 100), // same cost and tokens as o3: model id decides
      used('openai/gpt-4.1', '0.5', 900), // same cost, more tokens: before both
      used('x-ai/grok-4', '0', 10_000), // tokens but no cost: among the rest
    ];
    const { lines } = buildUsageBreakdown({ catalog: DEFAULT_CATALOG, usage, usdPln: rate, role: 'admin' });
    expect(lines.map((l) => l.model).slice(0, 4)).toEqual(['google/gemini-2.5-pro', 'openai/gpt-4.1', 'anthropic/claude-sonnet-4', 'openai/o3']);
    const rest = lines.slice(4).map((l) => l.model);
    expect(rest).toEqual([...rest].sort());
    expect(rest).toContain('x-ai/grok-4');
  });

  it('compares markup as reported: amounts equal to 1e-9 tie and fall through to tokens', () => {
    const a: ModelUsageTotals = { ...used('openai/o3', '0', 1), markupCost: usd('0.1000000001') };
    const b: ModelUsageTotals = { ...used('openai/gpt-4.1', '0', 2), markupCost: usd('0.1000000004') };
    const { lines } = buildUsageBreakdown({ catalog: DEFAULT_CATALOG, usage: [a, b], usdPln: rate, role: 'admin' });
    expect(lines.slice(0, 2).map((l) => l.model)).toEqual(['openai/gpt-4.1', 'openai/o3']);
  });

  it('puts a markup that reports as 0 among the unpaid models', () => {
    const tiny: ModelUsageTotals = { ...used('x-ai/grok-4', '0', 5), markupCost: usd('0.0000000004') };
    const { lines } = buildUsageBreakdown({ catalog: DEFAULT_CATALOG, usage: [tiny, used('openai/o3', '0.01', 1)], usdPln: rate, role: 'admin' });
    expect(lines[0].model).toBe('openai/o3');
    expect(lines.slice(1).map((l) => l.model)).toEqual(DEFAULT_CATALOG.map((m) => m.id).filter((id) => id !== 'openai/o3').sort());
  });

  it('prices PLN from the exact markup, half-up to the grosz, per line and for the totals', () => {
    // 0.0961538 × 1.3 = 0.12499994 USD → × 3.6521 = 0.45650728… PLN
    const { lines, totals } = buildUsageBreakdown({ catalog: DEFAULT_CATALOG, usage: [used('anthropic/claude-sonnet-4', '0.0961538', 15_750, 45, 12)], usdPln: rate, role: 'admin' });
    expect(lines[0].cost?.markupCost.toString()).toBe('0.12499994');
    expect(lines[0].cost?.costPln).toBe('0.46');
    expect(totals.cost?.costPln).toBe('0.46');
    // 0.5 × 4.01 = 2.005 exactly: half-up gives 2.01 where a float gives 2.00
    const half = buildUsageBreakdown({ catalog: DEFAULT_CATALOG, usage: [{ ...used('openai/o3', '0', 1), markupCost: usd('0.5') }], usdPln: Rate.of('4.01'), role: 'admin' });
    expect(half.lines[0].cost?.costPln).toBe('2.01');
  });

  it('computes the totals PLN from the total markup, not by adding rounded lines', () => {
    // Each line is 0.004 PLN (rounds to 0.00); three of them are 0.012 PLN (0.01).
    const usage = ['openai/o3', 'openai/gpt-4.1', 'x-ai/grok-4'].map((model) => ({ ...used(model, '0', 1), markupCost: usd('0.001') }));
    const { lines, totals } = buildUsageBreakdown({ catalog: DEFAULT_CATALOG, usage, usdPln: Rate.of('4'), role: 'admin' });
    expect(lines.slice(0, 3).map((l) => l.cost?.costPln)).toEqual(['0.00', '0.00', '0.00']);
    expect(totals.cost?.costPln).toBe('0.01');
    expect(totals.cost?.markupCost.toString()).toBe('0.003');
  });

  it('sums exactly: no binary floating point drift over many lines', () => {
    const usage = DEFAULT_CATALOG.map((m) => used(m.id, '0.1', 1));
    const { totals } = buildUsageBreakdown({ catalog: DEFAULT_CATALOG, usage, usdPln: rate, role: 'admin' });
    expect(totals.cost?.rawCost.toString()).toBe('1.2');
    expect(totals.cost?.markupCost.toString()).toBe('1.56');
    expect(totals).toMatchObject({ totalTokens: 12, totalRequests: 12 });
  });

  it('keeps a model that left the catalog but has usage, so the totals still add up', () => {
    const { lines, totals } = buildUsageBreakdown({ catalog: DEFAULT_CATALOG, usage: [used('meta/llama-retired', '0.2', 7)], usdPln: rate, role: 'admin' });
    expect(lines).toHaveLength(13);
    expect(lines[0]).toMatchObject({ model: 'meta/llama-retired', displayName: 'meta/llama-retired', provider: 'meta' });
    expect(totals.totalTokens).toBe(7);
  });

  it('shows members tokens and requests in the same order, with every cost null', () => {
    const usage = [used('openai/o3', '0.5', 100, 3), used('google/gemini-2.5-pro', '1', 5, 2)];
    const admin = buildUsageBreakdown({ catalog: DEFAULT_CATALOG, usage, usdPln: rate, role: 'admin' });
    const member = buildUsageBreakdown({ catalog: DEFAULT_CATALOG, usage, usdPln: rate, role: 'member' });
    expect(member.lines.map((l) => l.model)).toEqual(admin.lines.map((l) => l.model));
    expect(member.lines.every((l) => l.cost === null)).toBe(true);
    expect(member.totals).toEqual({ totalTokens: 105, totalRequests: 5, cost: null });
    expect(member.lines[0]).toMatchObject({ totalTokens: 5, totalRequests: 2 });
  });

  it('always has each catalog model once and an order that agrees with the rule, for any usage', () => {
    const models = DEFAULT_CATALOG.map((m) => m.id);
    const usageArb = fc.uniqueArray(
      fc.record({ model: fc.constantFrom(...models), nanos: fc.integer({ min: 0, max: 3 }), tokens: fc.integer({ min: 0, max: 3 }) }),
      { selector: (u) => u.model },
    );
    fc.assert(
      fc.property(usageArb, (usage) => {
        const totals = usage.map((u) => ({ ...used(u.model, '0', u.tokens), markupCost: usd((u.nanos / 1e9).toFixed(9)) }));
        const { lines } = buildUsageBreakdown({ catalog: DEFAULT_CATALOG, usage: totals, usdPln: rate, role: 'admin' });
        expect(lines.map((l) => l.model).sort()).toEqual([...models].sort());
        // Adjacent lines must be strictly in order under the contract's rule, written here independently.
        const rank = (l: (typeof lines)[number]) => {
          const nanos = Number(reportedUsd(l.cost!.markupCost).toFixed(9).replace('.', ''));
          return nanos > 0 ? [0, -nanos, -l.totalTokens] : [1, 0, 0];
        };
        for (let i = 1; i < lines.length; i++) {
          const [a, b] = [rank(lines[i - 1]), rank(lines[i])];
          const byNumbers = a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
          expect(byNumbers < 0 || (byNumbers === 0 && lines[i - 1].model < lines[i].model)).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('rankTopModels', () => {
  it('takes at most three models with tokens, by tokens desc, ties by model id', () => {
    const usage = [
      { model: 'b/model', totalTokens: 50 },
      { model: 'a/model', totalTokens: 50 },
      { model: 'c/model', totalTokens: 70 },
      { model: 'd/model', totalTokens: 10 },
      { model: 'e/model', totalTokens: 0 },
    ];
    expect(rankTopModels(usage)).toEqual([
      { model: 'c/model', totalTokens: 70 },
      { model: 'a/model', totalTokens: 50 },
      { model: 'b/model', totalTokens: 50 },
    ]);
  });

  it('returns fewer than three, or none, when fewer models have tokens', () => {
    expect(rankTopModels([{ model: 'a/x', totalTokens: 1 }, { model: 'b/x', totalTokens: 0 }])).toEqual([{ model: 'a/x', totalTokens: 1 }]);
    expect(rankTopModels([])).toEqual([]);
  });
});

describe('buildDailyUsage', () => {
  const row = (usageDay: string, model: string, raw: string, tokens: number) => ({
    usageDay,
    model,
    totalTokens: tokens,
    requests: 2,
    rawCost: usd(raw),
    markupCost: usd(raw).times(markup),
  });

  it('lists one line per day and model, by day then model id, with costs for admins', () => {
    const lines = buildDailyUsage({
      catalog: DEFAULT_CATALOG,
      rows: [row('2026-12-02', 'openai/o3', '1', 5), row('2026-12-01', 'x-ai/grok-4', '0.5', 3), row('2026-12-01', 'openai/o3', '0.1', 1)],
      usdPln: rate,
      role: 'admin',
    });
    expect(lines.map((l) => [l.day, l.model])).toEqual([
      ['2026-12-01', 'openai/o3'],
      ['2026-12-01', 'x-ai/grok-4'],
      ['2026-12-02', 'openai/o3'],
    ]);
    expect(lines[2]).toMatchObject({ displayName: 'O3', provider: 'OpenAI', totalTokens: 5, totalRequests: 2 });
    expect(lines[2].cost?.markupCost.toString()).toBe('1.3');
    expect(lines[2].cost?.costPln).toBe('4.75'); // 1.3 × 3.6521 = 4.74773
  });

  it('hides costs from members', () => {
    const [line] = buildDailyUsage({ catalog: DEFAULT_CATALOG, rows: [row('2026-12-01', 'openai/o3', '1', 5)], usdPln: rate, role: 'member' });
    expect(line).toMatchObject({ totalTokens: 5, cost: null });
  });
});
