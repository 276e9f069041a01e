// nats-server is SIGKILLed under load and restarted: every delivery ingest acknowledged (202) is projected
// exactly once, and while the stream is down ingest answers 503, never 2xx for what it could not store.
import {
  GenerationRecordBody,
  NatsServerProcess,
  Pipeline,
  SentUsageLedger,
  projectionTotals,
  randomGeneration,
  seededRandom,
  sendWebhook,
  startPipeline,
} from '@mai/testing';

const ORG = 'outage';

describe('NATS outage under load', () => {
  let nats: NatsServerProcess;
  let pipeline: Pipeline;

  beforeAll(async () => {
    nats = await NatsServerProcess.start();
    pipeline = await startPipeline(['pricing-fx', 'ingest', 'aggregator'], { NATS_URL: nats.url });
  });
  afterAll(async () => {
    await pipeline?.stop();
    await nats?.stop();
  });

  it('loses no acknowledged event and answers 503 while the stream is down', async () => {
    const secret = await pipeline.createOrg(ORG);
    const ledger = new SentUsageLedger();
    const random = seededRandom(7);
    const statuses = new Map<number, number>();
    let stopLoad = false;
    let delivery = 0;

    // Each sender retries the same delivery (same webhook-id, same body) until it is acknowledged, as a
    // Standard Webhooks sender does.
    const sender = async () => {
      while (!stopLoad) {
        const id = delivery++;
        const records: GenerationRecordBody[] = Array.from({ length: 10 }, (_, i) => randomGeneration(random, id * 10 + i));
        for (let attempt = 0; attempt < 200; attempt++) {
          const response = await sendWebhook(pipeline.ingestUrl, ORG, secret, `outage-${id}`, { data: records }).catch(() => ({ status: 0, body: null }));
          statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
          if (response.status === 202) {
            ledger.acknowledge(records);
            break;
          }
          expect([503, 429, 0]).toContain(response.status);
          await new Promise((r) => setTimeout(r, 100));
        }
      }
    };
    const load = Promise.all(Array.from({ length: 4 }, sender));

    await new Promise((r) => setTimeout(r, 1_500));
    await nats.kill('SIGKILL');
    await new Promise((r) => setTimeout(r, 2_000));
    await nats.restart();
    await new Promise((r) => setTimeout(r, 2_000));
    stopLoad = true;
    await load;

    expect(statuses.get(503) ?? 0).toBeGreaterThan(0);
    expect(ledger.size).toBeGreaterThan(100);
    await pipeline.waitForRequests(ORG, ledger.size, 60_000);
    await new Promise((r) => setTimeout(r, 500));
    expect(projectionTotals(await pipeline.projection(ORG))).toEqual(ledger.totals());
  });
});
