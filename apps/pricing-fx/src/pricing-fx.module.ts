import { Inject, Module, OnApplicationBootstrap } from '@nestjs/common';
import { ServiceConfig } from '@mai/config';
import { PlatformModule, PostgresConnection, SERVICE_CONFIG, createLogger, retryForever } from '@mai/platform';
import { PricingStore } from '@mai/persistence';
import { CatalogController } from './catalog/catalog.controller';
import { NbpClient } from './fx/nbp-client';
import { UsdPlnController } from './fx/usd-pln.controller';
import { UsdPlnRates } from './fx/usd-pln-rates';

@Module({
  imports: [PlatformModule.forService({ service: 'pricing-fx', postgres: true, nats: true })],
  controllers: [CatalogController, UsdPlnController],
  providers: [
    { provide: NbpClient, inject: [SERVICE_CONFIG], useFactory: (config: ServiceConfig) => new NbpClient(config.nbpApiUrl) },
    UsdPlnRates,
  ],
})
export class PricingFxModule implements OnApplicationBootstrap {
  constructor(
    private readonly postgres: PostgresConnection,
    @Inject(SERVICE_CONFIG) private readonly config: ServiceConfig,
  ) {}

  onApplicationBootstrap(): void {
    const store = new PricingStore(this.postgres.pool);
    void this.postgres.whenReady().then(() =>
      retryForever('seeding the default catalog', () => store.seedDefaults(this.config.markupRate), createLogger('pricing-fx')),
    );
  }
}
