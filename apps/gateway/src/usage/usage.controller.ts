// The dashboard API (contract §5): thin handlers, one use case each. The org is always the token's.
import { Controller, Get, Header, Query, Res, UseGuards } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiForbiddenResponse,
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiServiceUnavailableResponse,
  ApiTags,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { BearerAuthGuard } from '../auth/bearer-auth.guard';
import type { Viewer } from '../auth/token-verifier';
import { CurrentViewer } from '../auth/viewer';
import { ViewerThrottlerGuard } from '../rate-limit/viewer-throttler.guard';
import { DailyUsageQuery, DateRangeQuery, MonthQuery } from './usage-query.dto';
import { DailyUsageResponse, ErrorResponse, MonthlySummaryResponse, TopModelsResponse, UsageByModelResponse } from './usage-response.dto';
import { ExportUsageCsv } from './use-cases/export-usage-csv';
import { GetDailyUsage } from './use-cases/get-daily-usage';
import { GetMonthlySummary } from './use-cases/get-monthly-summary';
import { GetTopModels } from './use-cases/get-top-models';
import { GetUsageByModel } from './use-cases/get-usage-by-model';

export const USAGE_API_PREFIX = 'api/v1/usage-tracking/my-organization';

@ApiTags('usage')
@ApiBearerAuth()
@ApiUnauthorizedResponse({ type: ErrorResponse, description: 'No token, or one that does not verify (signature, algorithm, iss, aud, exp, org)' })
@ApiForbiddenResponse({ type: ErrorResponse, description: 'The organization named by the token does not exist' })
@ApiTooManyRequestsResponse({ type: ErrorResponse, description: 'More than 100 requests a minute for this user; see Retry-After' })
@ApiServiceUnavailableResponse({ type: ErrorResponse, description: 'Postgres or pricing-fx unavailable; see Retry-After' })
@UseGuards(BearerAuthGuard, ViewerThrottlerGuard)
@Controller(USAGE_API_PREFIX)
export class UsageController {
  constructor(
    private readonly usageByModel: GetUsageByModel,
    private readonly topModels: GetTopModels,
    private readonly monthlySummary: GetMonthlySummary,
    private readonly dailyUsage: GetDailyUsage,
    private readonly csvExport: ExportUsageCsv,
  ) {}

  @Get('usage-by-model')
  @Header('Cache-Control', 'no-store') // per-org, per-role answers: no shared cache may keep them
  @ApiOperation({ summary: 'Usage and cost per catalog model over a period (default: this month)' })
  @ApiOkResponse({ type: UsageByModelResponse })
  @ApiBadRequestResponse({ type: ErrorResponse, description: 'Malformed date, start after end, or more than 366 days' })
  getUsageByModel(@CurrentViewer() viewer: Viewer, @Query() query: DateRangeQuery): Promise<UsageByModelResponse> {
    return this.usageByModel.execute(viewer, query);
  }

  @Get('usage-by-model.csv')
  @Header('Cache-Control', 'no-store')
  @ApiOperation({ summary: 'The usage-by-model breakdown as a CSV download' })
  @ApiProduces('text/csv')
  @ApiOkResponse({ description: 'CSV with columns model_name,display_name,provider,total_tokens,total_requests,raw_cost,markup_cost,cost_pln,days_used' })
  @ApiBadRequestResponse({ type: ErrorResponse })
  async getUsageCsv(@CurrentViewer() viewer: Viewer, @Query() query: DateRangeQuery, @Res({ passthrough: true }) reply: FastifyReply): Promise<string> {
    const csv = await this.csvExport.execute(viewer, query);
    void reply.type('text/csv; charset=utf-8').header('Content-Disposition', `attachment; filename="${csv.filename}"`);
    return csv.content;
  }

  @Get('usage-by-model/daily')
  @Header('Cache-Control', 'no-store')
  @ApiOperation({ summary: 'One row per day and model with usage (drill-down, trend chart)' })
  @ApiOkResponse({ type: DailyUsageResponse })
  @ApiBadRequestResponse({ type: ErrorResponse })
  getDailyUsage(@CurrentViewer() viewer: Viewer, @Query() query: DailyUsageQuery): Promise<DailyUsageResponse> {
    return this.dailyUsage.execute(viewer, query);
  }

  @Get('top-models')
  @Header('Cache-Control', 'no-store')
  @ApiOperation({ summary: 'The three models with most tokens over a period (default: this month)' })
  @ApiOkResponse({ type: TopModelsResponse })
  @ApiBadRequestResponse({ type: ErrorResponse })
  getTopModels(@CurrentViewer() viewer: Viewer, @Query() query: DateRangeQuery): Promise<TopModelsResponse> {
    return this.topModels.execute(viewer, query);
  }

  @Get('monthly-summary')
  @Header('Cache-Control', 'no-store')
  @ApiOperation({ summary: 'Averages, busiest and costliest day, unique users and top models of a month' })
  @ApiOkResponse({ type: MonthlySummaryResponse })
  @ApiBadRequestResponse({ type: ErrorResponse, description: 'Malformed month' })
  getMonthlySummary(@CurrentViewer() viewer: Viewer, @Query() query: MonthQuery): Promise<MonthlySummaryResponse> {
    return this.monthlySummary.execute(viewer, query);
  }
}
