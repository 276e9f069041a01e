// Scenario 3: a private nats-server is SIGKILLed under load and restarted. Every delivery answered 2xx must be
// projected exactly once; while the server is down ingest answers 503 (with Retry-After) and never 2xx for what
// it could not store.
import { GenerationRecordBody, NatsServerProcess, Pipeline, randomGeneration, seededRandom, startPipeline } from '@mai/testing';
import { DeliveryLedger, PostAnswer, deliverUntilAccepted } from './support/delivery-ledger';
import { startLoad } from './support/load';
import { scenario } from './support/scenario';

const ORG = 'nats-outage';

describe('faults: NATS outage', () => {
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

  scenario('3', 'nats-server SIGKILLed under load, restarted', async (row) => {
    const secret = await pipeline.createOrg(ORG);
    const ledger = new DeliveryLedger(ORG);
    const random = seededRandom(303);
    const statuses = new Map<number, number>();
    /** Requests sent and answered entirely while the server was down. */
    const duringOutage: PostAnswer[] = [];
    let down: { from: number; to: number } | undefined;
    const onAnswer = (answer: PostAnswer, startedAt: number) => {
      statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
      if (down && startedAt > down.from && Date.now() < down.to) duringOutage.push(answer);
    };
    const load = startLoad(6, async (id) => {
      const records: GenerationRecordBody[] = Array.from({ length: 10 }, (_, i) => randomGeneration(random, id * 10 + i));
      await deliverUntilAccepted(ledger, { ingestUrl: pipeline.ingestUrl, secret }, `outage-${id}`, records, { onAnswer, maxAttempts: 400 });
    });

    await new Promise((r) => setTimeout(r, 1_500));
    await nats.kill('SIGKILL');
    // The window in which nothing can be stored: from just after the kill to just before the restart.
    down = { from: Date.now() + 100, to: Number.POSITIVE_INFINITY };
    await new Promise((r) => setTimeout(r, 3_000));
    down.to = Date.now();
    await nats.restart();
    await new Promise((r) => setTimeout(r, 2_000));
    await load.stop();

    const settled = await ledger.settle(pipeline, 90_000);
    const outageStatuses = [...new Set(duringOutage.map((a) => a.status))].sort();
    const unavailable = duringOutage.filter((a) => a.status === 503);
    Object.assign(row, {
      done: `6 senders × 10-record deliveries, retried with the same webhook-id; nats-server SIGKILLed for 3 s and restarted on its store; answers while down: ${outageStatuses.join('/')} (${unavailable.length}× 503, 0× 2xx); answers overall: ${[...statuses].map(([s, n]) => `${s}×${n}`).join(', ')}`,
      sent: settled.sent,
      expected: settled.expected,
      found: settled.found,
      duplicates: settled.duplicates,
    });

    expect(unavailable.length).toBeGreaterThan(0);
    expect(unavailable.every((a) => Number(a.retryAfter) > 0)).toBe(true);
    expect(duringOutage.filter((a) => a.status >= 200 && a.status < 300)).toEqual([]);
    // 503 (or, at the very start, a refused connection while ingest notices): nothing else.
    expect(duringOutage.every((a) => a.status === 503 || a.status === 429 || a.status === 0)).toBe(true);
    expect(settled.lost).toEqual([]);
    expect(settled.duplicates).toBe(0);
    expect(settled.found).toBe(settled.expected);
    expect(settled.foundTotals).toEqual(settled.expectedTotals);
  });
});
