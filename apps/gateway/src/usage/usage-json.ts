// Domain reports → the contract's JSON. Exact amounts become numbers only here, rounded as the contract says.
import { CostFigures, DailyUsageLine, DateRange, ModelUsageLine, MonthlySummary, TopModel, UsageTotals } from '@mai/domain';
import type { ExchangeRateQuote } from '../pricing/exchange-rates';
import type {
  DailyUsageRowDto,
  ExchangeRateDto,
  ModelUsageDto,
  MonthlySummaryResponse,
  PeriodDto,
  TopModelDto,
  UsageTotalsDto,
} from './usage-response.dto';

export const periodJson = (range: DateRange, timezone: string): PeriodDto => ({ start: range.start, end: range.end, timezone });

export const exchangeRateJson = (quote: ExchangeRateQuote): ExchangeRateDto => ({
  usd_pln: quote.usdPln.toNumber(),
  source: quote.source,
  effective_date: quote.effectiveDate,
});

function costJson(cost: CostFigures | null) {
  return {
    raw_cost: cost ? cost.rawCost.toReportedNumber() : null,
    markup_cost: cost ? cost.markupCost.toReportedNumber() : null,
    cost_pln: cost ? Number(cost.costPln) : null,
  };
}

export const modelUsageJson = (line: ModelUsageLine): ModelUsageDto => ({
  model_name: line.model,
  display_name: line.displayName,
  provider: line.provider,
  total_tokens: line.totalTokens,
  total_requests: line.totalRequests,
  ...costJson(line.cost),
  days_used: line.daysUsed,
});

export const totalsJson = (totals: UsageTotals): UsageTotalsDto => ({
  total_tokens: totals.totalTokens,
  total_requests: totals.totalRequests,
  ...costJson(totals.cost),
});

export const topModelJson = (top: TopModel, displayName: (model: string) => string): TopModelDto => ({
  model_name: top.model,
  display_name: displayName(top.model),
  total_tokens: top.totalTokens,
});

export const dailyUsageJson = (line: DailyUsageLine): DailyUsageRowDto => ({
  date: line.day,
  model_name: line.model,
  display_name: line.displayName,
  provider: line.provider,
  total_tokens: line.totalTokens,
  total_requests: line.totalRequests,
  ...costJson(line.cost),
});

export function monthlySummaryJson(
  summary: MonthlySummary,
  context: { range: DateRange; timezone: string; rate: ExchangeRateQuote; displayName: (model: string) => string },
): MonthlySummaryResponse {
  return {
    success: true,
    month: summary.month,
    period: periodJson(context.range, context.timezone),
    days_elapsed: summary.daysElapsed,
    days_with_usage: summary.daysWithUsage,
    exchange_rate: exchangeRateJson(context.rate),
    average_daily_tokens: summary.averageDailyTokens,
    average_daily_cost: summary.averageDailyCost === null ? null : Number(summary.averageDailyCost),
    average_usage_day_tokens: summary.averageUsageDayTokens,
    busiest_day: summary.busiestDay && { date: summary.busiestDay.day, total_tokens: summary.busiestDay.totalTokens },
    highest_cost_day: summary.highestCostDay && {
      date: summary.highestCostDay.day,
      markup_cost: summary.highestCostDay.cost.markupCost.toReportedNumber(),
      cost_pln: Number(summary.highestCostDay.cost.costPln),
    },
    total_unique_users: summary.totalUniqueUsers,
    top_models: summary.topModels.map((top) => topModelJson(top, context.displayName)),
  };
}
