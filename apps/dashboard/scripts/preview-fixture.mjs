#!/usr/bin/env node
// DEVELOPMENT FIXTURE ONLY — not the gateway, not part of the product.
// Serves apps/dashboard/dist and answers the dashboard API paths (contract section 5) with generated, realistic
// fixture JSON, so the page can be developed, screenshotted and driven by the page object without NATS/Postgres.
//
//   npx vite build --config apps/dashboard/vite.config.ts
//   node apps/dashboard/scripts/preview-fixture.mjs            # prints a URL with an admin token
//
// Env: FIXTURE_PORT (default 4173), FIXTURE_LATENCY_MS (default 120), FIXTURE_NO_SSE=1 (events → 404),
//      FIXTURE_SSE_INTERVAL_MS (emit a `usage` event periodically), FIXTURE_TODAY (YYYY-MM-DD, default: today
//      in Europe/Warsaw).
// Tokens (HS256 with the fixture secret, same claims as the real gateway's): GET /__fixture/token?org=&user=&role=
// Orgs: `acme` (rich usage), `empty-co` (no usage), `forbidden-org` (403). Role `member` nulls every cost.
// Test controls: GET /__fixture/fail?count=N&status=503 (next N API calls fail), GET /__fixture/emit (new usage
// arrives + a `usage` event is pushed), GET /__fixture/latency?ms=N, GET /__fixture/reset.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { dirname, extname, join, normalize, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const DIST = resolve(here, '..', 'dist');
const PORT = Number(process.env.FIXTURE_PORT ?? 4173);
const HOST = '127.0.0.1';
let latencyMs = Number(process.env.FIXTURE_LATENCY_MS ?? 120);
const SECRET = 'fixture-secret-not-for-production';
const TIMEZONE = 'Europe/Warsaw';
const MARKUP = 1.3;
const FX = { usd_pln: 3.6521, source: 'nbp', effective_date: null };
const API = '/api/v1/usage-tracking/my-organization';

// The default catalog (contract section 6) with a blended USD price per 1M tokens and a usage weight for the fixture.
const CATALOG = [
  ['anthropic/claude-sonnet-4', 'Claude Sonnet 4', 'Anthropic', 6.2, 1.0],
  ['google/gemini-2.5-flash', 'Gemini 2.5 Flash', 'Google', 0.62, 1.35],
  ['google/gemini-2.5-pro', 'Gemini 2.5 Pro', 'Google', 4.1, 0.42],
  ['deepseek/deepseek-chat-v3-0324', 'DeepSeek Chat v3', 'DeepSeek', 0.48, 0.55],
  ['anthropic/claude-3.7-sonnet', 'Claude 3.7 Sonnet', 'Anthropic', 6.1, 0.12],
  ['google/gemini-2.5-flash-lite-preview-06-17', 'Gemini 2.5 Flash Lite', 'Google', 0.17, 0.3],
  ['openai/gpt-4.1', 'GPT-4.1', 'OpenAI', 3.4, 0.5],
  ['x-ai/grok-4', 'Grok 4', 'xAI', 6.0, 0],
  ['openai/gpt-4o-mini', 'GPT-4o Mini', 'OpenAI', 0.27, 0.9],
  ['openai/o4-mini-high', 'O4 Mini High', 'OpenAI', 1.9, 0.08],
  ['openai/o3', 'O3', 'OpenAI', 3.8, 0],
  ['openai/chatgpt-4o-latest', 'ChatGPT-4o Latest', 'OpenAI', 7.5, 0],
].map(([model_name, display_name, provider, price, weight]) => ({ model_name, display_name, provider, price, weight }));

// ---------------------------------------------------------------------------------------------------------------
// Dates

const DAY_MS = 86_400_000;
const todayIn = (tz) =>
  new Intl.DateTimeFormat('en-CA', { timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
const TODAY = process.env.FIXTURE_TODAY ?? todayIn(TIMEZONE);
FX.effective_date = addDays(TODAY, -1);
const toMs = (d) => Date.parse(`${d}T00:00:00Z`);
function addDays(d, n) {
  return new Date(Date.parse(`${d}T00:00:00Z`) + n * DAY_MS).toISOString().slice(0, 10);
}
const isDate = (s) => typeof s === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(s) && !Number.isNaN(toMs(s)) && new Date(toMs(s)).toISOString().startsWith(s);
function eachDay(start, end) {
  const out = [];
  for (let ms = toMs(start); ms <= toMs(end); ms += DAY_MS) out.push(new Date(ms).toISOString().slice(0, 10));
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Deterministic usage: a hash of (org, model, day) drives the noise.

function hash(str) {
  let h = 2166136261;
  for (let i = 0; i < str.length; i++) h = Math.imul(h ^ str.charCodeAt(i), 16777619);
  return ((h >>> 0) % 100000) / 100000;
}

const extra = new Map(); // `${model}|${day}` → {tokens, requests} added via /__fixture/emit

function dayUsage(org, model, day) {
  if (org !== 'acme' || day > TODAY) return null;
  const age = (toMs(TODAY) - toMs(day)) / DAY_MS;
  if (age > 120) return null;
  let tokens = 0;
  let requests = 0;
  if (model.weight > 0) {
    const r = hash(`${org}|${model.model_name}|${day}`);
    const sporadic = model.weight < 0.2;
    if (!(sporadic && r > 0.35)) {
      const dow = new Date(toMs(day)).getUTCDay();
      const weekend = dow === 0 || dow === 6 ? 0.35 : 1;
      const growth = 1 + (60 - Math.min(age, 60)) / 120;
      tokens = Math.round(model.weight * 620_000 * weekend * growth * (0.55 + r * 0.9));
      const perRequest = 1200 + Math.round(hash(`${model.model_name}|rq`) * 2600);
      requests = Math.max(1, Math.round(tokens / perRequest));
    }
  }
  const add = extra.get(`${model.model_name}|${day}`);
  if (add) {
    tokens += add.tokens;
    requests += add.requests;
  }
  if (tokens === 0) return null;
  const raw = Math.round(((tokens / 1e6) * model.price) * 1e7) / 1e7;
  return { tokens, requests, raw };
}

const round9 = (x) => Math.round(x * 1e9) / 1e9;
const roundHalfUp2 = (x) => Math.floor(x * 100 + 0.5 + 1e-9) / 100;

function money(raw, member) {
  const markup = round9(raw * MARKUP);
  return member
    ? { raw_cost: null, markup_cost: null, cost_pln: null }
    : { raw_cost: round9(raw), markup_cost: markup, cost_pln: roundHalfUp2(markup * FX.usd_pln) };
}

function breakdown(claims, start, end) {
  const member = claims.role === 'member';
  const days = eachDay(start, end);
  const rows = CATALOG.map((m) => {
    let tokens = 0;
    let requests = 0;
    let raw = 0;
    let used = 0;
    for (const day of days) {
      const u = dayUsage(claims.org, m, day);
      if (!u) continue;
      tokens += u.tokens;
      requests += u.requests;
      raw += u.raw;
      used += 1;
    }
    return { m, tokens, requests, raw, used };
  });
  const model_usage = rows.map(({ m, tokens, requests, raw, used }) => ({
    model_name: m.model_name,
    display_name: m.display_name,
    provider: m.provider,
    total_tokens: tokens,
    total_requests: requests,
    ...money(raw, member),
    days_used: used,
    _markup: round9(raw * MARKUP),
  }));
  model_usage.sort((a, b) => {
    const pa = a._markup > 0;
    const pb = b._markup > 0;
    if (pa !== pb) return pa ? -1 : 1;
    if (pa && b._markup !== a._markup) return b._markup - a._markup;
    if (pa && b.total_tokens !== a.total_tokens) return b.total_tokens - a.total_tokens;
    return a.model_name < b.model_name ? -1 : 1;
  });
  const totalRaw = rows.reduce((s, r) => s + r.raw, 0);
  return {
    success: true,
    period: { start, end, timezone: TIMEZONE },
    exchange_rate: { ...FX },
    model_usage: model_usage.map(({ _markup, ...rest }) => rest),
    totals: {
      total_tokens: rows.reduce((s, r) => s + r.tokens, 0),
      total_requests: rows.reduce((s, r) => s + r.requests, 0),
      ...money(totalRaw, member),
    },
  };
}

function topModels(claims, start, end) {
  return breakdown(claims, start, end)
    .model_usage.filter((m) => m.total_tokens > 0)
    .sort((a, b) => b.total_tokens - a.total_tokens || (a.model_name < b.model_name ? -1 : 1))
    .slice(0, 3)
    .map((m) => ({ model_name: m.model_name, total_tokens: m.total_tokens }));
}

function daily(claims, start, end, modelFilter) {
  const member = claims.role === 'member';
  const rows = [];
  for (const day of eachDay(start, end)) {
    for (const m of CATALOG) {
      if (modelFilter && m.model_name !== modelFilter) continue;
      const u = dayUsage(claims.org, m, day);
      if (!u) continue;
      rows.push({
        date: day,
        model_name: m.model_name,
        display_name: m.display_name,
        provider: m.provider,
        total_tokens: u.tokens,
        total_requests: u.requests,
        ...money(u.raw, member),
      });
    }
  }
  return { success: true, period: { start, end, timezone: TIMEZONE }, daily_usage: rows };
}

function monthlySummary(claims, month) {
  const start = `${month}-01`;
  const monthEnd = addDays(new Date(Date.UTC(Number(month.slice(0, 4)), Number(month.slice(5, 7)), 1)).toISOString().slice(0, 10), -1);
  const end = TODAY < monthEnd && TODAY >= start ? TODAY : monthEnd;
  const days = eachDay(start, end);
  const member = claims.role === 'member';
  let tokens = 0;
  let raw = 0;
  let active = 0;
  let busiest = null;
  let costliest = null;
  for (const day of days) {
    let t = 0;
    let r = 0;
    for (const m of CATALOG) {
      const u = dayUsage(claims.org, m, day);
      if (u) {
        t += u.tokens;
        r += u.raw;
      }
    }
    tokens += t;
    raw += r;
    if (t > 0) active += 1;
    if (t > 0 && (!busiest || t > busiest.total_tokens)) busiest = { date: day, total_tokens: t };
    if (r > 0 && (!costliest || r > costliest.raw)) costliest = { date: day, raw };
  }
  const markup = raw * MARKUP;
  return {
    success: true,
    month,
    timezone: TIMEZONE,
    average_daily_tokens: Math.round(tokens / days.length),
    average_daily_cost: member ? null : Math.round((markup / days.length) * 1e4) / 1e4,
    average_usage_day_tokens: active ? Math.round(tokens / active) : 0,
    busiest_day: busiest,
    highest_cost_day: costliest ? { date: costliest.date, ...(({ markup_cost, cost_pln }) => ({ markup_cost, cost_pln }))(money(costliest.raw, member)) } : null,
    total_unique_users: claims.org === 'acme' && tokens > 0 ? 17 + Math.round(hash(month) * 9) : 0,
    top_models: topModels(claims, start, end),
  };
}

function csv(claims, start, end) {
  const body = breakdown(claims, start, end);
  const cell = (v) => (v === null ? '' : /[",\n]/.test(String(v)) ? `"${String(v).replace(/"/g, '""')}"` : String(v));
  const lines = [['model_name', 'display_name', 'provider', 'total_tokens', 'total_requests', 'raw_cost', 'markup_cost', 'cost_pln', 'days_used'].join(',')];
  for (const m of body.model_usage) {
    lines.push([m.model_name, m.display_name, m.provider, m.total_tokens, m.total_requests, m.raw_cost, m.markup_cost, m.cost_pln, m.days_used].map(cell).join(','));
  }
  return lines.join('\r\n') + '\r\n';
}

// ---------------------------------------------------------------------------------------------------------------
// JWT (HS256) — the fixture's own tokens, with the gateway's claims.

const b64url = (buf) => Buffer.from(buf).toString('base64url');
function signToken({ org, user, role, ttlSeconds = 3600 }) {
  const now = Math.floor(Date.now() / 1000);
  const header = b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
  const payload = b64url(JSON.stringify({ sub: user, org, role, iat: now, exp: now + ttlSeconds, iss: 'mai-usage', aud: 'mai-dashboard' }));
  const sig = createHmac('sha256', SECRET).update(`${header}.${payload}`).digest('base64url');
  return `${header}.${payload}.${sig}`;
}
function verifyToken(token) {
  const parts = (token ?? '').split('.');
  if (parts.length !== 3) return null;
  const expected = createHmac('sha256', SECRET).update(`${parts[0]}.${parts[1]}`).digest();
  const got = Buffer.from(parts[2], 'base64url');
  if (got.length !== expected.length || !timingSafeEqual(got, expected)) return null;
  try {
    const claims = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
    if (typeof claims.exp === 'number' && claims.exp * 1000 < Date.now()) return null;
    return claims;
  } catch {
    return null;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// HTTP

const MIME = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml', '.map': 'application/json', '.png': 'image/png', '.ico': 'image/x-icon' };
let failNext = { count: 0, status: 503 };
const sseClients = new Set();

function send(res, status, body, headers = {}) {
  const json = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store', ...headers });
  res.end(json);
}
const fail = (res, status, error, headers) => send(res, status, { success: false, error, statusCode: status }, headers);

function rangeFrom(q) {
  const start = q.get('start') ?? `${TODAY.slice(0, 7)}-01`;
  const end = q.get('end') ?? TODAY;
  if (!isDate(start) || !isDate(end)) return { error: 'start and end must be YYYY-MM-DD dates' };
  if (start > end) return { error: 'start must not be after end' };
  if ((toMs(end) - toMs(start)) / DAY_MS + 1 > 366) return { error: 'the range must not exceed 366 days' };
  return { start, end };
}

function serveStatic(req, res, pathname) {
  if (!existsSync(DIST)) {
    res.writeHead(500, { 'Content-Type': 'text/plain' });
    res.end('apps/dashboard/dist is missing: run `npx vite build --config apps/dashboard/vite.config.ts` first.\n');
    return;
  }
  let file = normalize(join(DIST, decodeURIComponent(pathname)));
  if (!file.startsWith(DIST)) file = join(DIST, 'index.html');
  if (!existsSync(file) || statSync(file).isDirectory()) file = join(DIST, 'index.html'); // SPA fallback
  res.writeHead(200, { 'Content-Type': MIME[extname(file)] ?? 'application/octet-stream', 'Cache-Control': 'no-cache' });
  createReadStream(file).pipe(res);
}

function emitUsage() {
  // New usage lands today on two models, then every open stream hears about it.
  for (const [model, tokens] of [['anthropic/claude-sonnet-4', 48_000], ['google/gemini-2.5-flash', 91_000]]) {
    const key = `${model}|${TODAY}`;
    const prev = extra.get(key) ?? { tokens: 0, requests: 0 };
    extra.set(key, { tokens: prev.tokens + tokens, requests: prev.requests + Math.round(tokens / 2400) });
  }
  for (const client of sseClients) client.write(`event: usage\ndata: ${JSON.stringify({ at: new Date().toISOString() })}\n\n`);
  return sseClients.size;
}

const server = createServer(async (req, res) => {
  const url = new URL(req.url ?? '/', `http://${HOST}:${PORT}`);
  const { pathname, searchParams: q } = url;

  if (pathname.startsWith('/__fixture/')) {
    if (pathname === '/__fixture/token') {
      return send(res, 200, { token: signToken({ org: q.get('org') ?? 'acme', user: q.get('user') ?? 'alice@acme.test', role: q.get('role') ?? 'admin', ttlSeconds: Number(q.get('ttl') ?? 3600) }) });
    }
    if (pathname === '/__fixture/fail') {
      failNext = { count: Number(q.get('count') ?? 1), status: Number(q.get('status') ?? 503) };
      return send(res, 200, { ok: true, ...failNext });
    }
    if (pathname === '/__fixture/latency') {
      latencyMs = Number(q.get('ms') ?? 0);
      return send(res, 200, { ok: true, latencyMs });
    }
    if (pathname === '/__fixture/emit') return send(res, 200, { ok: true, clients: emitUsage() });
    if (pathname === '/__fixture/reset') {
      failNext = { count: 0, status: 503 };
      latencyMs = Number(process.env.FIXTURE_LATENCY_MS ?? 120);
      extra.clear();
      return send(res, 200, { ok: true });
    }
    return fail(res, 404, 'unknown fixture control');
  }

  if (!pathname.startsWith('/api/')) return serveStatic(req, res, pathname);
  if (pathname === '/api/openapi.json') return send(res, 200, { openapi: '3.1.0', info: { title: 'fixture', version: '0' }, paths: {} });

  if (latencyMs > 0) await new Promise((r) => setTimeout(r, latencyMs));

  const bearer = /^Bearer (.+)$/i.exec(req.headers.authorization ?? '')?.[1];
  const token = bearer ?? (pathname === `${API}/events` ? q.get('access_token') : null);
  const claims = token ? verifyToken(token) : null;
  if (!claims) return fail(res, 401, 'Unauthorized');
  if (!claims.org || claims.org === 'forbidden-org') return fail(res, 403, 'Forbidden: no organization for this token');

  if (pathname === `${API}/events`) {
    if (process.env.FIXTURE_NO_SSE === '1') return fail(res, 404, 'Not Found');
    res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-store', Connection: 'keep-alive' });
    res.write('retry: 3000\n: connected\n\n');
    sseClients.add(res);
    const ping = setInterval(() => res.write(': ping\n\n'), 15_000);
    req.on('close', () => {
      clearInterval(ping);
      sseClients.delete(res);
    });
    return;
  }

  if (failNext.count > 0) {
    failNext.count -= 1;
    return fail(res, failNext.status, 'Fixture: simulated upstream failure');
  }

  if (pathname === `${API}/usage-by-model`) {
    const r = rangeFrom(q);
    return r.error ? fail(res, 400, r.error) : send(res, 200, breakdown(claims, r.start, r.end));
  }
  if (pathname === `${API}/usage-by-model/daily`) {
    const r = rangeFrom(q);
    return r.error ? fail(res, 400, r.error) : send(res, 200, daily(claims, r.start, r.end, q.get('model') ?? undefined));
  }
  if (pathname === `${API}/usage-by-model.csv`) {
    const r = rangeFrom(q);
    if (r.error) return fail(res, 400, r.error);
    res.writeHead(200, {
      'Content-Type': 'text/csv; charset=utf-8',
      'Content-Disposition': `attachment; filename="usage-by-model_${r.start}_${r.end}.csv"`,
      'Cache-Control': 'no-store',
    });
    return res.end(csv(claims, r.start, r.end));
  }
  if (pathname === `${API}/top-models`) {
    const r = rangeFrom(q);
    return r.error ? fail(res, 400, r.error) : send(res, 200, { success: true, top_models: topModels(claims, r.start, r.end) });
  }
  if (pathname === `${API}/monthly-summary`) {
    const month = q.get('month') ?? TODAY.slice(0, 7);
    if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(month)) return fail(res, 400, 'month must be YYYY-MM');
    return send(res, 200, monthlySummary(claims, month));
  }
  return fail(res, 404, 'Not Found');
});

if (process.env.FIXTURE_SSE_INTERVAL_MS) setInterval(emitUsage, Number(process.env.FIXTURE_SSE_INTERVAL_MS));

server.listen(PORT, HOST, () => {
  const token = signToken({ org: 'acme', user: 'alice@acme.test', role: 'admin', ttlSeconds: 8 * 3600 });
  console.log(`[preview-fixture] DEVELOPMENT FIXTURE — fake API, not the gateway. Today is ${TODAY} (${TIMEZONE}).`);
  console.log(`[preview-fixture] open http://${HOST}:${PORT}/#token=${token}`);
});

export { server, signToken };
