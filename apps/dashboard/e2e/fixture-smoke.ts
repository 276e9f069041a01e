// DEVELOPMENT CHECK against the preview fixture (fake API), not the real end-to-end test: drives every
// page-object function once so the page object and the data-testids stay in step.
//
//   npx vite build --config apps/dashboard/vite.config.ts
//   node -r @swc-node/register apps/dashboard/e2e/fixture-smoke.ts
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { strict as assert } from 'node:assert';
import { chromium } from 'playwright-core';
import { DashboardPage } from './dashboard.page';

const PORT = 4175;
const BASE = `http://127.0.0.1:${PORT}`;

async function main(): Promise<void> {
  const fixture = spawn(process.execPath, [resolve(__dirname, '../scripts/preview-fixture.mjs')], {
    env: { ...process.env, FIXTURE_PORT: String(PORT), FIXTURE_LATENCY_MS: '30' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((ok) => fixture.stdout!.on('data', (d) => String(d).includes('open http') && ok()));
  const get = async (path: string) => (await fetch(`${BASE}${path}`)).json() as Promise<Record<string, unknown>>;
  const token = async (org = 'acme', role = 'admin') => String((await get(`/__fixture/token?org=${org}&role=${role}&user=smoke`)).token);

  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const step = (name: string) => console.log(`✓ ${name}`);
  try {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
    const page = await context.newPage();
    page.on('pageerror', (e) => {
      throw e;
    });
    const dash = new DashboardPage(page, BASE);

    assert.equal(await dash.open(await token(), { locale: 'en' }), 'ready');
    assert.equal(page.url().includes('token='), false, 'token must be removed from the URL');
    const rows = await dash.rows();
    assert.equal(rows.length, 12);
    const apiOrder = (await (
      await fetch(`${BASE}/api/v1/usage-tracking/my-organization/usage-by-model`, { headers: { Authorization: `Bearer ${await token()}` } })
    ).json()) as { model_usage: { model_name: string }[] };
    assert.deepEqual(rows.map((r) => r.modelId), apiOrder.model_usage.map((m) => m.model_name), 'rows in API order');
    assert.ok(rows.some((r) => r.zero), 'some rows are muted');
    assert.ok(rows.every((r) => !r.zero || r.tokens === '0'));
    assert.match(rows[0]!.tokens, /^\d{1,3}(,\d{3})*$/);
    assert.match(rows[0]!.costUsd, /^\$\d/);
    assert.match(rows[0]!.costPln, /^\d[\d,]*\.\d\d zł$/);
    step(`open with token → ${rows.length} rows, first ${rows[0]!.displayName} ${rows[0]!.tokens} ${rows[0]!.costUsd} / ${rows[0]!.costPln}`);

    const totals = await dash.totals();
    step(`totals ${JSON.stringify(totals)}`);
    step(`fx ${JSON.stringify(await dash.exchangeRate())}`);
    step(`top models ${JSON.stringify(await dash.topModels())}`);

    await page.waitForFunction(() => document.querySelector('[data-testid="live-status"]')?.getAttribute('data-status') === 'live');
    const before = (await dash.totals()).tokens;
    const refetched = page.waitForResponse((r) => r.url().includes('/usage-by-model?'));
    await get('/__fixture/emit');
    await refetched;
    await page.waitForFunction((prev) => document.querySelector('[data-testid="total-tokens"]')?.textContent?.trim() !== prev, before);
    step(`live refresh: ${before} → ${(await dash.totals()).tokens}`);

    await dash.switchLocale('pl');
    const plRows = await dash.rows();
    assert.match(plRows[0]!.costPln, /,\d\d zł$/);
    assert.match((await dash.totals()).tokens, /^\d{1,3}( \d{3})+$/);
    step(`switch locale → pl: ${plRows[0]!.tokens} · ${plRows[0]!.costPln}`);
    await dash.switchLocale('en');

    assert.equal(await dash.pickRange('last-month'), 'ready');
    assert.match(await page.getByTestId('period-label').innerText(), /Nov 1\s?–\s?30, 2026/);
    step('pick range: last month');
    assert.equal(await dash.pickRange({ start: '2026-11-10', end: '2026-11-20' }), 'ready');
    assert.ok(page.url().includes('start=2026-11-10'));
    step('pick range: custom 2026-11-10 … 2026-11-20');
    assert.equal(await dash.pickRange('last-7-days'), 'ready');
    step('pick range: last 7 days');

    const drill = await dash.openDrillDown('anthropic/claude-sonnet-4', 'keyboard');
    assert.equal(drill.length, 7);
    step(`drill-down (keyboard) → ${drill.length} days, latest ${drill[0]!.cells.join(' | ')}`);
    await dash.closeDrillDown('escape');
    const focused = await page.evaluate(() => document.activeElement?.getAttribute('data-model'));
    assert.equal(focused, 'anthropic/claude-sonnet-4', 'focus returns to the row');
    step('Escape closes the drill-down and focus returns to the row');
    await dash.openDrillDown('openai/o3');
    assert.equal(await page.getByTestId('drill-empty').isVisible(), true);
    await dash.closeDrillDown('button');
    step('drill-down of an unused model shows its empty state');

    const csv = await dash.downloadCsv();
    assert.match(csv.filename, /^usage-by-model_\d{4}-\d\d-\d\d_\d{4}-\d\d-\d\d\.csv$/);
    assert.equal(csv.content.trim().split(/\r?\n/).length, 13);
    step(`CSV download → ${csv.filename}, ${csv.content.length} bytes`);

    await get('/__fixture/fail?count=100&status=503');
    await page.getByTestId('refresh-button').click();
    assert.equal(await dash.waitForSettled(), 'error');
    assert.equal(await dash.isErrorShown(), true);
    await get('/__fixture/reset');
    assert.equal(await dash.clickRetry(), 'ready');
    step('error state → Retry → data');

    assert.equal(await dash.toggleTheme(), 'dark');
    await page.reload();
    assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), 'dark');
    step('theme toggle persists across reload (token kept in sessionStorage)');

    // Member: costs withheld.
    const memberPage = new DashboardPage(await context.newPage(), BASE);
    assert.equal(await memberPage.open(await token('acme', 'member')), 'ready');
    const memberRows = await memberPage.rows();
    assert.equal(memberRows[0]!.costUsd, '—');
    assert.equal((await memberPage.totals()).costUsd, '—');
    step('member sees — for costs');
    await memberPage.page.close();

    // Empty org.
    const emptyPage = new DashboardPage(await context.newPage(), BASE);
    assert.equal(await emptyPage.open(await token('empty-co')), 'ready');
    assert.equal(await emptyPage.isEmptyStateShown(), true);
    assert.ok((await emptyPage.rows()).every((r) => r.zero));
    step('empty org → "No usage in this period" above 12 muted rows');
    await emptyPage.page.close();

    // No token, then sign in through the form; a 403 org; a bad token.
    const fresh = await browser.newContext();
    const anon = new DashboardPage(await fresh.newPage(), BASE);
    assert.equal(await anon.open(null), 'org-unavailable');
    assert.equal(await anon.signInWithForm(await token()), 'ready');
    step('no token → warning card → development sign-in → data');
    const forbidden = new DashboardPage(await fresh.newPage(), BASE);
    assert.equal(await forbidden.open(await token('forbidden-org')), 'org-unavailable');
    step('403 → organization data unavailable');
    const bad = new DashboardPage(await fresh.newPage(), BASE);
    assert.equal(await bad.open('eyJhbGciOiJIUzI1NiJ9.eyJvcmciOiJhY21lIn0.bad'), 'org-unavailable');
    step('401 → organization data unavailable');
    await fresh.close();

    // Host application handing over the token with postMessage (the page inside an iframe).
    const host = await (await browser.newContext()).newPage();
    await host.goto(`${BASE}/__fixture/reset`);
    const hostToken = await token();
    await host.setContent(`<iframe id="dash" src="${BASE}/" style="width:1200px;height:800px"></iframe>
      <script>addEventListener('message', (e) => { if (e.data && e.data.type === 'mai-usage-ready') e.source.postMessage({ type: 'mai-usage-token', token: ${JSON.stringify(hostToken)} }, '*'); });</script>`);
    const frame = host.frameLocator('#dash');
    await frame.locator('[data-testid="usage-totals"]').waitFor();
    step('postMessage token from the host window → data in the iframe');
  } finally {
    await browser.close();
    fixture.kill();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
