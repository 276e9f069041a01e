#!/usr/bin/env node
// DEVELOPMENT TOOL — screenshots of the built dashboard against the preview fixture (fake API), with Debian's
// chromium driven by playwright-core. Writes apps/dashboard/screenshots/*.png.
//
//   npx vite build --config apps/dashboard/vite.config.ts && node apps/dashboard/scripts/screenshots.mjs [--only=name]
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
const OUT = resolve(here, '..', 'screenshots');
const PORT = Number(process.env.FIXTURE_PORT ?? 4174);
const BASE = `http://127.0.0.1:${PORT}`;
const only = process.argv.find((a) => a.startsWith('--only='))?.slice(7);
mkdirSync(OUT, { recursive: true });

const fixture = spawn(process.execPath, [resolve(here, 'preview-fixture.mjs')], {
  env: { ...process.env, FIXTURE_PORT: String(PORT), FIXTURE_LATENCY_MS: '0' },
  stdio: ['ignore', 'pipe', 'inherit'],
});
await new Promise((ok, fail) => {
  fixture.stdout.on('data', (d) => String(d).includes('open http') && ok());
  fixture.on('exit', (code) => fail(new Error(`fixture exited ${code}`)));
});

const get = async (path) => (await fetch(`${BASE}${path}`)).json();
const token = async (org = 'acme', role = 'admin', user = 'alice@acme.test') =>
  (await get(`/__fixture/token?org=${org}&role=${role}&user=${encodeURIComponent(user)}`)).token;

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});

async function shoot(name, { theme = 'light', locale = 'en', tok, query = 'range=last-30-days', width = 1440, height = 900, fullPage = true, before, after, settle = true }) {
  if (only && !name.includes(only)) return;
  const context = await browser.newContext({ viewport: { width, height }, colorScheme: theme, deviceScaleFactor: 1, locale: locale === 'pl' ? 'pl-PL' : 'en-US', acceptDownloads: true });
  const page = await context.newPage();
  page.on('pageerror', (err) => console.error(`[${name}] page error:`, err.message));
  page.on('console', (msg) => msg.type() === 'error' && console.error(`[${name}] console:`, msg.text()));
  await page.addInitScript((l) => localStorage.setItem('mai-usage.locale', l), locale);
  if (before) await before(page);
  await page.goto(`${BASE}/${query ? `?${query}` : ''}${tok ? `#token=${tok}` : ''}`);
  if (settle) {
    await page.waitForFunction(() =>
      document.querySelector('[data-testid="org-unavailable"], [data-testid="error-state"]') ||
      (document.querySelector('[data-testid="usage-table"][aria-busy="false"] [data-testid="usage-totals"]') &&
        !document.querySelector('[aria-busy="true"]')),
    );
    await page.waitForTimeout(250);
  }
  if (after) await after(page);
  await page.screenshot({ path: resolve(OUT, `${name}.png`), fullPage });
  console.log(`wrote screenshots/${name}.png`);
  await context.close();
}

try {
  const admin = await token();
  for (const theme of ['light', 'dark']) {
    for (const locale of ['en', 'pl']) {
      await shoot(`dashboard-${theme}-${locale}`, { theme, locale, tok: admin });
    }
  }
  await shoot('drilldown-light-en', {
    tok: admin,
    fullPage: false,
    after: async (page) => {
      await page.locator('[data-testid="usage-row"]').first().click();
      await page.waitForSelector('[data-testid="drill-table"]');
      await page.waitForTimeout(300);
    },
  });
  await shoot('drilldown-dark-pl', {
    tok: admin,
    theme: 'dark',
    locale: 'pl',
    fullPage: false,
    after: async (page) => {
      await page.locator('[data-testid="usage-row"]').nth(1).focus();
      await page.keyboard.press('Enter');
      await page.waitForSelector('[data-testid="drill-table"]');
      await page.waitForTimeout(300);
    },
  });
  await shoot('chart-hover-light-en', {
    tok: admin,
    fullPage: false,
    after: async (page) => {
      const box = await page.locator('[data-testid="trend-chart"] svg').boundingBox();
      await page.mouse.move(box.x + box.width * 0.72, box.y + box.height / 2);
      await page.waitForTimeout(200);
    },
  });
  await shoot('member-light-en', { tok: await token('acme', 'member', 'bob@acme.test') });
  await shoot('empty-light-en', { tok: await token('empty-co', 'admin', 'eve@empty.test'), query: '' });
  await shoot('error-light-en', { tok: admin, before: async () => get('/__fixture/fail?count=4&status=503') });
  await get('/__fixture/reset');
  await get('/__fixture/latency?ms=0');
  await shoot('org-unavailable-light-en', { tok: null });
  await shoot('org-unavailable-dark-pl', { tok: await token('forbidden-org'), theme: 'dark', locale: 'pl' });
  await shoot('loading-light-en', {
    tok: admin,
    settle: false,
    before: async () => get('/__fixture/latency?ms=5000'),
    after: async (page) => page.waitForTimeout(600),
  });
  await get('/__fixture/latency?ms=0');
  await shoot('mobile-light-en', { tok: admin, width: 390, height: 844 });
  await shoot('focus-keyboard-light-en', {
    tok: admin,
    fullPage: false,
    after: async (page) => {
      await page.locator('[data-testid="usage-row"]').nth(2).focus();
      await page.keyboard.press('ArrowDown');
      await page.locator('[data-testid="usage-table"]').scrollIntoViewIfNeeded();
    },
  });
} finally {
  await browser.close();
  fixture.kill();
}
