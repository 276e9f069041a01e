// GET …/usage-by-model/daily: one row per day and model with usage, for the drill-down and the trend chart.
import { Injectable } from '@nestjs/common';
import { buildDailyUsage, resolveDateRange } from '@mai/domain';
import { ReportData } from '../report-data';
import type { Viewer } from '../../auth/token-verifier';
import { ReportContext, periodOrBadRequest } from '../report-context';
import { dailyUsageJson, exchangeRateJson, periodJson } from '../usage-json';
import type { DailyUsageQuery } from '../usage-query.dto';
import type { DailyUsageResponse } from '../usage-response.dto';

@Injectable()
export class GetDailyUsage {
  constructor(
    private readonly context: ReportContext,
    private readonly data: ReportData,
  ) {}

  async execute(viewer: Viewer, query: DailyUsageQuery): Promise<DailyUsageResponse> {
    const calendar = await this.context.calendarOf(viewer);
    const range = periodOrBadRequest(resolveDateRange(query, calendar.today));
    const model = query.model || undefined;
    const [rows, catalog, rate] = await Promise.all([this.data.dailyModelUsage(calendar.orgId, range, model), this.context.catalog(), this.context.rate()]);
    return {
      success: true,
      period: periodJson(range, calendar.timeZone),
      exchange_rate: exchangeRateJson(rate),
      model: model ?? null,
      daily_usage: buildDailyUsage({ catalog, rows, usdPln: rate.usdPln, role: viewer.role }).map(dailyUsageJson),
    };
  }
}
