// Loads the per-model breakdown for a viewer and a requested range: shared by the JSON and the CSV answers.
import { Injectable } from '@nestjs/common';
import { DateRange, UsageBreakdown, buildUsageBreakdown, resolveDateRange } from '@mai/domain';
import { ReportData } from '../report-data';
import type { Viewer } from '../../auth/token-verifier';
import type { ExchangeRateQuote } from '../../pricing/exchange-rates';
import { OrgCalendar, ReportContext, periodOrBadRequest } from '../report-context';
import type { DateRangeQuery } from '../usage-query.dto';

export interface LoadedBreakdown {
  readonly calendar: OrgCalendar;
  readonly range: DateRange;
  readonly rate: ExchangeRateQuote;
  readonly breakdown: UsageBreakdown;
}

@Injectable()
export class BreakdownReport {
  constructor(
    private readonly context: ReportContext,
    private readonly data: ReportData,
  ) {}

  async load(viewer: Viewer, query: DateRangeQuery): Promise<LoadedBreakdown> {
    const calendar = await this.context.calendarOf(viewer);
    const range = periodOrBadRequest(resolveDateRange(query, calendar.today));
    const [usage, catalog, rate] = await Promise.all([this.data.modelTotals(calendar.orgId, range), this.context.catalog(), this.context.rate()]);
    return { calendar, range, rate, breakdown: buildUsageBreakdown({ catalog, usage, usdPln: rate.usdPln, role: viewer.role }) };
  }
}
