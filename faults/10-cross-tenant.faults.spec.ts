// Scenario 10: cross-tenant probing. Tenant B's usage carries unmistakable markers (777 777 tokens, a 77.77 USD
// cost, its own user); tenant A's token then asks every endpoint the OpenAPI document lists for B's data by
// every channel a request has: query parameters, path, headers, cookies, a body, extra token claims, the CSV
// download and the live event stream. No answer may carry a marker; each must be A's own numbers or a refusal.
import { Pipeline, generation, sendWebhook, startPipeline } from '@mai/testing';
import { scenario } from './support/scenario';
import { API, Answer, call, freshUser, hs256Token } from './support/tokens';

const A = 'tenant-a';
const B = 'tenant-b';
/** B's numbers and user: in any answer to A, a leak. (B's org id counts too, in answers that are not refusals echoing the path.) */
const B_MARKERS = ['777777', '777778', '77.77', '101.101', 'b-secret-user'];

/** Reads a text/event-stream for `ms`, then closes it. */
async function readEvents(url: string, ms: number): Promise<{ status: number; text: string }> {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), ms);
  let text = '';
  let status = 0;
  try {
    const response = await fetch(url, { signal: abort.signal });
    status = response.status;
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      text += value;
    }
  } catch {
    // aborted: keep what arrived
  } finally {
    clearTimeout(timer);
  }
  return { status, text };
}

describe('faults: cross-tenant probing', () => {
  let pipeline: Pipeline;

  beforeAll(async () => {
    pipeline = await startPipeline(['pricing-fx', 'ingest', 'aggregator', 'gateway']);
  });
  afterAll(() => pipeline?.stop());

  scenario('10', 'cross-tenant probing on every endpoint', async (row) => {
    const gateway = pipeline.services.gateway!.url;
    const secretA = await pipeline.createOrg(A, 'Europe/Warsaw');
    const secretB = await pipeline.createOrg(B, 'UTC');
    expect((await sendWebhook(pipeline.ingestUrl, A, secretA, 'a-1', generation({ model: 'openai/o3', total_cost: '0.5', native_tokens_prompt: 100, native_tokens_completion: 23, user: 'a-user' }))).status).toBe(202);
    expect((await sendWebhook(pipeline.ingestUrl, B, secretB, 'b-1', generation({ model: 'x-ai/grok-4', total_cost: '77.77', native_tokens_prompt: 777_777, native_tokens_completion: 1, user: 'b-secret-user' }))).status).toBe(202);
    await pipeline.waitForRequests(A, 1);
    await pipeline.waitForRequests(B, 1);

    const spec = await call(gateway, '/api/openapi.json');
    const endpoints = Object.keys(spec.body.paths).filter((path) => path.startsWith(API)).map((path) => path.slice(API.length));
    const reports = endpoints.filter((path) => path !== '/events');
    expect(reports.sort()).toEqual(['/monthly-summary', '/top-models', '/usage-by-model', '/usage-by-model.csv', '/usage-by-model/daily']);

    const probes: { what: string; answer: Answer }[] = [];
    const probe = async (what: string, path: string, init: RequestInit = {}, token?: string) =>
      probes.push({ what, answer: await call(gateway, path, token ?? (await hs256Token({ org: A, sub: freshUser('prober') })), init) });

    const queries = ['org', 'org_id', 'orgId', 'organization', 'organization_id', 'tenant', 'org[]', 'sub'].map((name) => `${encodeURIComponent(name)}=${B}`);
    for (const path of reports) {
      await probe(`${path} as A`, `${API}${path}`);
      for (const query of queries) await probe(`${path}?${query}`, `${API}${path}?${query}`);
      await probe(`${path} with every org parameter twice`, `${API}${path}?${queries.join('&')}&${queries.join('&')}`);
      await probe(`${path} over a year`, `${API}${path}?start=2025-12-05&end=2026-12-04&month=2026-12`);
      await probe(`${path} with org headers and cookie`, `${API}${path}`, { headers: { 'x-org-id': B, 'x-organization': B, 'x-tenant-id': B, 'x-forwarded-host': `${B}.example`, cookie: `org=${B}; org_id=${B}` } });
      for (const method of ['POST', 'PUT', 'PATCH', 'DELETE']) {
        await probe(`${method} ${path} with an org body`, `${API}${path}`, { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ org: B, org_id: B }) });
      }
      for (const other of [`/api/v1/usage-tracking/${B}${path}`, `/api/v1/usage-tracking/organizations/${B}${path}`, `/api/v1/usage-tracking/my-organization/../${B}${path}`, `/api/v1/usage-tracking/${encodeURIComponent(`my-organization/../${B}`)}${path}`, `${API}${path}/${B}`, `${API}${path};org=${B}`]) {
        await probe(`other org in the path: ${other}`, other);
      }
      await probe(`${path} with extra org claims in A's token`, `${API}${path}`, {}, await hs256Token({ org: A, org_id: B, orgs: [B], tenant: B, 'https://example.com/org': B }));
    }
    await probe('daily drill-down into B\'s model', `${API}/usage-by-model/daily?model=x-ai/grok-4`);
    await probe('daily drill-down into B\'s model, whole year', `${API}/usage-by-model/daily?model=x-ai/grok-4&start=2025-12-05&end=2026-12-04`);

    // The live stream: A listens (asking for B in the query); B's usage must not reach A. B's own stream is the control.
    const tokenA = await hs256Token({ org: A, sub: freshUser('listener') });
    const tokenB = await hs256Token({ org: B, sub: freshUser('listener') });
    const streamA = readEvents(`${gateway}${API}/events?access_token=${tokenA}&org=${B}&org_id=${B}`, 3_000);
    const streamB = readEvents(`${gateway}${API}/events?access_token=${tokenB}`, 3_000);
    await new Promise((r) => setTimeout(r, 500));
    expect((await sendWebhook(pipeline.ingestUrl, B, secretB, 'b-2', generation({ model: 'x-ai/grok-4', total_cost: '77.77', native_tokens_prompt: 777_777, native_tokens_completion: 1, user: 'b-secret-user' }))).status).toBe(202);
    const [liveA, liveB] = await Promise.all([streamA, streamB]);
    probes.push({ what: 'live events as A while B uses', answer: { status: liveA.status, body: null, text: liveA.text, headers: new Headers() } });

    const leaks = probes.filter(({ answer }) => B_MARKERS.some((marker) => answer.text.includes(marker)) || (answer.status < 400 && answer.text.includes(B)));
    const ownAnswers = probes.filter(({ what, answer }) => what.startsWith('/usage-by-model ') || (what.startsWith('/usage-by-model?') && answer.status === 200));
    const statuses = new Map<number, number>();
    for (const { answer } of probes) statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
    Object.assign(row, {
      done: `${probes.length} requests with tenant A's token to the ${endpoints.length} endpoints of /api/openapi.json: B's org in ${queries.length} query parameters, repeated, in headers, cookies, request bodies, 6 path shapes, extra token claims, B's model in the drill-down, the CSV, and the live stream while B's usage arrived (B's own stream got ${liveB.text.includes('event: usage') ? 'its event' : 'NO event'}); answers ${[...statuses].map(([s, c]) => `${s}×${c}`).join(', ')}`,
      sent: probes.length,
      expected: 0,
      found: leaks.length,
    });

    expect(leaks.map(({ what }) => what)).toEqual([]);
    for (const { answer } of ownAnswers) expect(answer.body.totals).toMatchObject({ total_tokens: 123, total_requests: 1 });
    expect(probes.every(({ answer }) => answer.status < 500)).toBe(true);
    expect(liveA.status).toBe(200);
    expect(liveA.text).not.toMatch(/event: usage/);
    expect(liveB.text).toMatch(/event: usage\ndata: \{"org":"tenant-b"/);
  });
});
