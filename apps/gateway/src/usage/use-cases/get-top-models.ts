// GET …/top-models: the three models with most tokens in the range.
import { Injectable } from '@nestjs/common';
import { rankTopModels, resolveDateRange } from '@mai/domain';
import { ReportData } from '../report-data';
import type { Viewer } from '../../auth/token-verifier';
import { ReportContext, displayNames, periodOrBadRequest } from '../report-context';
import { periodJson, topModelJson } from '../usage-json';
import type { DateRangeQuery } from '../usage-query.dto';
import type { TopModelsResponse } from '../usage-response.dto';

@Injectable()
export class GetTopModels {
  constructor(
    private readonly context: ReportContext,
    private readonly data: ReportData,
  ) {}

  async execute(viewer: Viewer, query: DateRangeQuery): Promise<TopModelsResponse> {
    const calendar = await this.context.calendarOf(viewer);
    const range = periodOrBadRequest(resolveDateRange(query, calendar.today));
    const [usage, catalog] = await Promise.all([this.data.modelTotals(calendar.orgId, range), this.context.catalog()]);
    const displayName = displayNames(catalog);
    return {
      success: true,
      period: periodJson(range, calendar.timeZone),
      top_models: rankTopModels(usage).map((top) => topModelJson(top, displayName)),
    };
  }
}
