import { Module } from '@nestjs/common';
import { PlatformModule, PricingClient } from '@mai/platform';
import { UsageIntake } from './intake/usage-intake';
import { OrganizationDirectory } from './organizations/organization-directory';
import { WebhookController } from './webhooks/webhook.controller';

@Module({
  imports: [PlatformModule.forService({ service: 'ingest', postgres: true, nats: true })],
  controllers: [WebhookController],
  providers: [OrganizationDirectory, UsageIntake, PricingClient],
})
export class IngestModule {}
