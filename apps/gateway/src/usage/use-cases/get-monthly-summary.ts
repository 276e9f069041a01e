// GET …/monthly-summary: averages, busiest and costliest day, unique users and top models of one month.
import { Injectable } from '@nestjs/common';
import { resolveReportMonth, summarizeMonth } from '@mai/domain';
import { ReportData } from '../report-data';
import type { Viewer } from '../../auth/token-verifier';
import { ReportContext, displayNames, periodOrBadRequest } from '../report-context';
import { monthlySummaryJson } from '../usage-json';
import type { MonthQuery } from '../usage-query.dto';
import type { MonthlySummaryResponse } from '../usage-response.dto';

@Injectable()
export class GetMonthlySummary {
  constructor(
    private readonly context: ReportContext,
    private readonly data: ReportData,
  ) {}

  async execute(viewer: Viewer, query: MonthQuery): Promise<MonthlySummaryResponse> {
    const calendar = await this.context.calendarOf(viewer);
    const month = periodOrBadRequest(resolveReportMonth(query.month, calendar.today));
    const [{ days, models, uniqueUsers }, catalog, rate] = await Promise.all([
      this.data.monthFigures(calendar.orgId, month.range, month.month),
      this.context.catalog(),
      this.context.rate(),
    ]);
    const summary = summarizeMonth({ month, days, models, uniqueUsers, usdPln: rate.usdPln, role: viewer.role });
    return monthlySummaryJson(summary, { range: month.range, timezone: calendar.timeZone, rate, displayName: displayNames(catalog) });
  }
}
