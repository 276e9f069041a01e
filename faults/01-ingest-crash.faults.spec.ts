// Scenario 1: ingest is SIGKILLed twice while requests are in flight. Senders retry each delivery with the same
// webhook-id until it is answered 202, as Standard Webhooks senders do; every generation must count once,
// including those ingest published but died before answering (the stream drops the retried message).
import { GenerationRecordBody, Pipeline, randomGeneration, seededRandom, startPipeline } from '@mai/testing';
import { DeliveryLedger, deliverUntilAccepted } from './support/delivery-ledger';
import { startLoad } from './support/load';
import { scenario } from './support/scenario';

const ORG = 'crash-ingest';
const SENDERS = 8;
const RECORDS_PER_DELIVERY = 25;

describe('faults: ingest crashes', () => {
  let pipeline: Pipeline;
  let secret: string;

  beforeAll(async () => {
    pipeline = await startPipeline(['pricing-fx', 'ingest', 'aggregator']);
    secret = await pipeline.createOrg(ORG, 'Europe/Warsaw');
  });
  afterAll(() => pipeline?.stop());

  scenario('1', 'ingest SIGKILLed with requests in flight', async (row) => {
    const ingest = pipeline.services.ingest!;
    const ledger = new DeliveryLedger(ORG);
    const random = seededRandom(101);
    /** Requests sent and not yet answered. */
    let onTheWire = 0;
    const onTheWireAtKills: number[] = [];
    let unanswered = 0;
    let retriedDeliveries = 0;
    let storedBeforeTheCrash = 0;

    const load = startLoad(SENDERS, async (id) => {
      const records: GenerationRecordBody[] = Array.from({ length: RECORDS_PER_DELIVERY }, (_, i) => randomGeneration(random, id * 100 + i));
      const outcome = await deliverUntilAccepted(ledger, { ingestUrl: pipeline.ingestUrl, secret }, `crash-${id}`, records, {
        retryDelayMs: 50,
        onSend: () => onTheWire++,
        onAnswer: () => onTheWire--,
      });
      if (outcome.attempts > 1) retriedDeliveries++;
      // The retry found the delivery already in the stream: ingest stored it, then died before answering.
      if (outcome.attempts > 1 && outcome.final.body?.accepted === 0) storedBeforeTheCrash++;
      unanswered += outcome.statuses.filter((s) => s === 0).length;
    });

    for (let kill = 0; kill < 2; kill++) {
      await new Promise((r) => setTimeout(r, 1_500));
      onTheWireAtKills.push(onTheWire);
      await ingest.kill('SIGKILL');
      await new Promise((r) => setTimeout(r, 300));
      await ingest.restart();
    }
    await new Promise((r) => setTimeout(r, 1_000));
    await load.stop();
    const deliveries = load.deliveries;

    const settled = await ledger.settle(pipeline);
    // Every delivery was acknowledged exactly once, so the stream holds one message per delivery: the retries
    // of deliveries published just before a kill were dropped by the stream's duplicate window.
    const streamMessages = await pipeline.streamMessages();
    Object.assign(row, {
      done: `${SENDERS} senders × ${RECORDS_PER_DELIVERY}-record deliveries; ingest SIGKILLed twice (requests in flight at the kills: ${onTheWireAtKills.join(', ')}) and restarted; ${retriedDeliveries} deliveries retried with the same webhook-id (${unanswered} attempts unanswered), ${storedBeforeTheCrash} of them stored before the crash and dropped by the stream on retry; ${streamMessages} stream messages for ${deliveries} deliveries`,
      sent: settled.sent,
      expected: settled.expected,
      found: settled.found,
      duplicates: settled.duplicates,
    });

    expect(Math.min(...onTheWireAtKills)).toBeGreaterThan(0);
    expect(unanswered).toBeGreaterThan(0);
    expect(settled.lost).toEqual([]);
    expect(settled.duplicates).toBe(0);
    expect(settled.found).toBe(settled.expected);
    expect(settled.foundTotals).toEqual(settled.expectedTotals);
    expect(streamMessages).toBe(deliveries);
  });
});
