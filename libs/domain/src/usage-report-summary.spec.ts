import { Rate, Usd } from './money';
import { resolveReportMonth } from './usage-report-period';
import { DayUsageTotals, MonthlySummaryInput, roundedQuotient, summarizeMonth } from './usage-report-summary';

const december = (today: string) => {
  const month = resolveReportMonth('2026-12', today);
  if (!month.ok) throw new Error(month.error);
  return month.value;
};
const day = (date: string, totalTokens: number, markup: string, totalRequests = 1): DayUsageTotals => ({
  day: date,
  totalTokens,
  totalRequests,
  markupCost: Usd.of(markup),
});
const input = (overrides: Partial<MonthlySummaryInput>): MonthlySummaryInput => ({
  month: december('2026-12-10'),
  days: [],
  models: [],
  uniqueUsers: 0,
  usdPln: Rate.of('4'),
  role: 'admin',
  ...overrides,
});

describe('summarizeMonth', () => {
  it('averages over the days elapsed and over the days with usage', () => {
    const summary = summarizeMonth(input({ days: [day('2026-12-02', 100, '0.3'), day('2026-12-05', 51, '0.0001')] }));
    expect(summary).toMatchObject({
      month: '2026-12',
      daysElapsed: 10,
      daysWithUsage: 2,
      totalTokens: 151,
      averageDailyTokens: 15, // 15.1
      averageDailyCost: '0.0300', // 0.3001 / 10 = 0.03001
      averageUsageDayTokens: 76, // 75.5 → half-up
    });
  });

  it('rounds the average daily cost half-up to 4 decimals from the exact sum', () => {
    expect(summarizeMonth(input({ month: december('2026-12-02'), days: [day('2026-12-01', 1, '0.00025')] })).averageDailyCost).toBe('0.0001'); // 0.000125 → 0.0001
    expect(summarizeMonth(input({ month: december('2026-12-01'), days: [day('2026-12-01', 1, '0.00015')] })).averageDailyCost).toBe('0.0002'); // 0.00015 → up
  });

  it('uses the whole month once it is over', () => {
    const november = resolveReportMonth('2026-11', '2026-12-10');
    if (!november.ok) throw new Error();
    const summary = summarizeMonth(input({ month: november.value, days: [day('2026-11-30', 300, '3')] }));
    expect(summary).toMatchObject({ daysElapsed: 30, averageDailyTokens: 10, averageDailyCost: '0.1000', averageUsageDayTokens: 300 });
  });

  it('reports zeros and nulls for a month without usage or still to come', () => {
    const empty = summarizeMonth(input({}));
    expect(empty).toMatchObject({ averageDailyTokens: 0, averageDailyCost: '0.0000', averageUsageDayTokens: 0, busiestDay: null, highestCostDay: null, topModels: [] });
    const future = resolveReportMonth('2027-03', '2026-12-10');
    if (!future.ok) throw new Error();
    expect(summarizeMonth(input({ month: future.value }))).toMatchObject({ daysElapsed: 0, averageDailyTokens: 0, averageDailyCost: '0.0000' });
  });

  it('finds the busiest and the costliest day, the earliest one on a tie', () => {
    const summary = summarizeMonth(
      input({ days: [day('2026-12-07', 500, '0.2'), day('2026-12-03', 500, '0.1'), day('2026-12-04', 20, '0.9'), day('2026-12-08', 1, '0.9')] }),
    );
    expect(summary.busiestDay).toEqual({ day: '2026-12-03', totalTokens: 500 });
    expect(summary.highestCostDay?.day).toBe('2026-12-04');
    expect(summary.highestCostDay?.cost.markupCost.toString()).toBe('0.9');
    expect(summary.highestCostDay?.cost.costPln).toBe('3.60');
  });

  it('has no busiest day when no day has tokens, and no costliest day when nothing cost anything', () => {
    const summary = summarizeMonth(input({ days: [day('2026-12-01', 0, '0', 3)] }));
    expect(summary).toMatchObject({ busiestDay: null, highestCostDay: null, daysWithUsage: 1, averageUsageDayTokens: 0 });
  });

  it('passes unique users through and ranks the top models', () => {
    const summary = summarizeMonth(
      input({
        uniqueUsers: 17,
        models: [
          { model: 'openai/o3', totalTokens: 5 },
          { model: 'x-ai/grok-4', totalTokens: 9 },
          { model: 'openai/gpt-4.1', totalTokens: 9 },
          { model: 'google/gemini-2.5-pro', totalTokens: 1 },
        ],
      }),
    );
    expect(summary.totalUniqueUsers).toBe(17);
    expect(summary.topModels.map((m) => m.model)).toEqual(['openai/gpt-4.1', 'x-ai/grok-4', 'openai/o3']);
  });

  it('gives members tokens but no cost figures, not even the costliest day', () => {
    const summary = summarizeMonth(input({ role: 'member', days: [day('2026-12-02', 100, '5')] }));
    expect(summary).toMatchObject({ averageDailyTokens: 10, averageDailyCost: null, highestCostDay: null, busiestDay: { day: '2026-12-02', totalTokens: 100 } });
  });
});

describe('roundedQuotient', () => {
  it.each([
    [7, 2, 4],
    [5, 2, 3],
    [1, 3, 0],
    [2, 3, 1],
    [0, 5, 0],
    [10, 0, 0],
    [9_007_199_254_740_991, 2, 4_503_599_627_370_496],
  ])('%d ÷ %d rounds half-up to %d', (dividend, divisor, expected) => {
    expect(roundedQuotient(dividend, divisor)).toBe(expected);
  });
});
