// GET …/usage-by-model.csv: the same breakdown as a CSV download.
import { Injectable } from '@nestjs/common';
import type { Viewer } from '../../auth/token-verifier';
import { usageCsv, usageCsvFilename } from '../usage-csv';
import type { DateRangeQuery } from '../usage-query.dto';
import { BreakdownReport } from './breakdown-report';

export interface CsvDownload {
  readonly filename: string;
  readonly content: string;
}

@Injectable()
export class ExportUsageCsv {
  constructor(private readonly report: BreakdownReport) {}

  async execute(viewer: Viewer, query: DateRangeQuery): Promise<CsvDownload> {
    const { calendar, range, breakdown } = await this.report.load(viewer, query);
    return { filename: usageCsvFilename(calendar.orgId, range.start, range.end), content: usageCsv(breakdown.lines) };
  }
}
