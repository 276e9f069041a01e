// Crash the aggregator at the worst moments and prove the totals stay exact: SIGKILL in the middle of a
// 20 000-event backlog, and injected crashes inside a batch's transaction and between commit and ack.
import {
  Pipeline,
  SentUsageLedger,
  ServiceProcess,
  projectionTotals,
  randomGeneration,
  seededRandom,
  sendWebhook,
  startPipeline,
  waitFor,
} from '@mai/testing';

const ORG = 'crashco';

async function fillBacklog(pipeline: Pipeline, secret: string, ledger: SentUsageLedger, requests: number, seed: number): Promise<void> {
  const random = seededRandom(seed);
  const batches = Array.from({ length: requests }, (_, b) =>
    Array.from({ length: 100 }, (_, i) => randomGeneration(random, seed * 1_000_000 + b * 100 + i)),
  );
  // Re-send some generations under new deliveries: the projection must count them once.
  for (let b = 1; b < batches.length; b += 10) batches[b].splice(0, 5, ...batches[b - 1].slice(0, 5).map((r) => ({ ...r, total_cost: '9.99' })));
  let next = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (next < batches.length) {
        const index = next++;
        const response = await sendWebhook(pipeline.ingestUrl, ORG, secret, `backlog-${seed}-${index}`, { data: batches[index] });
        if (response.status !== 202) throw new Error(`webhook ${index} answered ${response.status}: ${JSON.stringify(response.body)}`);
        ledger.acknowledge(batches[index]);
      }
    }),
  );
}

async function projectedRequests(pipeline: Pipeline): Promise<number> {
  return (await pipeline.projection(ORG)).reduce((sum, row) => sum + row.requests, 0);
}

describe('aggregator crashes', () => {
  let pipeline: Pipeline;
  let secret: string;
  const ledger = new SentUsageLedger();

  beforeAll(async () => {
    pipeline = await startPipeline(['pricing-fx', 'ingest']);
    secret = await pipeline.createOrg(ORG, 'Europe/Warsaw');
  });
  afterAll(() => pipeline?.stop());

  it('SIGKILL in the middle of a 20 000-event backlog, then restart: exact totals', async () => {
    await fillBacklog(pipeline, secret, ledger, 200, 1);
    expect(ledger.size).toBeGreaterThan(19_000);
    // Small batches stretch the backlog over many transactions, so the kill lands in the middle of it.
    const aggregator = await ServiceProcess.start('aggregator', { ...pipeline.environment.env, AGGREGATOR_MAX_BATCH: '10' });
    try {
      await waitFor(async () => (await projectedRequests(pipeline)) > 1_000, { what: 'part of the backlog projected', intervalMs: 10 });
      await aggregator.kill('SIGKILL');
      const atKill = await projectedRequests(pipeline);
      expect(atKill).toBeLessThan(ledger.size); // killed mid-backlog, not after
      await aggregator.restart();
      await pipeline.waitForRequests(ORG, ledger.size, 90_000);
      await new Promise((r) => setTimeout(r, 500)); // anything extra would show up now
      expect(projectionTotals(await pipeline.projection(ORG))).toEqual(ledger.totals());
    } finally {
      await aggregator.kill();
    }
  });

  it.each(['crash-before-commit', 'crash-after-commit'])('%s inside a batch, then restart: exact totals', async (fault) => {
    await fillBacklog(pipeline, secret, ledger, 20, fault === 'crash-before-commit' ? 2 : 3);
    // 20 messages of 100 records in batches of 2 messages: the crash hits the 3rd of 10 batches.
    const crashing = await ServiceProcess.start('aggregator', { ...pipeline.environment.env, AGGREGATOR_MAX_BATCH: '2', AGGREGATOR_FAULT: `${fault}:3` }, { waitReady: false });
    const exitCode = await Promise.race([crashing.waitForExit(), new Promise((r) => setTimeout(() => r('still running'), 60_000).unref())]);
    expect(exitCode).toBeNull(); // killed by SIGKILL, not a clean exit
    const atCrash = await projectedRequests(pipeline);
    expect(atCrash).toBeLessThan(ledger.size);
    const aggregator = await ServiceProcess.start('aggregator', pipeline.environment.env);
    try {
      await pipeline.waitForRequests(ORG, ledger.size, 60_000);
      await new Promise((r) => setTimeout(r, 500));
      expect(projectionTotals(await pipeline.projection(ORG))).toEqual(ledger.totals());
    } finally {
      await aggregator.kill();
    }
  });
});
