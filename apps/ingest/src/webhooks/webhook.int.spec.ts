// The signed webhook against the real pipeline: real ingest, pricing-fx and aggregator processes on a real
// NATS JetStream and PostgreSQL.
import { Pipeline, generation, sendWebhook, signDelivery, startPipeline } from '@mai/testing';

describe('POST /v1/webhooks/openrouter/{orgId}', () => {
  let pipeline: Pipeline;
  let secret: string;
  const orgId = 'acme';

  beforeAll(async () => {
    pipeline = await startPipeline();
    secret = await pipeline.createOrg(orgId, 'Europe/Warsaw');
  });
  afterAll(() => pipeline?.stop());

  const send = (webhookId: string, payload: unknown, options?: Parameters<typeof sendWebhook>[5]) =>
    sendWebhook(pipeline.ingestUrl, orgId, secret, webhookId, payload, options);

  it('projects a signed single record into the daily table with exact markup', async () => {
    const record = generation({ model: 'openai/o3', total_cost: '0.0961538', native_tokens_prompt: 1000, native_tokens_completion: 234 });
    const response = await send('wh-single', record);
    expect(response).toMatchObject({ status: 202, body: { accepted: 1, duplicates: 0 } });
    await pipeline.waitForRequests(orgId, 1);
    const [row] = await pipeline.projection(orgId);
    expect(row).toMatchObject({ model: 'openai/o3', total_tokens: 1234, requests: 1, raw_cost: '0.0961538', markup_cost: '0.12499994' });
  });

  it('counts a generation once whether repeated in one batch, in two batches, or re-sent under a new webhook id', async () => {
    const record = generation({ model: 'google/gemini-2.5-pro', total_cost: 0.25 });
    const batch = await send('wh-batch-dup', { data: [record, { ...record }, generation({ model: 'google/gemini-2.5-pro', total_cost: 0.5 })] });
    expect(batch).toMatchObject({ status: 202, body: { accepted: 2, duplicates: 1 } });
    const retried = await send('wh-batch-dup', { data: [record, { ...record }, generation({ model: 'google/gemini-2.5-pro' })] });
    // The same webhook-id is the same delivery: the stream drops it whole.
    expect(retried.status).toBe(202);
    expect(retried.body.accepted).toBe(0);
    const resentWithNewId = await send('wh-resend', { data: [{ ...record, total_cost: 99 }] });
    expect(resentWithNewId.status).toBe(202);
    await pipeline.waitForRequests(orgId, 3);
    await new Promise((r) => setTimeout(r, 500));
    const rows = (await pipeline.projection(orgId)).filter((r) => r.model === 'google/gemini-2.5-pro');
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ requests: 2, raw_cost: '0.75', markup_cost: '0.975' });
  });

  it('accepts the wrapped single-record shape and falls back to tokens_prompt / tokens_completion', async () => {
    const record = generation({ model: 'x-ai/grok-4', native_tokens_prompt: undefined, native_tokens_completion: undefined, tokens_prompt: 7, tokens_completion: 3 });
    expect((await send('wh-wrapped', { data: record })).status).toBe(202);
    await pipeline.waitForRequests(orgId, 4);
    expect((await pipeline.projection(orgId)).find((r) => r.model === 'x-ai/grok-4')).toMatchObject({ total_tokens: 10, requests: 1 });
  });

  it('answers alike whichever edge serves it: a chunked body or a query string goes through Fastify, the rest straight from Node', async () => {
    const url = `${pipeline.ingestUrl}/v1/webhooks/openrouter/${orgId}`;
    const chunked = signDelivery(secret, 'wh-edge-chunked', JSON.stringify(generation()));
    const stream = new ReadableStream({
      start(controller) {
        controller.enqueue(new TextEncoder().encode(chunked.body));
        controller.close();
      },
    });
    const viaStream = await fetch(url, { method: 'POST', headers: chunked.headers, body: stream, duplex: 'half' } as RequestInit);
    const query = signDelivery(secret, 'wh-edge-query', JSON.stringify({ data: generation() }));
    const viaQuery = await fetch(`${url}?from=edge-test`, { method: 'POST', headers: query.headers, body: query.body });
    const plain = signDelivery(secret, 'wh-edge-query', query.body);
    const retriedPlainly = await fetch(url, { method: 'POST', headers: plain.headers, body: plain.body });
    for (const response of [viaStream, viaQuery, retriedPlainly]) {
      expect(response.status).toBe(202);
      expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
    }
    expect(await viaStream.json()).toEqual({ accepted: 1, duplicates: 0 });
    expect(await viaQuery.json()).toEqual({ accepted: 1, duplicates: 0 });
    expect(await retriedPlainly.json()).toEqual({ accepted: 0, duplicates: 1 });
  });

  describe('rejects bad input with a clear 4xx and changes nothing', () => {
    let messagesBefore: number;
    let rowsBefore: unknown;
    beforeAll(async () => {
      messagesBefore = await pipeline.streamMessages();
      rowsBefore = await pipeline.projection();
    });
    afterAll(async () => {
      expect(await pipeline.streamMessages()).toBe(messagesBefore);
      expect(await pipeline.projection()).toEqual(rowsBefore);
    });

    it.each([
      ['an unknown model', { model: 'acme/unknown-model' }, 'model', /unknown model/],
      ['a negative cost', { total_cost: -1 }, 'total_cost', /must not be negative/],
      ['a cost above 10 000 USD', { total_cost: '10000.01' }, 'total_cost', /at most 10000/],
      ['a cost that is not a number', { total_cost: 'free' }, 'total_cost', /plain decimal/],
      ['negative tokens', { native_tokens_prompt: -5 }, 'native_tokens_prompt', /integer from 0/],
      ['fractional tokens', { native_tokens_completion: 1.5 }, 'native_tokens_completion', /integer from 0/],
      ['an empty id', { id: '' }, 'id', /1 to 128/],
      ['an over-long id', { id: 'x'.repeat(129) }, 'id', /1 to 128/],
      ['an over-long user', { user: 'u'.repeat(257) }, 'user', /1 to 256/],
      ['a timestamp without zone', { created_at: '2026-12-04T10:00:00' }, 'created_at', /RFC 3339/],
      ['a record 36 days old', { created_at: new Date(Date.now() - 36 * 86_400_000).toISOString() }, 'created_at', /35 days/],
      ['a record 6 minutes ahead', { created_at: new Date(Date.now() + 6 * 60_000).toISOString() }, 'created_at', /future/],
    ])('400 for %s', async (_case, override, field, message) => {
      const response = await send(`wh-bad-${field}-${Math.random()}`, { data: [generation(), generation(override as object)] });
      expect(response.status).toBe(400);
      expect(response.body.details).toEqual([expect.objectContaining({ index: 1, field, message: expect.stringMatching(message) })]);
    });

    it('400 for malformed JSON, a batch over 1000 records and an empty batch', async () => {
      expect(await send('wh-malformed', null, { rawBody: '{"data": [' })).toMatchObject({ status: 400, body: { error: expect.stringMatching(/malformed JSON/) } });
      const tooMany = Array.from({ length: 1001 }, () => generation());
      expect(await send('wh-too-many', { data: tooMany })).toMatchObject({ status: 400, body: { error: expect.stringMatching(/at most 1000/) } });
      expect(await send('wh-empty', { data: [] })).toMatchObject({ status: 400 });
    });

    it('401 for a wrong signature, a stale timestamp and missing headers', async () => {
      const wrongSecret = await sendWebhook(pipeline.ingestUrl, orgId, 'whsec_' + Buffer.alloc(32, 1).toString('base64'), 'wh-forged', generation());
      expect(wrongSecret).toMatchObject({ status: 401, body: { error: expect.stringMatching(/no signature matches/) } });
      const stale = await send('wh-stale', generation(), { at: new Date(Date.now() - 6 * 60_000) });
      expect(stale).toMatchObject({ status: 401, body: { error: expect.stringMatching(/±5 minute/) } });
      const response = await fetch(`${pipeline.ingestUrl}/v1/webhooks/openrouter/${orgId}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(generation()) });
      expect(response.status).toBe(401);
    });

    it('401 when the body was changed after signing', async () => {
      const signed = signDelivery(secret, 'wh-tampered', JSON.stringify(generation({ total_cost: '0.01' })));
      const response = await fetch(`${pipeline.ingestUrl}/v1/webhooks/openrouter/${orgId}`, {
        method: 'POST',
        headers: signed.headers,
        body: signed.body.replace('0.01', '0.00'),
      });
      expect(response.status).toBe(401);
    });

    it('404 for an unknown org and 413 for a body over 1 MiB', async () => {
      const unknown = await sendWebhook(pipeline.ingestUrl, 'no-such-org', secret, 'wh-unknown-org', generation());
      expect(unknown).toMatchObject({ status: 404, body: { error: expect.stringMatching(/unknown organization/) } });
      const huge = await send('wh-huge', null, { rawBody: JSON.stringify({ data: [generation({ padding: 'x'.repeat(1024 * 1024) })] }) });
      expect(huge).toMatchObject({ status: 413, body: { error: expect.stringMatching(/larger than/) } });
    });
  });
});
