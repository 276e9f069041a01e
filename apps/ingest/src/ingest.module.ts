import { Module } from '@nestjs/common';
import { PlatformModule, PricingClient } from '@mai/platform';
import { UsageIntake } from './intake/usage-intake';
import { OrganizationDirectory } from './organizations/organization-directory';
import { IngestTokenCheck } from './otlp/ingest-token-check';
import { OtlpTracesController } from './otlp/otlp-traces.controller';
import { TraceIntake } from './otlp/trace-intake';
import { WebhookController } from './webhooks/webhook.controller';

@Module({
  imports: [PlatformModule.forService({ service: 'ingest', postgres: true, nats: true })],
  controllers: [WebhookController, OtlpTracesController],
  providers: [OrganizationDirectory, UsageIntake, PricingClient, IngestTokenCheck, TraceIntake],
})
export class IngestModule {}
