import { Module } from '@nestjs/common';
import { PlatformModule, PricingClient } from '@mai/platform';
import { UsageIntake } from './intake/usage-intake';
import { OrganizationDirectory } from './organizations/organization-directory';
import { IngestTokenCheck } from './otlp/ingest-token-check';
import { OtlpTracesRoute } from './otlp/otlp-traces-route';
import { TraceIntake } from './otlp/trace-intake';
import { WebhookRoute } from './webhooks/webhook-route';

@Module({
  // No pino-http line per request: the receivers log their own rejections and failures (answers.ts).
  imports: [PlatformModule.forService({ service: 'ingest', postgres: true, nats: true, requestLogs: false })],
  providers: [OrganizationDirectory, UsageIntake, PricingClient, IngestTokenCheck, TraceIntake, WebhookRoute, OtlpTracesRoute],
})
export class IngestModule {}
