// Scenario 3: a private nats-server is SIGKILLed under load and restarted. Every delivery answered 2xx must be
// projected exactly once; while the server is down ingest answers 503 (with Retry-After) and never 2xx for what
// it could not store.
import { GenerationRecordBody, NatsServerProcess, Pipeline, randomGeneration, seededRandom, startPipeline } from '@mai/testing';
import { DeliveryLedger, PostAnswer, deliverUntilAccepted, postWebhook } from './support/delivery-ledger';
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
    // The senders may all be waiting out publishes that were in flight at the kill, so fresh deliveries probe
    // the outage too: each must be refused, and none of them may turn up in the projection later.
    const probes: GenerationRecordBody[] = [];
    await new Promise((r) => setTimeout(r, 100));
    while (Date.now() < down.from + 2_700) {
      const records = Array.from({ length: 5 }, (_, i) => randomGeneration(random, 1_000_000 + probes.length + i));
      probes.push(...records);
      ledger.posted(records);
      const startedAt = Date.now();
      const answer = await postWebhook(pipeline.ingestUrl, ORG, secret, `probe-${probes.length}`, JSON.stringify({ data: records }), 2_000);
      onAnswer(answer, startedAt);
      if (answer.status === 202) ledger.acknowledged(records); // would fail the checks below
      await new Promise((r) => setTimeout(r, 150));
    }
    down.to = Date.now();
    await nats.restart();
    await new Promise((r) => setTimeout(r, 2_000));
    await load.stop();

    const settled = await ledger.settle(pipeline, 90_000);
    const { rows: probesStored } = await pipeline.environment.pool.query('SELECT generation_id FROM usage_ledger WHERE org_id = $1 AND generation_id = ANY($2)', [ORG, probes.map((r) => r.id)]);
    const outageStatuses = [...new Set(duringOutage.map((a) => a.status))].sort();
    const unavailable = duringOutage.filter((a) => a.status === 503);
    Object.assign(row, {
      done: `6 senders × 10-record deliveries, retried with the same webhook-id; nats-server SIGKILLed for ~3 s and restarted on its store; ${probes.length / 5} fresh deliveries probed the outage (${probesStored.length} of their records stored); answers while down: ${outageStatuses.join('/')} (${unavailable.length}× 503, 0× 2xx); answers overall: ${[...statuses].map(([s, n]) => `${s}×${n}`).join(', ')}`,
      sent: settled.sent,
      expected: settled.expected,
      found: settled.found,
      duplicates: settled.duplicates,
    });

    expect(unavailable.length).toBeGreaterThan(0);
    expect(probesStored).toEqual([]);
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
