// Scenario 4: PostgreSQL stops (immediate shutdown: every connection drops, as in a crash) under load and comes
// back. A private cluster is used (libs/testing PostgresServerProcess), never the shared one. The aggregator
// must retry with backoff and ack nothing it did not commit; the gateway must answer 503 with the error
// envelope, not a stack trace; after the restart the totals must converge on the ledger.
import { connect, NatsConnection } from 'nats';
import { GenerationRecordBody, Pipeline, PostgresServerProcess, randomGeneration, seededRandom, startPipeline, waitFor } from '@mai/testing';
import { DeliveryLedger, PostAnswer, deliverUntilAccepted, metricValue } from './support/delivery-ledger';
import { startLoad } from './support/load';
import { scenario } from './support/scenario';
import { API, Answer, call, hs256Token, looksLikeStackTrace } from './support/tokens';

const ORG = 'pg-outage';
const OUTAGE_MS = 6_000;

describe('faults: Postgres outage', () => {
  let postgres: PostgresServerProcess;
  let pipeline: Pipeline;
  let nc: NatsConnection;

  beforeAll(async () => {
    postgres = await PostgresServerProcess.start();
    pipeline = await startPipeline(['pricing-fx', 'ingest', 'aggregator', 'gateway'], { DATABASE_URL: postgres.url('usage_faults') });
    nc = await connect({ servers: pipeline.environment.env.NATS_URL });
  });
  afterAll(async () => {
    await nc?.close();
    await pipeline?.stop();
    await postgres?.destroy();
  });

  scenario('4', 'Postgres stopped and restarted under load', async (row) => {
    const secret = await pipeline.createOrg(ORG, 'Europe/Warsaw');
    const ledger = new DeliveryLedger(ORG);
    const random = seededRandom(404);
    const gateway = pipeline.services.gateway!.url;
    const aggregator = pipeline.services.aggregator!.url;
    const token = await hs256Token({ org: ORG });
    const jsm = await nc.jetstreamManager();
    const stream = pipeline.environment.config.usageStream;
    const ackFloor = async () => (await jsm.consumers.info(stream, 'aggregator')).ack_floor.stream_seq;
    const lastSeq = async () => (await jsm.streams.info(stream)).state.last_seq;

    const ingestStatuses = new Map<number, number>();
    const onAnswer = (answer: PostAnswer) => ingestStatuses.set(answer.status, (ingestStatuses.get(answer.status) ?? 0) + 1);
    const load = startLoad(4, async (id) => {
      const records: GenerationRecordBody[] = Array.from({ length: 10 }, (_, i) => randomGeneration(random, id * 10 + i));
      await deliverUntilAccepted(ledger, { ingestUrl: pipeline.ingestUrl, secret }, `pg-${id}`, records, { onAnswer, maxAttempts: 600 });
    });

    await new Promise((r) => setTimeout(r, 1_500));
    expect((await call(gateway, `${API}/usage-by-model`, token)).status).toBe(200);
    const failuresBefore = await metricValue(aggregator, 'aggregator_batch_failures_total');

    await postgres.stop('immediate');
    const stoppedAt = Date.now();
    await new Promise((r) => setTimeout(r, 1_000));
    const floorEarly = await ackFloor();
    const seqEarly = await lastSeq();
    const duringOutage: Answer[] = [];
    for (const path of ['/usage-by-model', '/monthly-summary', '/usage-by-model.csv', '/top-models', '/usage-by-model/daily']) {
      duringOutage.push(await call(gateway, `${API}${path}`, token));
    }
    const readiness = await Promise.all([aggregator, gateway].map(async (url) => (await call(url, '/health/ready')).status));
    await new Promise((r) => setTimeout(r, Math.max(0, OUTAGE_MS - (Date.now() - stoppedAt))));
    const floorLate = await ackFloor();
    const seqLate = await lastSeq();
    const failuresDuring = (await metricValue(aggregator, 'aggregator_batch_failures_total')) - failuresBefore;

    await postgres.resume();
    await waitFor(async () => (await call(gateway, `${API}/usage-by-model`, token)).status === 200, { timeoutMs: 30_000, what: 'the gateway answering again' });
    await new Promise((r) => setTimeout(r, 2_000));
    await load.stop();
    const settled = await ledger.settle(pipeline, 90_000);

    Object.assign(row, {
      done: `4 senders × 10-record deliveries (retried with the same webhook-id); private Postgres stopped (-m immediate) for ${OUTAGE_MS / 1000} s and restarted; aggregator: ${failuresDuring} failed batches in the outage (backoff), ack floor held at ${floorEarly}→${floorLate} while the stream grew ${seqEarly}→${seqLate}; gateway: ${[...new Set(duringOutage.map((a) => a.status))].join('/')} on 5 reports; ready: ${readiness.join('/')}; ingest: ${[...ingestStatuses].map(([s, n]) => `${s}×${n}`).join(', ')}`,
      sent: settled.sent,
      expected: settled.expected,
      found: settled.found,
      duplicates: settled.duplicates,
    });

    for (const answer of duringOutage) {
      expect(answer.status).toBe(503);
      expect(answer.headers.get('retry-after')).toBe('5');
      expect(answer.body).toEqual({ success: false, error: expect.stringMatching(/database is unavailable/), status: 503 });
      expect(looksLikeStackTrace(answer.text)).toBe(false);
    }
    expect(readiness).toEqual([503, 503]);
    // Nothing was acked while nothing could commit: the consumer's ack floor stood still.
    expect(floorLate).toBe(floorEarly);
    // Retried, but with backoff: a hot loop would fail hundreds of times in the outage.
    expect(failuresDuring).toBeLessThanOrEqual(20);
    expect(settled.lost).toEqual([]);
    expect(settled.duplicates).toBe(0);
    expect(settled.found).toBe(settled.expected);
    expect(settled.foundTotals).toEqual(settled.expectedTotals);
  });
});
