import { Module, ValidationPipe } from '@nestjs/common';
import { APP_FILTER, APP_PIPE } from '@nestjs/core';
import { ThrottlerModule } from '@nestjs/throttler';
import { ServiceConfig } from '@mai/config';
import { UsageQueries } from '@mai/persistence';
import { PlatformModule, PostgresConnection, PricingClient, SERVICE_CONFIG } from '@mai/platform';
import { BearerAuthGuard } from './auth/bearer-auth.guard';
import { TokenVerifier, tokenKeySettings } from './auth/token-verifier';
import { ProjectionSignals } from './cache/projection-signals';
import { ReportCache } from './cache/report-cache';
import { reportCacheMetrics } from './cache/report-cache-metrics';
import { ErrorEnvelopeFilter } from './http/error-envelope.filter';
import { LiveUsageController } from './live/live-usage.controller';
import { LiveUsageHub } from './live/live-usage.hub';
import { ExchangeRates } from './pricing/exchange-rates';
import { PostgresThrottlerStorage } from './rate-limit/postgres-throttler-storage';
import { RATE_LIMIT, ViewerThrottlerGuard } from './rate-limit/viewer-throttler.guard';
import { CLOCK, ReportContext } from './usage/report-context';
import { ReportData } from './usage/report-data';
import { UsageController } from './usage/usage.controller';
import { BreakdownReport } from './usage/use-cases/breakdown-report';
import { ExportUsageCsv } from './usage/use-cases/export-usage-csv';
import { GetDailyUsage } from './usage/use-cases/get-daily-usage';
import { GetMonthlySummary } from './usage/use-cases/get-monthly-summary';
import { GetTopModels } from './usage/use-cases/get-top-models';
import { GetUsageByModel } from './usage/use-cases/get-usage-by-model';

@Module({
  imports: [
    PlatformModule.forService({ service: 'gateway', postgres: true, nats: true }),
    ThrottlerModule.forRootAsync({
      inject: [PostgresConnection],
      useFactory: (postgres: PostgresConnection) => ({
        throttlers: [{ name: 'default', ttl: RATE_LIMIT.windowMs, limit: RATE_LIMIT.limit }],
        storage: new PostgresThrottlerStorage(postgres.pool),
      }),
    }),
  ],
  controllers: [UsageController, LiveUsageController],
  providers: [
    { provide: APP_FILTER, useClass: ErrorEnvelopeFilter },
    // Unknown query parameters (e.g. someone else's `org`) are dropped, not obeyed and not an error.
    { provide: APP_PIPE, useValue: new ValidationPipe({ whitelist: true, forbidNonWhitelisted: false, stopAtFirstError: true }) },
    {
      provide: TokenVerifier,
      inject: [SERVICE_CONFIG],
      useFactory: (config: ServiceConfig) => new TokenVerifier(tokenKeySettings(config), { issuer: config.jwt.issuer, audience: config.jwt.audience }),
    },
    { provide: UsageQueries, inject: [PostgresConnection], useFactory: (postgres: PostgresConnection) => new UsageQueries(postgres.pool) },
    { provide: CLOCK, useValue: { now: () => new Date() } },
    { provide: ReportCache, useFactory: () => new ReportCache(undefined, reportCacheMetrics) },
    ProjectionSignals,
    ReportData,
    BearerAuthGuard,
    ViewerThrottlerGuard,
    PricingClient,
    ExchangeRates,
    ReportContext,
    BreakdownReport,
    GetUsageByModel,
    GetTopModels,
    GetMonthlySummary,
    GetDailyUsage,
    ExportUsageCsv,
    LiveUsageHub,
  ],
})
export class GatewayModule {}
