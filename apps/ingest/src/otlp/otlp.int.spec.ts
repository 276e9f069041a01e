// The OpenRouter Broadcast receiver against the real pipeline: real ingest, pricing-fx and aggregator processes
// on a real NATS JetStream and PostgreSQL, tokens issued by the real CLI.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { IngestTokenStore } from '@mai/persistence';
import { Pipeline, WORKSPACE_ROOT, generation, sendWebhook, startPipeline, waitFor } from '@mai/testing';
import { OTLP_FIXTURES, OtlpExport, otlpFixture, rootSpanOf } from './fixtures';

const run = promisify(execFile);

describe('POST /v1/otlp/{orgId}/v1/traces', () => {
  let pipeline: Pipeline;
  let token: string;
  const orgId = 'acme';
  const aMinuteAgo = () => new Date(Date.now() - 60_000);

  beforeAll(async () => {
    pipeline = await startPipeline();
    await pipeline.createOrg(orgId, 'Europe/Warsaw');
    token = await cli('org', 'ingest-token', orgId);
  });
  afterAll(() => pipeline?.stop());

  /** Runs `npm run cli -- ...` against this test's database; resolves with the last line of stdout. */
  async function cli(...args: string[]): Promise<string> {
    const { stdout } = await run(process.execPath, ['-r', '@swc-node/register', 'apps/cli/src/main.ts', ...args], {
      cwd: WORKSPACE_ROOT,
      env: { PATH: process.env.PATH ?? '', ...pipeline.environment.env },
      timeout: 60_000,
    });
    return stdout.trim().split('\n').pop()!;
  }

  async function orgWithToken(id: string): Promise<{ token: string; secret: string }> {
    const secret = await pipeline.createOrg(id, 'UTC');
    return { secret, token: await new IngestTokenStore(pipeline.environment.pool).issue(id) };
  }

  async function send(
    org: string,
    bearer: string | undefined,
    body: OtlpExport | Buffer | string,
    options: { gzip?: boolean; headers?: Record<string, string> } = {},
  ): Promise<{ status: number; body: any; headers: Headers }> {
    const bytes = Buffer.isBuffer(body) ? body : Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
    const response = await fetch(`${pipeline.ingestUrl}/v1/otlp/${org}/v1/traces`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(bearer ? { authorization: `Bearer ${bearer}` } : {}),
        ...(options.gzip ? { 'content-encoding': 'gzip' } : {}),
        ...options.headers,
      },
      body: options.gzip ? gzipSync(bytes) : bytes,
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : text, headers: response.headers };
  }

  const settle = () => new Promise((r) => setTimeout(r, 500));

  it('projects every fixture into the daily table: one request per generation, provider attempts not counted', async () => {
    for (const name of OTLP_FIXTURES) {
      expect(await send(orgId, token, otlpFixture(name, { at: aMinuteAgo() }))).toMatchObject({ status: 200, body: {} });
    }
    await pipeline.waitForRequests(orgId, 4);
    await settle();
    const rows = await pipeline.projection(orgId);
    const byModel = Object.fromEntries(rows.map((row) => [row.model, row]));
    expect(rows).toHaveLength(4);
    // Markup 1.3; tokens include cached and reasoning tokens once.
    expect(byModel['anthropic/claude-sonnet-4']).toMatchObject({ prompt_tokens: 1843, completion_tokens: 412, requests: 1, raw_cost: '0.011709', markup_cost: '0.0152217' });
    expect(byModel['google/gemini-2.5-flash']).toMatchObject({ total_tokens: 5990, requests: 1, raw_cost: '0.003711', markup_cost: '0.0048243' });
    expect(byModel['openai/o3']).toMatchObject({ prompt_tokens: 12000, completion_tokens: 3400, requests: 1, raw_cost: '0.038912', markup_cost: '0.0505856' });
    expect(byModel['deepseek/deepseek-chat-v3-0324']).toMatchObject({ total_tokens: 1920, requests: 1, raw_cost: '0.000732', markup_cost: '0.0009516' });
    const { rows: users } = await pipeline.environment.pool.query('SELECT user_id FROM org_monthly_users WHERE org_id = $1', [orgId]);
    expect(users).toEqual([{ user_id: 'user_2f9c41' }]);
  });

  it('stores a retried export once: the delivery id is a hash of the body', async () => {
    const { token: retryToken } = await orgWithToken('retry');
    const body = otlpFixture('streamed', { at: aMinuteAgo() });
    const before = await pipeline.streamMessages();
    expect((await send('retry', retryToken, body)).status).toBe(200);
    expect((await send('retry', retryToken, body, { gzip: true })).status).toBe(200);
    expect(await pipeline.streamMessages()).toBe(before + 1);
    await pipeline.waitForRequests('retry', 1);
    await settle();
    expect(await pipeline.projection('retry')).toEqual([expect.objectContaining({ model: 'google/gemini-2.5-flash', requests: 1 })]);
  });

  it('counts a generation once when it arrives through both the signed webhook and OTLP, in either order', async () => {
    const { token: bothToken, secret } = await orgWithToken('both');
    const webhookFirst = generation({ id: 'gen-both-1', model: 'anthropic/claude-sonnet-4', total_cost: '0.011709', native_tokens_prompt: 1843, native_tokens_completion: 412 });
    expect((await sendWebhook(pipeline.ingestUrl, 'both', secret, 'wh-both-1', webhookFirst)).status).toBe(202);
    expect((await send('both', bothToken, otlpFixture('two-provider-attempts', { at: aMinuteAgo(), generationId: 'gen-both-1' }))).status).toBe(200);

    expect((await send('both', bothToken, otlpFixture('two-provider-attempts', { at: aMinuteAgo(), generationId: 'gen-both-2' }))).status).toBe(200);
    const webhookSecond = generation({ id: 'gen-both-2', model: 'anthropic/claude-sonnet-4', total_cost: '0.011709', native_tokens_prompt: 1843, native_tokens_completion: 412 });
    expect((await sendWebhook(pipeline.ingestUrl, 'both', secret, 'wh-both-2', webhookSecond)).status).toBe(202);

    await pipeline.waitForRequests('both', 2);
    await new Promise((r) => setTimeout(r, 1_500));
    expect(await pipeline.projection('both')).toEqual([
      expect.objectContaining({ model: 'anthropic/claude-sonnet-4', requests: 2, total_tokens: 2 * 2255, raw_cost: '0.023418' }),
    ]);
  });

  it('answers partialSuccess for spans it cannot use and counts the rest', async () => {
    const { token: partialToken } = await orgWithToken('partial');
    const usable = otlpFixture('streamed', { at: aMinuteAgo() });
    const noCost = otlpFixture('two-provider-attempts', { at: aMinuteAgo() });
    const rootWithoutCost = rootSpanOf(noCost);
    rootWithoutCost.attributes = rootWithoutCost.attributes.filter((a: { key: string }) => a.key !== 'gen_ai.usage.total_cost');
    const unknownModel = otlpFixture('with-user', { at: aMinuteAgo() });
    for (const attribute of rootSpanOf(unknownModel).attributes) if (attribute.key.endsWith('.model')) attribute.value = { stringValue: 'acme/unknown-model' };
    const stale = otlpFixture('cached-and-reasoning', { at: new Date(Date.now() - 40 * 86_400_000) });

    const response = await send('partial', partialToken, { resourceSpans: [usable, noCost, unknownModel, stale].flatMap((f) => f.resourceSpans) });
    expect(response.status).toBe(200);
    expect(response.body.partialSuccess.rejectedSpans).toBe(3);
    expect(response.body.partialSuccess.errorMessage).toMatch(/^3 generation spans were not counted/);
    expect(response.body.partialSuccess.errorMessage).toMatch(/span 00f067aa0ba902b7 of trace 4bf92f3577b34da6a3ce929d0e0e4736: gen_ai.usage.total_cost or gen_ai.usage.cost is missing/);
    expect(response.body.partialSuccess.errorMessage).toMatch(/model: unknown model "acme\/unknown-model"/);
    expect(response.body.partialSuccess.errorMessage).toMatch(/span start time: is more than 35 days old/);

    await pipeline.waitForRequests('partial', 1);
    await settle();
    expect(await pipeline.projection('partial')).toEqual([expect.objectContaining({ model: 'google/gemini-2.5-flash', requests: 1 })]);
  });

  describe('refuses what it must, and records nothing then', () => {
    let messagesBefore: number;
    let rowsBefore: unknown;
    beforeAll(async () => {
      await settle();
      messagesBefore = await pipeline.streamMessages();
      rowsBefore = await pipeline.projection();
    });
    afterAll(async () => {
      await settle();
      expect(await pipeline.streamMessages()).toBe(messagesBefore);
      expect(await pipeline.projection()).toEqual(rowsBefore);
    });

    const fixture = () => otlpFixture('two-provider-attempts', { at: aMinuteAgo(), generationId: `gen-refused-${Math.random()}` });

    it('answers the connection test 200 with an empty payload, and never records a probe', async () => {
      const probe = { 'x-test-connection': 'true' };
      expect(await send(orgId, token, '', { headers: probe })).toMatchObject({ status: 200, body: {} });
      expect(await send(orgId, token, '{"resourceSpans":[]}', { headers: probe })).toMatchObject({ status: 200, body: {} });
      expect(await send(orgId, token, fixture(), { headers: probe })).toMatchObject({ status: 200, body: {} });
      // The probe checks the configuration: a wrong token fails OpenRouter's "Test Connection".
      expect((await send(orgId, 'mai_it_wrong', '', { headers: probe })).status).toBe(401);
    });

    it('401 without a bearer token, with a wrong one, or with another org\'s', async () => {
      const missing = await send(orgId, undefined, fixture());
      expect(missing).toMatchObject({ status: 401, body: { error: expect.stringMatching(/Authorization: Bearer/) } });
      expect(missing.headers.get('www-authenticate')).toBe('Bearer');
      expect((await send(orgId, `${token}x`, fixture())).status).toBe(401);
      expect((await send(orgId, token.toUpperCase(), fixture())).status).toBe(401);
      const { token: otherToken } = await orgWithToken('other');
      expect((await send(orgId, otherToken, fixture())).status).toBe(401);
      const basic = await fetch(`${pipeline.ingestUrl}/v1/otlp/${orgId}/v1/traces`, { method: 'POST', headers: { authorization: `Basic ${token}` }, body: JSON.stringify(fixture()) });
      expect(basic.status).toBe(401);
    });

    it('401 for an org that has no ingest token yet, 404 for an unknown org', async () => {
      await pipeline.createOrg('tokenless');
      expect((await send('tokenless', token, fixture())).status).toBe(401);
      expect(await send('no-such-org', token, fixture())).toMatchObject({ status: 404, body: { error: expect.stringMatching(/unknown organization/) } });
    });

    it('refuses a gzip bomb (413) without falling over, and bodies that are not gzip or not OTLP/JSON', async () => {
      const bomb = gzipSync(Buffer.alloc(100 * 1024 * 1024));
      expect(bomb.length).toBeLessThan(1024 * 1024);
      const response = await send(orgId, token, bomb, { headers: { 'content-encoding': 'gzip' } });
      expect(response).toMatchObject({ status: 413, body: { error: expect.stringMatching(/after decompression/) } });
      expect((await fetch(`${pipeline.ingestUrl}/health/live`)).status).toBe(200);

      expect((await send(orgId, token, Buffer.from('{"resourceSpans":[]}'), { headers: { 'content-encoding': 'gzip' } })).status).toBe(400);
      expect((await send(orgId, token, '{"resourceSpans": [')).body.error).toMatch(/malformed JSON/);
      expect((await send(orgId, token, '{"resourceSpans": {}}')).status).toBe(400);
      expect((await send(orgId, token, Buffer.from([0x0a, 0x01]), { headers: { 'content-type': 'application/x-protobuf' } })).status).toBe(415);
      const huge = await send(orgId, token, JSON.stringify({ ...fixture(), padding: 'x'.repeat(1024 * 1024) }));
      expect(huge).toMatchObject({ status: 413 });
    });
  });

  it('replaces the token on --rotate: the new one works, the old one stops', async () => {
    await expect(cli('org', 'ingest-token', orgId)).rejects.toMatchObject({ stderr: expect.stringMatching(/already has an ingest token.*--rotate/) });
    const rotated = await cli('org', 'ingest-token', orgId, '--rotate');
    expect(rotated).toMatch(/^mai_it_[\w-]{43}$/);
    expect(rotated).not.toBe(token);
    const probe = { headers: { 'x-test-connection': 'true' } };
    // Ingest caches a token hash for up to 5 s.
    await waitFor(async () => (await send(orgId, token, '', probe)).status === 401, { timeoutMs: 10_000, what: 'the old token refused' });
    expect((await send(orgId, rotated, '', probe)).status).toBe(200);
  });
});
