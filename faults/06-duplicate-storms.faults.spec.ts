// Scenario 6: duplicate storms. One generation sent 20 times at once under 20 different webhook-ids (what a
// re-send looks like to the stream after its 10-minute duplicate window: a new message id), then 20 more times
// one after another with other fields; and one delivery sent 20 times at once under the same webhook-id. Each
// generation counts once; the first version stands and the conflicts are counted.
import { Pipeline, generation, startPipeline } from '@mai/testing';
import { DeliveryLedger, metricValue, postWebhook } from './support/delivery-ledger';
import { scenario } from './support/scenario';

describe('faults: duplicate storms', () => {
  let pipeline: Pipeline;

  beforeAll(async () => {
    pipeline = await startPipeline(['pricing-fx', 'ingest', 'aggregator']);
  });
  afterAll(() => pipeline?.stop());

  scenario('6a', 'one generation 40 times under 40 webhook-ids', async (row) => {
    const org = 'storm-ids';
    const secret = await pipeline.createOrg(org);
    const ledger = new DeliveryLedger(org);
    const record = generation({ model: 'openai/o3', total_cost: '0.123456789', native_tokens_prompt: 1000, native_tokens_completion: 1 });
    const messagesBefore = await pipeline.streamMessages();

    const concurrent = await Promise.all(
      Array.from({ length: 20 }, (_, i) => {
        ledger.posted([record]);
        return postWebhook(pipeline.ingestUrl, org, secret, `storm-${i}`, JSON.stringify(record));
      }),
    );
    for (const answer of concurrent) if (answer.status === 202) ledger.acknowledged([record]);
    await pipeline.waitForRequests(org, 1);
    // Later re-sends with different fields (another cost, other tokens): the first version stands.
    const later = [];
    for (let i = 0; i < 20; i++) {
      const changed = { ...record, total_cost: String(i + 1), native_tokens_prompt: i };
      ledger.posted([changed]);
      const answer = await postWebhook(pipeline.ingestUrl, org, secret, `storm-late-${i}`, JSON.stringify({ data: [changed] }));
      later.push(answer);
      if (answer.status === 202) ledger.acknowledged([changed]);
    }
    const settled = await ledger.settle(pipeline);
    const stored = (await pipeline.streamMessages()) - messagesBefore;
    const conflicts = await metricValue(pipeline.services.aggregator!.url, 'aggregator_generation_conflicts_total');

    Object.assign(row, {
      done: `20 concurrent deliveries of one generation under 20 webhook-ids, then 20 sequential re-sends with other cost and tokens; answers ${summarize([...concurrent, ...later].map((a) => a.status))}; ${stored} stream messages (the stream cannot tell them apart); ${conflicts} conflicting versions counted in aggregator_generation_conflicts_total`,
      sent: settled.sent,
      expected: settled.expected,
      found: settled.found,
      duplicates: settled.duplicates,
    });
    expect([...concurrent, ...later].every((a) => a.status === 202)).toBe(true);
    expect(stored).toBe(40);
    expect(conflicts).toBe(20);
    expect(settled).toMatchObject({ expected: 1, found: 1, duplicates: 0, lost: [] });
    expect(settled.foundTotals).toEqual({ requests: 1, totalTokens: 1001, rawCost: '0.123456789', markupCost: '0.1604938257' });
  });

  scenario('6b', 'one delivery 20 times at once under one webhook-id', async (row) => {
    const org = 'storm-same-id';
    const secret = await pipeline.createOrg(org);
    const ledger = new DeliveryLedger(org);
    const records = Array.from({ length: 5 }, (_, i) => generation({ model: 'google/gemini-2.5-flash', total_cost: `0.00${i + 1}`, native_tokens_prompt: 10 * (i + 1) }));
    const body = JSON.stringify({ data: records });
    const messagesBefore = await pipeline.streamMessages();
    const answers = await Promise.all(
      Array.from({ length: 20 }, () => {
        ledger.posted(records);
        return postWebhook(pipeline.ingestUrl, org, secret, 'storm-one-id', body);
      }),
    );
    for (const answer of answers) if (answer.status === 202) ledger.acknowledged(records);
    const settled = await ledger.settle(pipeline);
    const stored = (await pipeline.streamMessages()) - messagesBefore;
    const accepted = answers.reduce((sum, a) => sum + (a.body?.accepted ?? 0), 0);
    const duplicates = answers.reduce((sum, a) => sum + (a.body?.duplicates ?? 0), 0);

    Object.assign(row, {
      done: `20 concurrent posts of one 5-record delivery under one webhook-id; answers ${summarize(answers.map((a) => a.status))}, accepted ${accepted} and duplicates ${duplicates} in all; ${stored} stream message (Nats-Msg-Id dropped the rest)`,
      sent: settled.sent,
      expected: settled.expected,
      found: settled.found,
      duplicates: settled.duplicates,
    });
    expect(answers.every((a) => a.status === 202)).toBe(true);
    expect(stored).toBe(1);
    expect(accepted).toBe(5);
    expect(duplicates).toBe(5 * 19);
    expect(settled).toMatchObject({ expected: 5, found: 5, duplicates: 0, lost: [] });
    expect(settled.foundTotals).toEqual(settled.expectedTotals);
  });
});

function summarize(statuses: number[]): string {
  const counts = new Map<number, number>();
  for (const status of statuses) counts.set(status, (counts.get(status) ?? 0) + 1);
  return [...counts].map(([status, n]) => `${status}×${n}`).join(', ');
}
