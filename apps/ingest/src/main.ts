// ingest: signed usage webhooks → validated → published to JetStream (contract §3).
import 'reflect-metadata';
import { readConfig } from '@mai/config';
import { limitHeapGrowth, runMain, startHttpService } from '@mai/platform';
import { IngestModule } from './ingest.module';
import { installIngestHttpHandling } from './http-handling';
import { serveReceivers } from './receivers';
import { OtlpTracesRoute } from './otlp/otlp-traces-route';
import { WebhookRoute } from './webhooks/webhook-route';

async function main(): Promise<void> {
  const config = readConfig();
  await startHttpService(IngestModule, {
    port: config.ports.ingest,
    bodyParser: false,
    fastify: installIngestHttpHandling.serverOptions,
    configure: (fastify, app) => {
      installIngestHttpHandling(fastify);
      // The receivers' handlers are Nest-wired providers; serving them bypasses Nest's router (receivers.ts).
      serveReceivers(fastify, app.get(WebhookRoute), app.get(OtlpTracesRoute));
    },
  });
}

// Each delivery allocates its body, events and answer and keeps nothing past its PubAck.
limitHeapGrowth(Number(process.env.INGEST_HEAP_GROWING_PERCENT ?? 50));
runMain('ingest', main);
