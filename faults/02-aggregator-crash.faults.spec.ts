// Scenario 2: the aggregator is killed at the three moments that matter for exactly-once: inside a batch's
// transaction before the commit, after the commit but before the acks (both through the aggregator's injected
// crash points, AGGREGATOR_FAULT), and by an outside SIGKILL in the middle of a backlog of one-message batches.
// Each case has its own org and ledger; after a restart the totals must match to the last decimal.
import { GenerationRecordBody, Pipeline, ServiceProcess, randomGeneration, seededRandom, startPipeline } from '@mai/testing';
import { DeliveryLedger, Settlement, deliverUntilAccepted, metricValue } from './support/delivery-ledger';
import { RowDraft, scenario } from './support/scenario';

/** Sends `messages` deliveries of `size` records; every 10th re-sends 5 generations of the one before. */
async function fillBacklog(pipeline: Pipeline, secret: string, ledger: DeliveryLedger, messages: number, size: number, seed: number): Promise<void> {
  const random = seededRandom(seed);
  const batches: GenerationRecordBody[][] = Array.from({ length: messages }, (_, b) =>
    Array.from({ length: size }, (_, i) => randomGeneration(random, seed * 1_000_000 + b * 1_000 + i)),
  );
  // Re-sent generations under new deliveries, with different fields: the ledger counts the first version once.
  for (let b = 1; b < batches.length; b += 10) batches[b].splice(0, 5, ...batches[b - 1].slice(0, 5).map((r) => ({ ...r, total_cost: '9.99' })));
  let next = 0;
  await Promise.all(
    Array.from({ length: 6 }, async () => {
      while (next < batches.length) {
        const index = next++;
        await deliverUntilAccepted(ledger, { ingestUrl: pipeline.ingestUrl, secret }, `backlog-${seed}-${index}`, batches[index]);
      }
    }),
  );
}

async function projectedRequests(pipeline: Pipeline, orgId: string): Promise<number> {
  return (await pipeline.projection(orgId)).reduce((sum, row) => sum + row.requests, 0);
}

function expectExact(settled: Settlement): void {
  expect(settled.lost).toEqual([]);
  expect(settled.duplicates).toBe(0);
  expect(settled.found).toBe(settled.expected);
  expect(settled.foundTotals).toEqual(settled.expectedTotals);
}

function fill(row: RowDraft, done: string, settled: Settlement): void {
  Object.assign(row, { done, sent: settled.sent, expected: settled.expected, found: settled.found, duplicates: settled.duplicates });
}

describe('faults: aggregator crashes', () => {
  let pipeline: Pipeline;

  beforeAll(async () => {
    // No aggregator yet: each case builds a backlog first, then starts the one that crashes.
    pipeline = await startPipeline(['pricing-fx', 'ingest']);
  });
  afterAll(() => pipeline?.stop());

  for (const [id, fault, title] of [
    ['2a', 'crash-before-commit', 'aggregator SIGKILLed inside a batch, before its commit'],
    ['2b', 'crash-after-commit', 'aggregator SIGKILLed after a commit, before its acks'],
  ] as const) {
    scenario(id, title, async (row) => {
      const org = `crash-agg-${id}`;
      const secret = await pipeline.createOrg(org, 'Europe/Warsaw');
      const ledger = new DeliveryLedger(org);
      await fillBacklog(pipeline, secret, ledger, 20, 100, id === '2a' ? 21 : 22);
      // 20 messages in batches of 2: the crash hits the 3rd of 10 batches.
      const crashing = await ServiceProcess.start('aggregator', { ...pipeline.environment.env, AGGREGATOR_MAX_BATCH: '2', AGGREGATOR_FAULT: `${fault}:3` }, { waitReady: false });
      const exit = await Promise.race([crashing.waitForExit(), new Promise((r) => setTimeout(() => r('still running'), 60_000).unref())]);
      const atCrash = await projectedRequests(pipeline, org);
      const aggregator = await ServiceProcess.start('aggregator', pipeline.environment.env);
      try {
        const settled = await ledger.settle(pipeline);
        // After a crash past the commit, the redelivered batch is absorbed by the ledger as duplicates.
        const absorbed = await metricValue(aggregator.url, 'aggregator_records_total', { outcome: 'duplicate' });
        fill(row, `20 deliveries × 100 records (5 of every 10th re-sent with other fields) as a backlog; AGGREGATOR_FAULT=${fault}:3 with 2-message batches killed the process (exit ${String(exit)}) with ${atCrash} requests projected; restarted, which found ${absorbed} records already counted`, settled);
        expect(exit).toBeNull(); // killed by a signal, not a clean exit
        expect(atCrash).toBeLessThan(ledger.size);
        // A commit whose acks never went out: its messages come back and add nothing (10 re-sends are expected anyway).
        if (fault === 'crash-after-commit') expect(absorbed).toBeGreaterThan(100);
        expectExact(settled);
      } finally {
        await aggregator.kill();
      }
    });
  }

  scenario('2c', 'aggregator SIGKILLed in the middle of a backlog', async (row) => {
    const org = 'crash-agg-2c';
    const secret = await pipeline.createOrg(org, 'Europe/Warsaw');
    const ledger = new DeliveryLedger(org);
    await fillBacklog(pipeline, secret, ledger, 200, 25, 23);
    // One message per batch stretches the backlog over 200 transactions, so the kill lands inside it.
    const aggregator = await ServiceProcess.start('aggregator', { ...pipeline.environment.env, AGGREGATOR_MAX_BATCH: '1' });
    let atKill = 0;
    try {
      await pipeline.waitForRequests(org, 500, 60_000);
      await aggregator.kill('SIGKILL');
      atKill = await projectedRequests(pipeline, org);
      await aggregator.restart();
      const settled = await ledger.settle(pipeline);
      fill(row, `200 deliveries × 25 records as a backlog; aggregator (1-message batches) SIGKILLed from outside at ${atKill} requests projected; restarted`, settled);
      expect(atKill).toBeLessThan(ledger.size);
      expectExact(settled);
    } finally {
      await aggregator.kill();
    }
  });
});
