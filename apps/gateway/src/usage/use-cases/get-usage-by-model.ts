// GET …/usage-by-model: the 12-model breakdown with totals, period and exchange rate.
import { Injectable } from '@nestjs/common';
import type { Viewer } from '../../auth/token-verifier';
import { exchangeRateJson, modelUsageJson, periodJson, totalsJson } from '../usage-json';
import type { DateRangeQuery } from '../usage-query.dto';
import type { UsageByModelResponse } from '../usage-response.dto';
import { BreakdownReport } from './breakdown-report';

@Injectable()
export class GetUsageByModel {
  constructor(private readonly report: BreakdownReport) {}

  async execute(viewer: Viewer, query: DateRangeQuery): Promise<UsageByModelResponse> {
    const { calendar, range, rate, breakdown } = await this.report.load(viewer, query);
    return {
      success: true,
      period: periodJson(range, calendar.timeZone),
      exchange_rate: exchangeRateJson(rate),
      model_usage: breakdown.lines.map(modelUsageJson),
      totals: totalsJson(breakdown.totals),
    };
  }
}
