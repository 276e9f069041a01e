// Poison messages (undecodable, or valid JSON with impossible content) are parked on the dead-letter subject
// with their reason, and the stream keeps flowing past them.
import { connect, NatsConnection } from 'nats';
import { subjectsFor } from '@mai/config';
import { Pipeline, generation, sendWebhook, startPipeline, waitFor } from '@mai/testing';

describe('dead-lettering', () => {
  let pipeline: Pipeline;
  let nc: NatsConnection;

  beforeAll(async () => {
    pipeline = await startPipeline();
    nc = await connect({ servers: pipeline.environment.env.NATS_URL });
  });
  afterAll(async () => {
    await nc?.close();
    await pipeline?.stop();
  });

  it('parks poison messages with a reason and keeps projecting what follows', async () => {
    const secret = await pipeline.createOrg('poisoned');
    const subjects = subjectsFor(pipeline.environment.config);
    const js = nc.jetstream();
    await js.publish(subjects.usageRecorded('poisoned'), new TextEncoder().encode('{not json'));
    const impossible = {
      type: 'UsageRecorded',
      version: 1,
      data: { orgId: 'poisoned', timeZone: 'UTC', records: [{ generationId: 'x', model: 'openai/o3', provider: 'OpenAI', rawCostUsd: '-5', markupRate: '1.3', promptTokens: -1, completionTokens: 0, occurredAt: new Date().toISOString(), usageDay: '2026-13-45', user: null }] },
      metadata: { source: 'webhook', deliveryId: 'evil', receivedAt: new Date().toISOString() },
    };
    await js.publish(subjects.usageRecorded('poisoned'), new TextEncoder().encode(JSON.stringify(impossible)));
    expect((await sendWebhook(pipeline.ingestUrl, 'poisoned', secret, 'after-poison', generation())).status).toBe(202);

    await pipeline.waitForRequests('poisoned', 1);
    const jsm = await nc.jetstreamManager();
    const dlq = `${pipeline.environment.config.usageStream}_DLQ`;
    await waitFor(async () => (await jsm.streams.info(dlq)).state.messages === 2, { what: 'two dead letters' });
    const first = await jsm.streams.getMessage(dlq, { seq: 1 });
    const second = await jsm.streams.getMessage(dlq, { seq: 2 });
    expect(first.header.get('Dead-Letter-Reason')).toBe('payload is not JSON');
    expect(second.header.get('Dead-Letter-Reason')).toMatch(/rawCostUsd is invalid/);
    expect(second.subject).toBe(subjects.deadLetter('poisoned'));

    const metrics = await (await fetch(`${pipeline.services.aggregator!.url}/metrics`)).text();
    expect(metrics).toMatch(/aggregator_dead_letters_total\{[^}]*\} 2/);
    expect(await pipeline.projection('poisoned')).toEqual([expect.objectContaining({ requests: 1 })]);
  });
});
