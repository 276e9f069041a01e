// Scenario 5: poison messages put straight on the stream (valid JSON with impossible content, a NUL in a
// generation id that Postgres text cannot hold, a version from the future, bytes that are not JSON, and a record
// that passes the decoder but that Postgres refuses) between ordinary deliveries. Each must be parked on the
// dead-letter stream in its first delivery, with its reason, a metric and a log line, while everything around
// it is projected exactly.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { connect, NatsConnection } from 'nats';
import { subjectsFor } from '@mai/config';
import { GenerationRecordBody, Pipeline, WORKSPACE_ROOT, randomGeneration, seededRandom, startPipeline, waitFor } from '@mai/testing';
import { DeliveryLedger, deliverUntilAccepted, metricValue } from './support/delivery-ledger';
import { scenario } from './support/scenario';

const ORG = 'poisoned';

describe('faults: poison messages', () => {
  let pipeline: Pipeline;
  let nc: NatsConnection;

  beforeAll(async () => {
    pipeline = await startPipeline(['pricing-fx', 'ingest', 'aggregator']);
    nc = await connect({ servers: pipeline.environment.env.NATS_URL });
  });
  afterAll(async () => {
    await nc?.close();
    await pipeline?.stop();
  });

  scenario('5', 'poison messages on the stream', async (row) => {
    const secret = await pipeline.createOrg(ORG);
    const ledger = new DeliveryLedger(ORG);
    const random = seededRandom(505);
    const subjects = subjectsFor(pipeline.environment.config);
    const js = nc.jetstream();
    const aggregator = pipeline.services.aggregator!.url;
    const deliver = async (label: string, count: number) => {
      for (let d = 0; d < count; d++) {
        const records: GenerationRecordBody[] = Array.from({ length: 20 }, (_, i) => randomGeneration(random, d * 100 + i + label.length * 10_000));
        await deliverUntilAccepted(ledger, { ingestUrl: pipeline.ingestUrl, secret }, `${label}-${d}`, records);
      }
    };
    const record = {
      generationId: 'gen-poison',
      model: 'openai/o3',
      provider: 'OpenAI',
      rawCostUsd: '0.01',
      markupRate: '1.3',
      promptTokens: 1,
      completionTokens: 1,
      occurredAt: new Date().toISOString(),
      usageDay: new Date().toISOString().slice(0, 10),
      user: null,
    };
    const event = (records: object[], version = 1) => ({
      type: 'UsageRecorded',
      version,
      data: { orgId: ORG, timeZone: 'UTC', records },
      metadata: { source: 'webhook', deliveryId: `evil-${Math.random()}`, receivedAt: new Date().toISOString() },
    });
    const poisons: [string, string, RegExp][] = [
      ['valid JSON, impossible content (negative cost, 13th month)', JSON.stringify(event([{ ...record, rawCostUsd: '-5', usageDay: '2026-13-45' }])), /rawCostUsd is invalid/],
      ['a NUL inside a generation id', JSON.stringify(event([{ ...record, generationId: 'gen-\u0000-nul' }])), /generationId is invalid/],
      ['an event version from the future', JSON.stringify(event([record], 99)), /unsupported version 99/],
      ['bytes that are not JSON', '\u0000\u00ff{"type":', /not JSON/],
      // Stands in for content no decoder foresaw: the CHECK constraint below makes Postgres refuse this id.
      ['a record Postgres refuses (CHECK constraint)', JSON.stringify(event([{ ...record, generationId: 'refused-by-postgres-1' }])), /Postgres refused it: .*faults_refused/],
    ];
    await pipeline.environment.pool.query(`ALTER TABLE usage_ledger ADD CONSTRAINT faults_refused CHECK (generation_id NOT LIKE 'refused-by-postgres%')`);

    await deliver('before', 10);
    for (const [, payload] of poisons) await js.publish(subjects.usageRecorded(ORG), new TextEncoder().encode(payload));
    await deliver('after', 10);

    const settled = await ledger.settle(pipeline);
    const jsm = await nc.jetstreamManager();
    const dlq = `${pipeline.environment.config.usageStream}_DLQ`;
    await waitFor(async () => (await jsm.streams.info(dlq)).state.messages === poisons.length, { what: 'every poison dead-lettered' });
    const reasons = await Promise.all(poisons.map(async (_, i) => (await jsm.streams.getMessage(dlq, { seq: i + 1 })).header.get('Dead-Letter-Reason')));
    const parked = await metricValue(aggregator, 'aggregator_dead_letters_total');
    const failedBatches = await metricValue(aggregator, 'aggregator_batch_failures_total');
    const log = readFileSync(join(WORKSPACE_ROOT, 'tmp', 'test-logs', `${pipeline.environment.config.usageStream}-aggregator.log`), 'utf8');
    const logLines = log.split('\n').filter((line) => line.includes('poison message parked on the dead-letter subject'));
    const consumer = await jsm.consumers.info(pipeline.environment.config.usageStream, 'aggregator');
    const lastSeq = (await jsm.streams.info(pipeline.environment.config.usageStream)).state.last_seq;

    Object.assign(row, {
      done: `${poisons.length} poison messages published between 20 ordinary deliveries: ${poisons.map(([what]) => what).join('; ')}. Dead-lettered: ${reasons.length} (reasons: ${reasons.join(' | ')}); aggregator_dead_letters_total ${parked}, ${logLines.length} error log lines, ${failedBatches} failed batches; consumer acked through ${consumer.ack_floor.stream_seq} of ${lastSeq}`,
      sent: settled.sent,
      expected: settled.expected,
      found: settled.found,
      duplicates: settled.duplicates,
    });

    poisons.forEach(([, , reason], i) => expect(reasons[i]).toMatch(reason));
    expect(parked).toBe(poisons.length);
    expect(logLines).toHaveLength(poisons.length);
    // Parked on the first delivery: no batch failed and had to be redelivered because of them.
    expect(failedBatches).toBe(0);
    // The stream kept flowing: every message, poison or not, is settled.
    await waitFor(async () => (await jsm.consumers.info(pipeline.environment.config.usageStream, 'aggregator')).ack_floor.stream_seq === lastSeq, { what: 'the consumer acked the whole stream' });
    expect(settled.lost).toEqual([]);
    expect(settled.duplicates).toBe(0);
    expect(settled.found).toBe(settled.expected);
    expect(settled.foundTotals).toEqual(settled.expectedTotals);
  });
});
