// ingest: signed usage webhooks → validated → published to JetStream (contract §3).
import 'reflect-metadata';
import { readConfig } from '@mai/config';
import { runMain, startHttpService } from '@mai/platform';
import { IngestModule } from './ingest.module';
import { installIngestHttpHandling } from './http-handling';

async function main(): Promise<void> {
  const config = readConfig();
  await startHttpService(IngestModule, {
    port: config.ports.ingest,
    bodyParser: false,
    fastify: installIngestHttpHandling.serverOptions,
    configure: (fastify) => installIngestHttpHandling(fastify),
  });
}

runMain('ingest', main);
