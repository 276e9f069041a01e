// The projection's figures behind every report, through the report cache (cache/report-cache.ts): keyed by org,
// query and the resolved period, so answers built from them stay per role (money masked for members) and use
// the exchange rate and catalog of the moment. Reads that do run go through UsageQueries, under row-level security.
import { Injectable } from '@nestjs/common';
import { DailyModelUsage, DateRange, DayUsageTotals, ModelUsageTotals } from '@mai/domain';
import { UsageQueries } from '@mai/persistence';
import { ReportCache } from '../cache/report-cache';

/** The cache key of one query over one resolved period (the org is added by the cache). */
export const reportDataKey = {
  modelTotals: (range: DateRange) => `model-totals\u0000${range.start}\u0000${range.end}`,
  dailyModelUsage: (range: DateRange, model?: string) => `daily\u0000${range.start}\u0000${range.end}\u0000${model ?? ''}`,
  monthFigures: (range: DateRange, month: string) => `month\u0000${month}\u0000${range.start}\u0000${range.end}`,
} as const;

const rowCount = (rows: readonly unknown[]) => rows.length;

@Injectable()
export class ReportData {
  constructor(
    private readonly cache: ReportCache,
    private readonly queries: UsageQueries,
  ) {}

  modelTotals(orgId: string, range: DateRange): Promise<readonly ModelUsageTotals[]> {
    return this.cache.get(orgId, reportDataKey.modelTotals(range), () => this.queries.modelTotals(orgId, range), rowCount);
  }

  dailyModelUsage(orgId: string, range: DateRange, model?: string): Promise<readonly DailyModelUsage[]> {
    return this.cache.get(orgId, reportDataKey.dailyModelUsage(range, model), () => this.queries.dailyModelUsage(orgId, range, model), rowCount);
  }

  /** The monthly summary's three reads, in one transaction on a miss. */
  monthFigures(orgId: string, range: DateRange, month: string): Promise<{ readonly days: readonly DayUsageTotals[]; readonly models: readonly ModelUsageTotals[]; readonly uniqueUsers: number }> {
    return this.cache.get(orgId, reportDataKey.monthFigures(range, month), () => this.queries.monthFigures(orgId, range, month), (f) => f.days.length + f.models.length);
  }
}
