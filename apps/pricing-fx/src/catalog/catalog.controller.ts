// Request/reply handlers for the catalog and the markup schedule.
import { Controller } from '@nestjs/common';
import { MessagePattern } from '@nestjs/microservices';
import { readConfig, subjectsFor } from '@mai/config';
import { CatalogReply, MarkupReply } from '@mai/messaging';
import { PostgresConnection } from '@mai/platform';
import { PricingStore } from '@mai/persistence';

// Nest binds message patterns when the class is defined, so the subjects are read from the environment here.
const subjects = subjectsFor(readConfig()).pricing;

@Controller()
export class CatalogController {
  private readonly store: PricingStore;

  constructor(private readonly postgres: PostgresConnection) {
    this.store = new PricingStore(postgres.pool);
  }

  @MessagePattern(subjects.catalog)
  async catalog(): Promise<CatalogReply> {
    await this.postgres.whenReady();
    return { models: await this.store.activeCatalog() };
  }

  @MessagePattern(subjects.markup)
  async markup(): Promise<MarkupReply> {
    await this.postgres.whenReady();
    return { schedule: await this.store.markupSchedule() };
  }
}
