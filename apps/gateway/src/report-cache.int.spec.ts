// The gateway's report cache against the real pipeline: a cached answer is replaced as soon as the projection
// signals a change (a new webhook projected, an org's data erased, a rebuilt projection swapped in), well
// before the cache's 30 s TTL could explain it.
import { SignJWT } from 'jose';
import { FakeNbp, Pipeline, TEST_JWT_SECRET, generation, sendWebhook, startFakeNbp, startPipeline } from '@mai/testing';
import { runCli } from '../../cli/src/testing/cli-process';

const API = '/api/v1/usage-tracking/my-organization';
/** Far below the cache's TTL: only the signal can refresh an answer this fast. */
const REFRESHED_WITHIN_MS = 5_000;

async function tokenFor(org: string): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ org, role: 'admin' })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(`viewer-of-${org}`)
    .setIssuer('mai-usage')
    .setAudience('mai-dashboard')
    .setIssuedAt(now)
    .setExpirationTime(now + 600)
    .sign(new TextEncoder().encode(TEST_JWT_SECRET));
}

describe('gateway: cached reports follow the projection', () => {
  let nbp: FakeNbp;
  let pipeline: Pipeline;
  let gatewayUrl: string;

  beforeAll(async () => {
    nbp = await startFakeNbp();
    pipeline = await startPipeline(['pricing-fx', 'ingest', 'aggregator', 'gateway'], { NBP_API_URL: nbp.url });
    gatewayUrl = pipeline.services.gateway!.url;
  });
  afterAll(async () => {
    await pipeline?.stop();
    await nbp?.close();
  });

  async function ask(path: string, token: string): Promise<any> {
    const response = await fetch(`${gatewayUrl}${API}${path}`, { headers: { authorization: `Bearer ${token}` } });
    const body = await response.json();
    if (response.status !== 200) throw new Error(`${path} answered ${response.status}: ${JSON.stringify(body)}`);
    return body;
  }

  async function cacheLookups(outcome: string): Promise<number> {
    const text = await (await fetch(`${gatewayUrl}/metrics`)).text();
    const line = text.split('\n').find((l) => l.startsWith('gateway_report_cache_lookups_total{') && l.includes(`outcome="${outcome}"`));
    return line ? Number(line.split(' ').pop()) : 0;
  }

  /** Asks until `accept` holds, for at most REFRESHED_WITHIN_MS; answers the last body and how long it took. */
  async function askUntil(path: string, token: string, accept: (body: any) => boolean): Promise<{ body: any; ms: number }> {
    const started = Date.now();
    for (;;) {
      const body = await ask(path, token);
      if (accept(body)) return { body, ms: Date.now() - started };
      if (Date.now() - started > REFRESHED_WITHIN_MS) return { body, ms: Date.now() - started };
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  const requests = (body: any) => body.totals.total_requests;

  it('serves a repeated report from the cache, and the new figures once a new webhook is projected', async () => {
    const secret = await pipeline.createOrg('cached', 'Europe/Warsaw');
    const token = await tokenFor('cached');
    expect((await sendWebhook(pipeline.ingestUrl, 'cached', secret, 'cached-1', generation({ model: 'openai/o3', total_cost: '0.01' }))).status).toBe(202);
    await pipeline.waitForRequests('cached', 1);

    const first = await ask('/usage-by-model', token);
    expect(requests(first)).toBe(1);
    const hitsBefore = await cacheLookups('hit');
    expect(await ask('/usage-by-model', token)).toEqual(first);
    expect(await cacheLookups('hit')).toBeGreaterThan(hitsBefore);
    const summary = await ask('/monthly-summary', token);
    expect(summary.top_models).toEqual([expect.objectContaining({ model_name: 'openai/o3' })]);

    expect((await sendWebhook(pipeline.ingestUrl, 'cached', secret, 'cached-2', generation({ model: 'x-ai/grok-4', total_cost: '0.02', native_tokens_prompt: 5_000 }))).status).toBe(202);
    const refreshed = await askUntil('/usage-by-model', token, (body) => requests(body) === 2);
    expect(requests(refreshed.body)).toBe(2);
    expect(refreshed.ms).toBeLessThan(REFRESHED_WITHIN_MS);
    // Every report of the org was dropped, not only the one asked for.
    expect((await ask('/monthly-summary', token)).top_models[0].model_name).toBe('x-ai/grok-4');
    expect((await ask('/top-models', token)).top_models.map((m: any) => m.model_name)).toEqual(['x-ai/grok-4', 'openai/o3']);
  });

  it("drops an org's cached reports when its data is erased", async () => {
    const secret = await pipeline.createOrg('erased', 'UTC');
    const token = await tokenFor('erased');
    expect((await sendWebhook(pipeline.ingestUrl, 'erased', secret, 'erased-1', generation())).status).toBe(202);
    await pipeline.waitForRequests('erased', 1);
    expect(requests(await ask('/usage-by-model', token))).toBe(1);

    const erase = await runCli(pipeline.environment.env, ['org', 'delete-data', 'erased', '--confirm', '--by', 'test']);
    expect(erase.code).toBe(0);
    const { body, ms } = await askUntil('/usage-by-model', token, (b) => requests(b) === 0);
    expect(requests(body)).toBe(0);
    expect(ms).toBeLessThan(REFRESHED_WITHIN_MS);
  });

  it('drops every cached report when a rebuilt projection is swapped in', async () => {
    const secret = await pipeline.createOrg('rebuilt', 'UTC');
    const token = await tokenFor('rebuilt');
    expect((await sendWebhook(pipeline.ingestUrl, 'rebuilt', secret, 'rebuilt-1', generation({ native_tokens_prompt: 100, native_tokens_completion: 0 }))).status).toBe(202);
    await pipeline.waitForRequests('rebuilt', 1);
    // Damage the live projection behind everyone's back (no signal): the gateway reads and caches the damage.
    await pipeline.environment.pool.query(`UPDATE client_model_daily_usage SET total_tokens = total_tokens + 1000 WHERE org_id = 'rebuilt'`);
    expect((await ask('/usage-by-model', token)).totals.total_tokens).toBe(1100);

    const rebuild = await runCli(pipeline.environment.env, ['projection', 'rebuild']);
    expect(rebuild.code).toBe(0);
    const { body, ms } = await askUntil('/usage-by-model', token, (b) => b.totals.total_tokens === 100);
    expect(body.totals.total_tokens).toBe(100);
    expect(ms).toBeLessThan(REFRESHED_WITHIN_MS);
  });
});
