#!/usr/bin/env node
// Screenshots of the real, running system (`npm start`, then `npm run demo`) for docs/screenshots: light and dark,
// English and Polish, a drill-down, the member view and a phone. Debian's Chromium driven by playwright-core.
//
//   node apps/dashboard/scripts/screenshots.mjs [--only=name]
//
// Env: DASHBOARD_URL (default http://localhost:$GATEWAY_PORT, 3000), DEMO_ORG (default demo); the admin and member
// tokens are signed with JWT_SECRET (from the environment or .env, as `npm start` writes it), or DASHBOARD_TOKEN.
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SignJWT } from 'jose';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(here, '../../..');
const OUT = resolve(ROOT, 'docs/screenshots');
if (existsSync(resolve(ROOT, '.env'))) process.loadEnvFile(resolve(ROOT, '.env'));
const BASE = process.env.DASHBOARD_URL ?? `http://localhost:${process.env.GATEWAY_PORT || 3000}`;
const ORG = process.env.DEMO_ORG ?? 'demo';
const only = process.argv.find((a) => a.startsWith('--only='))?.slice(7);
mkdirSync(OUT, { recursive: true });

async function token(role, user) {
  if (process.env.DASHBOARD_TOKEN && role === 'admin') return process.env.DASHBOARD_TOKEN;
  if (!process.env.JWT_SECRET) throw new Error('set JWT_SECRET (npm start writes it to .env) or DASHBOARD_TOKEN');
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ org: ORG, role })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(user)
    .setIssuer(process.env.JWT_ISSUER ?? 'mai-usage')
    .setAudience(process.env.JWT_AUDIENCE ?? 'mai-dashboard')
    .setIssuedAt(now)
    .setExpirationTime(now + 3600)
    .sign(new TextEncoder().encode(process.env.JWT_SECRET));
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});

async function shoot(name, { theme = 'light', locale = 'en', tok, query = 'range=last-30-days', width = 1440, height = 900, fullPage = true, after }) {
  if (only && !name.includes(only)) return;
  const context = await browser.newContext({
    viewport: { width, height },
    colorScheme: theme,
    deviceScaleFactor: 1,
    locale: locale === 'pl' ? 'pl-PL' : 'en-US',
    timezoneId: 'Europe/Warsaw',
  });
  const page = await context.newPage();
  page.on('pageerror', (err) => console.error(`[${name}] page error:`, err.message));
  await page.addInitScript(
    ([l, t]) => {
      localStorage.setItem('mai-usage.locale', l);
      localStorage.setItem('mai-usage.theme', t);
    },
    [locale, theme],
  );
  await page.goto(`${BASE}/${query ? `?${query}` : ''}${tok ? `#token=${tok}` : ''}`);
  // Settled: the table and every card loaded, the live stream connected (so the header says "Live").
  await page.waitForFunction(
    () =>
      document.querySelector('[data-testid="org-unavailable"], [data-testid="error-state"]') ||
      (document.querySelector('[data-testid="usage-table"][aria-busy="false"] [data-testid="usage-totals"]') &&
        !document.querySelector('[aria-busy="true"]') &&
        document.querySelector('[data-testid="live-status"]')?.getAttribute('data-status') === 'live'),
    undefined,
    { timeout: 20_000 },
  );
  await page.waitForTimeout(300);
  if (after) await after(page);
  await page.screenshot({ path: resolve(OUT, `${name}.png`), fullPage });
  console.log(`wrote docs/screenshots/${name}.png`);
  await context.close();
}

const openDrill = (nth, via) => async (page) => {
  const row = page.locator('[data-testid="usage-row"]').nth(nth);
  if (via === 'keyboard') {
    await row.focus();
    await page.keyboard.press('Enter');
  } else await row.click();
  await page.waitForSelector('[data-testid="drill-table"]');
  await page.waitForTimeout(400);
};

try {
  const admin = await token('admin', 'anna.kowalska@demo.example');
  for (const theme of ['light', 'dark']) {
    for (const locale of ['en', 'pl']) await shoot(`dashboard-${theme}-${locale}`, { theme, locale, tok: admin });
  }
  await shoot('drilldown-light-en', { tok: admin, fullPage: false, after: openDrill(0) });
  await shoot('drilldown-dark-pl', { tok: admin, theme: 'dark', locale: 'pl', fullPage: false, after: openDrill(1, 'keyboard') });
  await shoot('member-light-en', { tok: await token('member', 'piotr.nowak@demo.example') });
  await shoot('mobile-light-en', { tok: admin, width: 390, height: 844 });
} finally {
  await browser.close();
}
