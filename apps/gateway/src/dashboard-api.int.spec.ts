// The dashboard API against the real pipeline: pricing-fx, ingest, aggregator and gateway processes on a real
// NATS JetStream and PostgreSQL, usage sent through the signed webhook. Auth, tenancy, roles, the shared rate
// limit, validation, live updates, the docs, the static dashboard and Postgres going away.
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer, Server, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Decimal from 'decimal.js';
import { SignJWT } from 'jose';
import { FakeNbp, Pipeline, ServiceProcess, TEST_JWT_SECRET, generation, sendWebhook, startFakeNbp, startPipeline } from '@mai/testing';

const API = '/api/v1/usage-tracking/my-organization';
const ISSUER = 'mai-usage';
const AUDIENCE = 'mai-dashboard';

let users = 0;
/** Each test speaks as its own user, so the 100-a-minute budget of one never affects another. */
const freshUser = (label: string) => `${label}-${++users}@example.test`;

async function tokenFor(
  claims: { org?: unknown; sub?: string; role?: string },
  options: { secret?: string; expiresIn?: number; issuer?: string; audience?: string } = {},
): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const { sub = freshUser('user'), ...rest } = claims;
  return new SignJWT({ role: 'admin', ...rest })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(sub)
    .setIssuer(options.issuer ?? ISSUER)
    .setAudience(options.audience ?? AUDIENCE)
    .setIssuedAt(now)
    .setExpirationTime(now + (options.expiresIn ?? 600))
    .sign(new TextEncoder().encode(options.secret ?? TEST_JWT_SECRET));
}

interface Answer {
  status: number;
  body: any;
  text: string;
  headers: Headers;
}

async function call(baseUrl: string, path: string, token?: string, init: RequestInit = {}): Promise<Answer> {
  const headers: Record<string, string> = { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(init.headers as Record<string, string>) };
  const response = await fetch(`${baseUrl}${path}`, { ...init, headers });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // CSV, HTML
  }
  return { status: response.status, body, text, headers: response.headers };
}

/** A TCP relay to Postgres that the test can cut, to take the database away from one gateway only. */
async function startRelay(target: URL): Promise<{ port: number; cut(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = new Socket();
    upstream.connect(Number(target.port || 5432), target.hostname);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('error', () => undefined);
      socket.on('close', () => sockets.delete(socket));
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as { port: number }).port,
    cut: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

describe('gateway: the dashboard API', () => {
  let nbp: FakeNbp;
  let pipeline: Pipeline;
  let gatewayUrl: string;
  let secondGateway: ServiceProcess;
  let cutDatabase: () => Promise<void>;
  const get = (path: string, token?: string, init?: RequestInit) => call(gatewayUrl, `${API}${path}`, token, init);

  beforeAll(async () => {
    nbp = await startFakeNbp();
    pipeline = await startPipeline(['pricing-fx', 'ingest', 'aggregator', 'gateway'], { NBP_API_URL: nbp.url });
    gatewayUrl = pipeline.services.gateway!.url;
    const acmeSecret = await pipeline.createOrg('acme', 'Europe/Warsaw');
    const globexSecret = await pipeline.createOrg('globex', 'UTC');
    const acme = [
      generation({ model: 'openai/o3', total_cost: '0.0961538', native_tokens_prompt: 1000, native_tokens_completion: 234, user: 'u1' }),
      generation({ model: 'openai/gpt-4o-mini', total_cost: '0.0015', native_tokens_prompt: 120, native_tokens_completion: 30, user: 'u2' }),
      generation({ model: 'google/gemini-2.5-pro', total_cost: 0.25, native_tokens_prompt: 500, native_tokens_completion: 500, user: 'u1' }),
    ];
    expect((await sendWebhook(pipeline.ingestUrl, 'acme', acmeSecret, 'acme-1', { data: acme })).status).toBe(202);
    expect((await sendWebhook(pipeline.ingestUrl, 'globex', globexSecret, 'globex-1', generation({ model: 'x-ai/grok-4', total_cost: 5, native_tokens_prompt: 999 }))).status).toBe(202);
    await pipeline.waitForRequests('acme', 3);
    await pipeline.waitForRequests('globex', 1);

    // A second gateway instance on the same database, reaching Postgres through a relay the test can cut.
    const databaseUrl = new URL(pipeline.environment.env.DATABASE_URL);
    const relay = await startRelay(databaseUrl);
    cutDatabase = relay.cut;
    const relayedUrl = new URL(databaseUrl);
    relayedUrl.host = `127.0.0.1:${relay.port}`;
    secondGateway = await ServiceProcess.start('gateway', { ...pipeline.environment.env, NBP_API_URL: nbp.url, DATABASE_URL: relayedUrl.toString() });
  });

  afterAll(async () => {
    await secondGateway?.kill();
    await cutDatabase?.();
    await pipeline?.stop();
    await nbp?.close();
  });

  describe('authentication: 401 with the error envelope for every failure', () => {
    const expect401 = (answer: Answer, reason: RegExp) => {
      expect(answer.status).toBe(401);
      expect(answer.body).toEqual({ success: false, error: expect.stringMatching(reason), status: 401 });
      expect(answer.headers.get('www-authenticate')).toMatch(/^Bearer /);
    };

    it.each([
      'usage-by-model',
      'usage-by-model.csv',
      'usage-by-model/daily',
      'top-models',
      'monthly-summary',
      'events',
    ])('no token on /%s', async (path) => {
      expect401(await get(`/${path}`), /bearer token is required/);
    });

    it('a header that is not "Bearer <JWT>"', async () => {
      expect401(await get('/usage-by-model', undefined, { headers: { authorization: `Basic ${Buffer.from('a:b').toString('base64')}` } }), /must be "Bearer <JWT>"/);
      expect401(await get('/usage-by-model', undefined, { headers: { authorization: 'Bearer' } }), /must be "Bearer <JWT>"/);
    });

    it('a token signed with another key', async () => {
      expect401(await get('/usage-by-model', await tokenFor({ org: 'acme' }, { secret: 'an-attacker-secret-that-is-32-bytes-long' })), /signature/);
    });

    it('alg: none', async () => {
      const encode = (part: object) => Buffer.from(JSON.stringify(part)).toString('base64url');
      const now = Math.floor(Date.now() / 1000);
      const payload = { sub: 'mallory', org: 'acme', role: 'admin', iss: ISSUER, aud: AUDIENCE, exp: now + 600 };
      expect401(await get('/usage-by-model', `${encode({ alg: 'none', typ: 'JWT' })}.${encode(payload)}.`), /malformed|algorithm/);
      expect401(await get('/usage-by-model', `${encode({ alg: 'none', typ: 'JWT' })}.${encode(payload)}`), /must be "Bearer <JWT>"|malformed|algorithm/);
    });

    it('an expired token (beyond the 30 s tolerance)', async () => {
      expect401(await get('/usage-by-model', await tokenFor({ org: 'acme' }, { expiresIn: -120 })), /expired/);
    });

    it('a wrong audience or issuer', async () => {
      expect401(await get('/usage-by-model', await tokenFor({ org: 'acme' }, { audience: 'another-app' })), /"aud"/);
      expect401(await get('/usage-by-model', await tokenFor({ org: 'acme' }, { issuer: 'someone-else' })), /"iss"/);
    });

    it('a token without org, or with something that is not an org id', async () => {
      expect401(await get('/usage-by-model', await tokenFor({})), /"org"/);
      expect401(await get('/usage-by-model', await tokenFor({ org: ['acme', 'globex'] })), /"org"/);
    });

    it('access_token in the query is only for the event stream', async () => {
      expect401(await get(`/usage-by-model?access_token=${await tokenFor({ org: 'acme' })}`), /bearer token is required/);
    });

    it('a valid token for an organization that does not exist is 403', async () => {
      expect(await get('/usage-by-model', await tokenFor({ org: 'no-such-org' }))).toMatchObject({ status: 403, body: { success: false, error: expect.stringMatching(/does not exist/) } });
    });
  });

  describe('tenancy: the org is the token\'s, whatever the request says', () => {
    it('ignores another org in the query, a header, the body or the path', async () => {
      const token = await tokenFor({ org: 'acme', sub: freshUser('tenant') });
      const own = await get('/usage-by-model', token);
      expect(own.status).toBe(200);
      expect(own.body.totals.total_tokens).toBe(1234 + 150 + 1000);
      const attempts = [
        await get('/usage-by-model?org=globex&org_id=globex&orgId=globex&organization=globex', token),
        await get('/usage-by-model', token, { headers: { 'x-org-id': 'globex', 'x-organization': 'globex' } }),
        await get('/usage-by-model', token, { method: 'GET', headers: { 'content-type': 'application/json' }, body: undefined }),
      ];
      for (const attempt of attempts) {
        expect(attempt.status).toBe(200);
        expect(attempt.body).toEqual(own.body);
      }
      // A body on a GET, and other routes for other orgs: nothing to find.
      const withBody = await fetch(`${gatewayUrl}${API}/usage-by-model`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: '{"org":"globex"}' });
      expect(withBody.status).toBe(404);
      expect((await call(gatewayUrl, '/api/v1/usage-tracking/globex/usage-by-model', token)).status).toBe(404);
      expect((await call(gatewayUrl, '/api/v1/usage-tracking/organizations/globex/usage-by-model', token)).body).toMatchObject({ success: false });
      const globex = await get('/usage-by-model', await tokenFor({ org: 'globex' }));
      expect(globex.body.totals.total_tokens).toBe(999 + 30);
      expect(globex.body.period.timezone).toBe('UTC');
    });
  });

  describe('the member view', () => {
    it('shows tokens and requests, with every cost field null, in every report', async () => {
      const admin = await tokenFor({ org: 'acme', role: 'admin' });
      const member = await tokenFor({ org: 'acme', role: 'member' });
      const [asAdmin, asMember] = [await get('/usage-by-model', admin), await get('/usage-by-model', member)];
      expect(asMember.status).toBe(200);
      expect(asMember.body.model_usage.map((m: any) => [m.model_name, m.total_tokens, m.total_requests, m.days_used])).toEqual(
        asAdmin.body.model_usage.map((m: any) => [m.model_name, m.total_tokens, m.total_requests, m.days_used]),
      );
      for (const row of [...asMember.body.model_usage, asMember.body.totals]) expect(row).toMatchObject({ raw_cost: null, markup_cost: null, cost_pln: null });
      expect(asAdmin.body.totals.markup_cost).toBeGreaterThan(0);

      const daily = await get('/usage-by-model/daily', member);
      expect(daily.body.daily_usage.length).toBe(3);
      for (const row of daily.body.daily_usage) expect(row).toMatchObject({ raw_cost: null, markup_cost: null, cost_pln: null, total_tokens: expect.any(Number) });

      const summary = await get('/monthly-summary', member);
      expect(summary.body).toMatchObject({ average_daily_cost: null, highest_cost_day: null, total_unique_users: 2 });
      expect(summary.body.average_daily_tokens).toBeGreaterThan(0);

      const csv = await get('/usage-by-model.csv', member);
      expect(csv.text.split('\r\n')[1]).toMatch(/^google\/gemini-2\.5-pro,Gemini 2\.5 Pro,Google,1000,1,,,,1$/);
    });
  });

  describe('answers', () => {
    it('usage-by-model: 12 models in the contract order, exact figures, the echoed rate and the org time zone', async () => {
      const { status, body, headers } = await get('/usage-by-model', await tokenFor({ org: 'acme' }));
      expect(status).toBe(200);
      expect(headers.get('cache-control')).toBe('no-store');
      expect(body.success).toBe(true);
      expect(body.period.timezone).toBe('Europe/Warsaw');
      expect(body.period.start).toBe(`${body.period.end.slice(0, 7)}-01`);
      expect(body.exchange_rate).toMatchObject({ usd_pln: expect.any(Number), source: expect.stringMatching(/^(nbp|cache|fallback)$/) });
      expect(body.exchange_rate.effective_date === null || /^\d{4}-\d{2}-\d{2}$/.test(body.exchange_rate.effective_date)).toBe(true);
      expect(body.model_usage).toHaveLength(12);
      expect(body.model_usage.slice(0, 3).map((m: any) => m.model_name)).toEqual(['google/gemini-2.5-pro', 'openai/o3', 'openai/gpt-4o-mini']);
      expect(body.model_usage[1]).toEqual({
        model_name: 'openai/o3',
        display_name: 'O3',
        provider: 'OpenAI',
        total_tokens: 1234,
        total_requests: 1,
        raw_cost: 0.0961538,
        markup_cost: 0.12499994,
        cost_pln: new Decimal('0.12499994').times(String(body.exchange_rate.usd_pln)).toDecimalPlaces(2, Decimal.ROUND_HALF_UP).toNumber(),
        days_used: 1,
      });
      const rest = body.model_usage.slice(3).map((m: any) => m.model_name);
      expect(rest).toEqual([...rest].sort());
      expect(body.totals).toMatchObject({ total_tokens: 2384, total_requests: 3, raw_cost: 0.3476538, markup_cost: 0.45194994 });
    });

    it('top-models, daily drill-down with a model filter, monthly summary and CSV', async () => {
      const token = await tokenFor({ org: 'acme' });
      expect((await get('/top-models', token)).body.top_models).toEqual([
        { model_name: 'openai/o3', display_name: 'O3', total_tokens: 1234 },
        { model_name: 'google/gemini-2.5-pro', display_name: 'Gemini 2.5 Pro', total_tokens: 1000 },
        { model_name: 'openai/gpt-4o-mini', display_name: 'GPT-4o Mini', total_tokens: 150 },
      ]);
      const daily = await get('/usage-by-model/daily?model=openai/o3', token);
      expect(daily.body).toMatchObject({ model: 'openai/o3', daily_usage: [{ model_name: 'openai/o3', total_tokens: 1234, total_requests: 1, raw_cost: 0.0961538 }] });
      const summary = await get('/monthly-summary', token);
      expect(summary.body).toMatchObject({ success: true, month: summary.body.period.start.slice(0, 7), days_with_usage: 1, total_unique_users: 2, busiest_day: { total_tokens: 2384 } });
      expect(summary.body.average_daily_tokens).toBe(Math.round(2384 / summary.body.days_elapsed));
      const csv = await get('/usage-by-model.csv', token);
      expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
      expect(csv.headers.get('content-disposition')).toMatch(/^attachment; filename="usage-by-model_acme_\d{4}-\d{2}-01_\d{4}-\d{2}-\d{2}\.csv"$/);
      expect(csv.text.split('\r\n')).toHaveLength(14);
    });
  });

  describe('validation: 400 with a reason', () => {
    it.each([
      ['/usage-by-model?start=2026-02-30', /start must be a date/],
      ['/usage-by-model?start=yesterday', /start must be a date/],
      ['/usage-by-model?end=2026-1-5', /end must be a date/],
      ['/usage-by-model?start=2026-12-05&end=2026-12-01', /must not be after/],
      ['/usage-by-model?start=2024-01-01&end=2025-12-31', /731 days; at most 366/],
      ['/top-models?start=2026-12-05&end=2026-12-01', /must not be after/],
      ['/usage-by-model/daily?start=2026-13-01&end=2026-12-01', /start must be a date/],
      ['/usage-by-model.csv?start=bad', /start must be a date/],
      ['/monthly-summary?month=2026-13', /month must be written YYYY-MM/],
      ['/monthly-summary?month=december', /month must be written YYYY-MM/],
      ['/usage-by-model?start=2026-12-01&start=2026-12-02', /single YYYY-MM-DD/],
    ])('%s', async (path, reason) => {
      const answer = await get(path, await tokenFor({ org: 'acme' }));
      expect(answer.status).toBe(400);
      expect(answer.body).toMatchObject({ success: false, error: expect.stringMatching(reason), status: 400 });
    });

    it('takes empty parameters as the defaults, as in the contract\'s `?start=&end=`', async () => {
      const token = await tokenFor({ org: 'acme' });
      const [empty, none] = [await get('/usage-by-model?start=&end=', token), await get('/usage-by-model', token)];
      expect(empty.status).toBe(200);
      expect(empty.body.period).toEqual(none.body.period);
      expect((await get('/monthly-summary?month=', token)).body.month).toBe(none.body.period.start.slice(0, 7));
    });

    it('unknown routes keep the envelope', async () => {
      expect(await get('/no-such-report', await tokenFor({ org: 'acme' }))).toMatchObject({ status: 404, body: { success: false } });
    });
  });

  describe('rate limit: 100 requests a minute per user, across gateway instances', () => {
    it('answers the 101st request 429 with Retry-After, whichever instance gets it, and spares other users', async () => {
      const flooder = await tokenFor({ org: 'acme', sub: freshUser('flood') });
      const bystander = await tokenFor({ org: 'acme', sub: freshUser('bystander') });
      const instances = [gatewayUrl, secondGateway.url];
      const statuses: number[] = [];
      for (let batch = 0; batch < 10; batch++) {
        const answers = await Promise.all(
          Array.from({ length: 10 }, (_, i) => call(instances[(batch * 10 + i) % 2], `${API}/top-models`, flooder)),
        );
        statuses.push(...answers.map((a) => a.status));
      }
      expect(statuses.filter((s) => s === 200)).toHaveLength(100);
      for (const base of instances) {
        const limited = await call(base, `${API}/usage-by-model`, flooder);
        expect(limited.status).toBe(429);
        expect(limited.body).toEqual({ success: false, error: expect.stringMatching(/at most 100 a minute/), status: 429 });
        const retryAfter = Number(limited.headers.get('retry-after'));
        expect(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 60).toBe(true);
      }
      expect((await get('/usage-by-model', bystander)).status).toBe(200);
    });
  });

  describe('live updates', () => {
    /** Reads a text/event-stream until `until` matches what arrived or the time runs out. */
    async function readEvents(url: string, init: RequestInit, until: RegExp, timeoutMs: number): Promise<{ status: number; text: string; type: string | null }> {
      const abort = new AbortController();
      const timer = setTimeout(() => abort.abort(), timeoutMs);
      let text = '';
      let status = 0;
      let type: string | null = null;
      try {
        const response = await fetch(url, { ...init, signal: abort.signal });
        status = response.status;
        type = response.headers.get('content-type');
        const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
        while (!until.test(text)) {
          const { value, done } = await reader.read();
          if (done) break;
          text += value;
        }
      } catch {
        // aborted: return what arrived
      } finally {
        clearTimeout(timer);
        abort.abort();
      }
      return { status, text, type };
    }

    it("tells a connected dashboard within a second that its org's numbers changed, and nothing about other orgs", async () => {
      const acmeStream = readEvents(`${gatewayUrl}${API}/events?access_token=${await tokenFor({ org: 'acme' })}`, {}, /event: usage/, 15_000);
      const globexStream = readEvents(`${gatewayUrl}${API}/events`, { headers: { authorization: `Bearer ${await tokenFor({ org: 'globex' })}` } }, /event: usage/, 2_500);
      await new Promise((r) => setTimeout(r, 500)); // both subscribed
      const secret = (await pipeline.environment.pool.query(`SELECT secret FROM org_webhook_secrets WHERE org_id = 'acme'`)).rows[0].secret;
      const sentAt = Date.now();
      expect((await sendWebhook(pipeline.ingestUrl, 'acme', secret, 'acme-live', generation({ model: 'x-ai/grok-4', total_cost: '0.01' }))).status).toBe(202);
      const acme = await acmeStream;
      const latencyMs = Date.now() - sentAt;
      expect(acme.status).toBe(200);
      expect(acme.type).toMatch(/^text\/event-stream/);
      expect(acme.text).toMatch(/^retry: \d+\n/);
      expect(acme.text).toMatch(/event: usage\ndata: \{"org":"acme","at":"[^"]+"\}\n\n/);
      // Webhook → JetStream → projection commit → NATS → SSE, all within a second.
      expect(latencyMs).toBeLessThan(1_000);
      const globex = await globexStream;
      expect(globex.status).toBe(200);
      expect(globex.text).not.toMatch(/event: usage/);
    });

    it('needs a valid token, by header or access_token', async () => {
      expect((await readEvents(`${gatewayUrl}${API}/events?access_token=not-a-jwt`, {}, /x/, 2_000)).status).toBe(401);
      const expired = await tokenFor({ org: 'acme' }, { expiresIn: -120 });
      expect((await readEvents(`${gatewayUrl}${API}/events?access_token=${expired}`, {}, /x/, 2_000)).status).toBe(401);
    });

    it('bounds the connections of one user', async () => {
      const token = await tokenFor({ org: 'acme', sub: freshUser('tabs') });
      const aborts = Array.from({ length: 5 }, () => new AbortController());
      const open = await Promise.all(aborts.map((a) => fetch(`${gatewayUrl}${API}/events?access_token=${token}`, { signal: a.signal })));
      expect(open.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
      const sixth = await call(gatewayUrl, `${API}/events`, token);
      expect(sixth.status).toBe(429);
      expect(sixth.headers.get('retry-after')).toBeTruthy();
      for (const a of aborts) a.abort();
    });
  });

  describe('documentation and the dashboard page', () => {
    it('describes every endpoint in /api/openapi.json and serves a docs page', async () => {
      const spec = await call(gatewayUrl, '/api/openapi.json');
      expect(spec.status).toBe(200);
      for (const path of ['usage-by-model', 'usage-by-model.csv', 'usage-by-model/daily', 'top-models', 'monthly-summary', 'events']) {
        expect(spec.body.paths[`${API}/${path}`]?.get).toBeDefined();
      }
      expect(spec.body.components.schemas.UsageByModelResponse.properties.model_usage).toBeDefined();
      expect(spec.body.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
      const docs = await call(gatewayUrl, '/api/docs');
      expect(docs.status).toBe(200);
      expect(docs.headers.get('content-type')).toMatch(/text\/html/);
    });

    it('serves a built dashboard with index.html for client routes, and runs without one', async () => {
      const dist = mkdtempSync(join(tmpdir(), 'dashboard-dist-'));
      mkdirSync(join(dist, 'assets'));
      writeFileSync(join(dist, 'index.html'), '<!doctype html><title>MAI usage</title>');
      writeFileSync(join(dist, 'assets', 'app-1234.js'), 'console.log(1)');
      const env = { ...pipeline.environment.env, NBP_API_URL: nbp.url };
      const [withPage, withoutPage] = await Promise.all([
        ServiceProcess.start('gateway', { ...env, DASHBOARD_DIST_DIR: dist }),
        ServiceProcess.start('gateway', { ...env, DASHBOARD_DIST_DIR: join(dist, 'missing') }),
      ]);
      try {
        const page = await call(withPage.url, '/');
        expect(page).toMatchObject({ status: 200, text: expect.stringContaining('MAI usage') });
        expect((await call(withPage.url, '/usage/openai/o3')).text).toContain('MAI usage');
        const asset = await call(withPage.url, '/assets/app-1234.js');
        expect(asset.headers.get('cache-control')).toMatch(/immutable/);
        expect((await call(withPage.url, '/assets/missing.js')).status).toBe(404);
        expect((await call(withPage.url, '/%2e%2e/%2e%2e/package.json')).status).toBe(404);
        expect((await call(withPage.url, '/api/v1/nothing-here')).body).toMatchObject({ success: false, status: 404 });

        expect((await call(withoutPage.url, '/')).body).toMatchObject({ success: false, status: 404 });
        expect((await call(withoutPage.url, `${API}/top-models`, await tokenFor({ org: 'acme' }))).status).toBe(200);
      } finally {
        await Promise.all([withPage.kill(), withoutPage.kill()]);
      }
    });
  });

  describe('Postgres going away', () => {
    it('answers 503 with Retry-After and the envelope, never a stack trace', async () => {
      const token = await tokenFor({ org: 'acme' });
      expect((await call(secondGateway.url, `${API}/usage-by-model`, token)).status).toBe(200);
      await cutDatabase();
      for (const path of ['/usage-by-model', '/monthly-summary']) {
        const answer = await call(secondGateway.url, `${API}${path}`, token);
        expect(answer.status).toBe(503);
        expect(answer.headers.get('retry-after')).toBe('5');
        expect(answer.body).toEqual({ success: false, error: expect.stringMatching(/database is unavailable/), status: 503 });
      }
      expect((await call(secondGateway.url, '/health/ready')).status).toBe(503);
    });
  });
});
