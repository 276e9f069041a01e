// pricing-fx: the model catalog, the markup and USD→PLN, answered over NATS request/reply;
// HTTP only for health and metrics.
import 'reflect-metadata';
import { MicroserviceOptions, Transport } from '@nestjs/microservices';
import { readConfig } from '@mai/config';
import { createLogger, retryForever, runMain, startHttpService } from '@mai/platform';
import { PricingFxModule } from './pricing-fx.module';

async function main(): Promise<void> {
  const config = readConfig();
  await startHttpService(PricingFxModule, {
    port: config.ports.pricing,
    configure: (_fastify, app) => {
      app.connectMicroservice<MicroserviceOptions>({
        transport: Transport.NATS,
        options: {
          servers: config.natsUrl.split(','),
          queue: 'pricing-fx',
          maxReconnectAttempts: -1,
          reconnectTimeWait: 500,
          waitOnFirstConnect: true,
        },
      });
    },
    afterListen: (app) => {
      void retryForever('NATS request/reply transport', () => app.startAllMicroservices(), createLogger('pricing-fx'));
    },
  });
}

runMain('pricing-fx', main);
