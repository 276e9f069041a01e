// The monthly summary cards (contract §5): averages over the days elapsed, the busiest and the costliest day,
// unique users and the top models. Days are the org's calendar days; money stays exact until it is reported.
import { CalendarDay, CalendarMonth } from './calendar';
import { Rate, Usd, sumUsd } from './money';
import { CostFigures, ModelUsageTotals, TopModel, ViewerRole, costFigures, rankTopModels } from './usage-report-breakdown';
import { ReportMonth } from './usage-report-period';

/** All models' usage on one day. */
export interface DayUsageTotals {
  readonly day: CalendarDay;
  readonly totalTokens: number;
  readonly totalRequests: number;
  readonly markupCost: Usd;
}

export const AVERAGE_DAILY_COST_DECIMALS = 4;

export interface MonthlySummary {
  readonly month: CalendarMonth;
  readonly daysElapsed: number;
  /** Days of the month with at least one request. */
  readonly daysWithUsage: number;
  readonly totalTokens: number;
  /** Month's tokens ÷ days elapsed, rounded half-up; 0 before the month starts. */
  readonly averageDailyTokens: number;
  /** Month's markup USD ÷ days elapsed, rounded half-up to 4 decimals; null for members. */
  readonly averageDailyCost: string | null;
  /** Month's tokens ÷ days with usage, rounded half-up; 0 without usage. */
  readonly averageUsageDayTokens: number;
  /** The day with most tokens (the earliest on a tie); null when no day has tokens. */
  readonly busiestDay: { readonly day: CalendarDay; readonly totalTokens: number } | null;
  /** The day with the highest markup cost (the earliest on a tie); null without cost, and for members. */
  readonly highestCostDay: { readonly day: CalendarDay; readonly cost: Omit<CostFigures, 'rawCost'> } | null;
  readonly totalUniqueUsers: number;
  readonly topModels: readonly TopModel[];
}

export interface MonthlySummaryInput {
  readonly month: ReportMonth;
  readonly days: readonly DayUsageTotals[];
  readonly models: readonly Pick<ModelUsageTotals, 'model' | 'totalTokens'>[];
  readonly uniqueUsers: number;
  readonly usdPln: Rate;
  readonly role: ViewerRole;
}

export function summarizeMonth(input: MonthlySummaryInput): MonthlySummary {
  const { daysElapsed } = input.month;
  const days = [...input.days].sort((a, b) => (a.day < b.day ? -1 : a.day > b.day ? 1 : 0));
  const totalTokens = days.reduce((sum, day) => sum + day.totalTokens, 0);
  const markupCost = sumUsd(days.map((day) => day.markupCost));
  const daysWithUsage = days.filter((day) => day.totalRequests > 0).length;
  const isAdmin = input.role === 'admin';
  return {
    month: input.month.month,
    daysElapsed,
    daysWithUsage,
    totalTokens,
    averageDailyTokens: roundedQuotient(totalTokens, daysElapsed),
    averageDailyCost: isAdmin ? (daysElapsed > 0 ? markupCost.dividedBy(daysElapsed) : Usd.zero).toFixed(AVERAGE_DAILY_COST_DECIMALS) : null,
    averageUsageDayTokens: roundedQuotient(totalTokens, daysWithUsage),
    busiestDay: busiestDay(days),
    highestCostDay: isAdmin ? highestCostDay(days, input.usdPln) : null,
    totalUniqueUsers: input.uniqueUsers,
    topModels: rankTopModels(input.models),
  };
}

/** round_half_up(dividend ÷ divisor) in integers, so no float quotient can land a hair below .5; 0 for no days. */
export function roundedQuotient(dividend: number, divisor: number): number {
  if (divisor <= 0) return 0;
  return Number((2n * BigInt(dividend) + BigInt(divisor)) / (2n * BigInt(divisor)));
}

/** Days arrive sorted by date, so keeping the first maximum keeps the earliest day on a tie. */
function busiestDay(days: readonly DayUsageTotals[]): MonthlySummary['busiestDay'] {
  let best: DayUsageTotals | undefined;
  for (const day of days) if (day.totalTokens > 0 && (!best || day.totalTokens > best.totalTokens)) best = day;
  return best ? { day: best.day, totalTokens: best.totalTokens } : null;
}

function highestCostDay(days: readonly DayUsageTotals[], usdPln: Rate): MonthlySummary['highestCostDay'] {
  let best: DayUsageTotals | undefined;
  for (const day of days) if (!day.markupCost.isZero() && (!best || day.markupCost.compare(best.markupCost) > 0)) best = day;
  if (!best) return null;
  const { markupCost, costPln } = costFigures(Usd.zero, best.markupCost, usdPln);
  return { day: best.day, cost: { markupCost, costPln } };
}
