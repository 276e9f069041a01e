// The dashboard page in a real browser (Debian's Chromium, driven by playwright-core) against the real system:
// pricing-fx, ingest, aggregator and gateway processes on NATS JetStream and PostgreSQL, usage sent through the
// signed webhook, the page served by the gateway. One browser and one page for the file; the tests run in order
// and build on each other (the range the previous one left, the live update the error test starts from).
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { SignJWT } from 'jose';
import { chromium, type Browser, type Page } from 'playwright-core';
import { FakeNbp, Pipeline, TEST_JWT_SECRET, WORKSPACE_ROOT, generation, sendWebhook, startFakeNbp, startPipeline } from '@mai/testing';
import { DashboardPage } from './dashboard.page';

const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const DASHBOARD_ROOT = join(WORKSPACE_ROOT, 'apps', 'dashboard');
const DIST = join(DASHBOARD_ROOT, 'dist');
const API = '/api/v1/usage-tracking/my-organization';
const ORG = 'e2e-dash';
const ZONE = 'Europe/Warsaw';
const USD_PLN = 3.6521;

/** The newest modification time under `path` (a file, or a folder walked recursively). */
function newestMtime(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(stat.mtimeMs, ...readdirSync(path).map((name) => newestMtime(join(path, name))));
}

/** Builds the page unless dist/ is newer than every source of it: the gateway serves what is there. */
async function buildDashboardIfStale(): Promise<void> {
  const builtAt = existsSync(join(DIST, 'index.html')) ? statSync(join(DIST, 'index.html')).mtimeMs : 0;
  const sources = ['src', 'public', 'index.html', 'vite.config.ts'].map((p) => join(DASHBOARD_ROOT, p)).filter(existsSync);
  if (builtAt > Math.max(...sources.map(newestMtime))) return;
  const vite = spawn(process.execPath, [join(WORKSPACE_ROOT, 'node_modules/vite/bin/vite.js'), 'build', '--config', 'apps/dashboard/vite.config.ts', '--logLevel', 'warn'], {
    cwd: WORKSPACE_ROOT,
    env: { ...process.env, VITE_CONFIG_NATIVE_IGNORE_WARNING: 'true' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  vite.stdout.on('data', (d) => (output += d));
  vite.stderr.on('data', (d) => (output += d));
  const timer = setTimeout(() => vite.kill('SIGKILL'), 60_000);
  const code = await new Promise<number | null>((resolve) => vite.once('exit', resolve));
  clearTimeout(timer);
  if (code !== 0) throw new Error(`building the dashboard failed (exit ${code}):\n${output}`);
}

function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `Chromium is not installed at ${CHROMIUM}: the dashboard's browser tests need Debian's chromium ` +
        '(`apt-get install -y chromium`), or CHROMIUM_PATH pointing at another Chromium build.',
    );
  }
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, timeout: 30_000 });
}

async function tokenFor(role: 'admin' | 'member', user: string): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ org: ORG, role })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(user)
    .setIssuer('mai-usage')
    .setAudience('mai-dashboard')
    .setIssuedAt(now)
    .setExpirationTime(now + 900)
    .sign(new TextEncoder().encode(TEST_JWT_SECRET));
}

/** The org's calendar day at `instant`, as the API names days. */
const dayInZone = (instant: Date) => new Intl.DateTimeFormat('en-CA', { timeZone: ZONE, year: 'numeric', month: '2-digit', day: '2-digit' }).format(instant);

const DAY_MS = 86_400_000;
const ZERO_MODELS = [
  'anthropic/claude-3.7-sonnet',
  'google/gemini-2.5-flash-lite-preview-06-17',
  'openai/chatgpt-4o-latest',
  'openai/gpt-4.1',
  'openai/o4-mini-high',
  'x-ai/grok-4', // tokens but no cost: it ranks with the zero-cost models, by name
];

describe('dashboard: the Usage by Model tab in Chromium against the real gateway', () => {
  let nbp: FakeNbp;
  let pipeline: Pipeline;
  let browserStarting: Promise<Browser> | undefined;
  let browser: Browser;
  let page: Page;
  let dash: DashboardPage;
  let token: string;
  let gatewayUrl: string;
  const pageErrors: string[] = [];

  const now = new Date();
  const earlier = new Date(now.getTime() - 10 * DAY_MS);
  const today = dayInZone(now);
  const tenDaysAgo = dayInZone(earlier);
  const fullRange = { start: tenDaysAgo, end: today };
  let webhooks = 0;

  const api = async (path: string) => {
    const res = await fetch(`${gatewayUrl}${API}${path}`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(200);
    return res;
  };

  const send = async (records: ReturnType<typeof generation>[]) => {
    const answer = await sendWebhook(pipeline.ingestUrl, ORG, secret, `e2e-${++webhooks}`, { data: records });
    expect(answer).toMatchObject({ status: 202, body: { accepted: records.length } });
  };
  let secret: string;

  beforeAll(async () => {
    // Fail first, and clearly, when there is no browser; then get the page and the system ready side by side.
    browserStarting = launchChromium();
    browserStarting.catch(() => undefined); // awaited below; afterAll closes it whatever happens in between
    await buildDashboardIfStale();
    nbp = await startFakeNbp({ rate: { effectiveDate: today, mid: USD_PLN } });
    pipeline = await startPipeline(['pricing-fx', 'ingest', 'aggregator', 'gateway'], { NBP_API_URL: nbp.url, DASHBOARD_DIST_DIR: DIST });
    gatewayUrl = pipeline.services.gateway!.url;
    secret = await pipeline.createOrg(ORG, ZONE);
    token = await tokenFor('admin', 'dana@e2e.test');

    const at = (instant: Date) => instant.toISOString();
    await send([
      generation({ model: 'anthropic/claude-sonnet-4', native_tokens_prompt: 8000, native_tokens_completion: 2500, total_cost: '0.0641025', created_at: at(now), user: 'ana' }),
      generation({ model: 'openai/o3', native_tokens_prompt: 1000, native_tokens_completion: 234, total_cost: '0.5', created_at: at(now), user: 'ben' }),
      generation({ model: 'google/gemini-2.5-flash', native_tokens_prompt: 2400, native_tokens_completion: 600, total_cost: '0.01', created_at: at(now), user: 'ana' }),
      generation({ model: 'deepseek/deepseek-chat-v3-0324', native_tokens_prompt: 1600, native_tokens_completion: 400, total_cost: '0.01', created_at: at(now), user: 'cleo' }),
      ...[1, 2, 3].map(() => generation({ model: 'openai/gpt-4o-mini', native_tokens_prompt: 120, native_tokens_completion: 30, total_cost: '0.0015', created_at: at(now), user: 'ben' })),
      generation({ model: 'x-ai/grok-4', native_tokens_prompt: 999, native_tokens_completion: 0, total_cost: 0, created_at: at(now), user: 'cleo' }),
    ]);
    await send([
      generation({ model: 'anthropic/claude-sonnet-4', native_tokens_prompt: 4000, native_tokens_completion: 1250, total_cost: '0.0320513', created_at: at(earlier), user: 'dan' }),
      generation({ model: 'google/gemini-2.5-pro', native_tokens_prompt: 500, native_tokens_completion: 500, total_cost: '0.25', created_at: at(earlier), user: 'dan' }),
    ]);
    await pipeline.waitForRequests(ORG, 10);

    browser = await browserStarting;
    const context = await browser.newContext({ viewport: { width: 1360, height: 900 }, locale: 'en-US', timezoneId: ZONE, acceptDownloads: true });
    page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
    dash = new DashboardPage(page, gatewayUrl);
  }, 100_000);

  afterAll(async () => {
    await (await browserStarting?.catch(() => undefined))?.close();
    await pipeline?.stop();
    await nbp?.close();
  });

  it('lists the 12 catalog models in the API order, costs in USD and PLN as the API computed them', async () => {
    expect(await dash.open(token, { locale: 'en', query: `start=${fullRange.start}&end=${fullRange.end}` })).toBe('ready');
    expect(page.url()).not.toContain('token=');

    const rows = await dash.rows();
    const expectedOrder = [
      'openai/o3', // $0.65
      'google/gemini-2.5-pro', // $0.325
      'anthropic/claude-sonnet-4', // $0.12499994
      'google/gemini-2.5-flash', // $0.013, 3000 tokens: wins the tie on tokens
      'deepseek/deepseek-chat-v3-0324', // $0.013, 2000 tokens
      'openai/gpt-4o-mini', // $0.00585
      ...ZERO_MODELS,
    ];
    expect(rows.map((r) => r.modelId)).toEqual(expectedOrder);
    const body = (await (await api(`/usage-by-model?start=${fullRange.start}&end=${fullRange.end}`)).json()) as {
      model_usage: { model_name: string; cost_pln: number; markup_cost: number }[];
    };
    expect(rows.map((r) => r.modelId)).toEqual(body.model_usage.map((m) => m.model_name));

    const claude = rows.find((r) => r.modelId === 'anthropic/claude-sonnet-4')!;
    expect(claude).toEqual({
      modelId: 'anthropic/claude-sonnet-4',
      displayName: 'Claude Sonnet 4',
      provider: 'Anthropic',
      tokens: '15,750',
      requests: '2',
      costUsd: '$0.125', // markup 0.0961538 × 1.3
      costPln: '0.46 zł', // round_half_up(0.12499994 × 3.6521, 2), from the API
      daysUsed: '2',
      zero: false,
    });
    expect(rows[0]).toMatchObject({ modelId: 'openai/o3', tokens: '1,234', costUsd: '$0.65', costPln: '2.37 zł' });
    // Every PLN cell is the API's cost_pln, not a conversion of its own.
    expect(rows.map((r) => r.costPln)).toEqual(body.model_usage.map((m) => `${m.cost_pln.toFixed(2)} zł`));
    expect(rows.find((r) => r.modelId === 'x-ai/grok-4')).toMatchObject({ tokens: '999', costUsd: '$0.00', zero: false });
    expect(rows.filter((r) => r.zero).map((r) => r.modelId)).toEqual(ZERO_MODELS.filter((m) => m !== 'x-ai/grok-4'));

    expect(await dash.totals()).toEqual({ tokens: '24,433', requests: '10', costUsd: '$1.13', costPln: '4.13 zł' });
    expect(await dash.exchangeRate()).toEqual({ rate: '3.6521', source: 'NBP table A', date: expect.stringContaining('effective') });
    expect(await dash.topModels()).toEqual(['anthropic/claude-sonnet-4', 'google/gemini-2.5-flash', 'deepseek/deepseek-chat-v3-0324']);
  });

  it('formats numbers the Polish way after switching the language', async () => {
    await dash.switchLocale('pl');
    const claude = (await dash.rows()).find((r) => r.modelId === 'anthropic/claude-sonnet-4')!;
    expect(claude).toMatchObject({ tokens: '15 750', costUsd: '$0.125', costPln: '0,46 zł' });
    expect(await dash.totals()).toEqual({ tokens: '24 433', requests: '10', costUsd: '$1.13', costPln: '4,13 zł' });
    expect((await dash.exchangeRate()).rate).toBe('3,6521');
    expect(await page.getByTestId('usage-table').locator('thead').innerText()).toMatch(/Tokeny/i);
    await dash.switchLocale('en');
    expect((await dash.totals()).tokens).toBe('24,433');
  });

  it('shows other numbers for another range', async () => {
    expect(await dash.pickRange('last-7-days')).toBe('ready');
    expect(page.url()).toContain('range=last-7-days');
    let rows = await dash.rows();
    expect(rows.slice(0, 5).map((r) => r.modelId)).toEqual(['openai/o3', 'anthropic/claude-sonnet-4', 'google/gemini-2.5-flash', 'deepseek/deepseek-chat-v3-0324', 'openai/gpt-4o-mini']);
    expect(rows.find((r) => r.modelId === 'anthropic/claude-sonnet-4')).toMatchObject({ tokens: '10,500', costUsd: '$0.0833', daysUsed: '1' });
    expect(rows.find((r) => r.modelId === 'google/gemini-2.5-pro')).toMatchObject({ tokens: '0', costUsd: '$0.00', costPln: '0.00 zł', zero: true });
    expect(await dash.totals()).toEqual({ tokens: '18,183', requests: '8', costUsd: '$0.7652', costPln: '2.79 zł' });

    expect(await dash.pickRange({ start: tenDaysAgo, end: tenDaysAgo })).toBe('ready');
    rows = await dash.rows();
    expect(rows.slice(0, 2).map((r) => [r.modelId, r.tokens, r.costUsd])).toEqual([
      ['google/gemini-2.5-pro', '1,000', '$0.325'],
      ['anthropic/claude-sonnet-4', '5,250', '$0.0417'],
    ]);
    expect((await dash.totals()).tokens).toBe('6,250');

    expect(await dash.pickRange(fullRange)).toBe('ready');
    expect((await dash.totals()).tokens).toBe('24,433');
    expect(page.url()).toContain(`start=${fullRange.start}&end=${fullRange.end}`);
  });

  it("drills down into a model's days", async () => {
    const days = await dash.openDrillDown('anthropic/claude-sonnet-4');
    expect(await page.getByTestId('drill-title').innerText()).toBe('Claude Sonnet 4');
    // Latest day first: date, tokens, requests, USD, PLN.
    expect(days.map((d) => d.date)).toEqual([today, tenDaysAgo]);
    expect(days.map((d) => d.cells.slice(1))).toEqual([
      ['10,500', '1', '$0.0833', '0.30 zł'],
      ['5,250', '1', '$0.0417', '0.15 zł'],
    ]);
    await dash.closeDrillDown('escape');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-model'))).toBe('anthropic/claude-sonnet-4');

    await dash.openDrillDown('openai/gpt-4.1', 'keyboard');
    expect(await page.getByTestId('drill-empty').isVisible()).toBe(true);
    await dash.closeDrillDown('button');
  });

  it("downloads the CSV the gateway wrote for the range shown", async () => {
    const csv = await dash.downloadCsv();
    expect(csv.filename).toBe(`usage-by-model_${ORG}_${fullRange.start}_${fullRange.end}.csv`);
    const lines = csv.content.split('\r\n');
    expect(lines.pop()).toBe(''); // CRLF after the last line
    expect(lines).toHaveLength(13);
    expect(lines[0]).toBe('model_name,display_name,provider,total_tokens,total_requests,raw_cost,markup_cost,cost_pln,days_used');
    expect(lines[1]).toBe('openai/o3,O3,OpenAI,1234,1,0.5,0.65,2.37,1');
    expect(lines[3]).toBe('anthropic/claude-sonnet-4,Claude Sonnet 4,Anthropic,15750,2,0.0961538,0.12499994,0.46,2');
    expect(lines.slice(1).map((l) => l.split(',')[0])).toEqual((await dash.rows()).map((r) => r.modelId));
    expect(csv.content).toBe(await (await api(`/usage-by-model.csv?start=${fullRange.start}&end=${fullRange.end}`)).text());
  });

  it('updates the numbers without a reload when a webhook arrives (live events)', async () => {
    await dash.waitForLive();
    await page.evaluate(() => ((window as unknown as { e2eSameDocument: boolean }).e2eSameDocument = true));
    await send([generation({ model: 'openai/gpt-4.1', native_tokens_prompt: 4000, native_tokens_completion: 1000, total_cost: '0.04', created_at: new Date().toISOString(), user: 'eve' })]);

    await dash.waitForTotalTokens('29,433', 15_000);
    expect(await page.evaluate(() => (window as unknown as { e2eSameDocument?: boolean }).e2eSameDocument)).toBe(true);
    const rows = await dash.rows();
    expect(rows[3]).toMatchObject({ modelId: 'openai/gpt-4.1', tokens: '5,000', costUsd: '$0.052', costPln: '0.19 zł', zero: false });
    expect(await dash.totals()).toEqual({ tokens: '29,433', requests: '11', costUsd: '$1.18', costPln: '4.32 zł' });
  });

  it('shows a member tokens and requests, and no money', async () => {
    const memberPage = await page.context().newPage();
    try {
      const member = new DashboardPage(memberPage, gatewayUrl);
      expect(await member.open(await tokenFor('member', 'max@e2e.test'), { query: `start=${fullRange.start}&end=${fullRange.end}` })).toBe('ready');
      expect((await member.rows()).find((r) => r.modelId === 'anthropic/claude-sonnet-4')).toMatchObject({ tokens: '15,750', requests: '2', costUsd: '—' });
      expect(await member.totals()).toMatchObject({ tokens: '29,433', costUsd: '—' });
      expect(await memberPage.getByTestId('summary-highest-cost-day').innerText()).toContain('Visible to admins only');
    } finally {
      await memberPage.close();
    }
  });

  it('shows the error state while the gateway is down, and the data again after Retry', async () => {
    const gateway = pipeline.services.gateway!;
    await gateway.kill();
    await dash.refresh();
    await dash.waitForErrorState();
    expect(await dash.isErrorShown()).toBe(true);
    expect(await page.getByTestId('usage-table').count()).toBe(0);

    await gateway.restart();
    expect(await dash.clickRetry()).toBe('ready');
    expect(await dash.totals()).toEqual({ tokens: '29,433', requests: '11', costUsd: '$1.18', costPln: '4.32 zł' });
    expect((await dash.rows()).length).toBe(12);
    await dash.waitForLive(); // and the live stream found its way back
  });

  it('threw nothing in the page', () => {
    expect(pageErrors).toEqual([]);
  });
});
