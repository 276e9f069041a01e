// Benchmark: dashboard report latency on a year of daily data for 1 000 orgs × 12 models (4.4 M rows).
//
//   node -r @swc-node/register bench/gateway-queries.ts [--orgs 1000] [--requests 2000] [--concurrency 1,8] [--keep]
//
// Seeds a fresh database (generate_series, written day by day across all orgs as the aggregator would, so
// one org's rows are spread over the table rather than packed together), starts pricing-fx and the gateway
// as real processes on 127.0.0.1 (a local NBP stand-in answers rates), and measures p50/p99 of
// usage-by-model with a fixed number of requests at bounded concurrency. Needs Postgres and NATS
// (DATABASE_URL / NATS_URL, defaults the local ones).
import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import { SignJWT } from 'jose';
import { Pool as HttpPool } from 'undici';
import { DEFAULT_CATALOG, addDays, dayInZone } from '@mai/domain';
import { createPool, ensureDatabase, migrate } from '@mai/persistence';
import { ServiceProcess, TEST_JWT_SECRET, startFakeNbp, testServiceUrls } from '@mai/testing';

const { values: args } = parseArgs({
  options: {
    orgs: { type: 'string', default: '1000' },
    requests: { type: 'string', default: '2000' },
    concurrency: { type: 'string', default: '1,8' },
    keep: { type: 'boolean', default: false },
  },
});
const ORGS = Number(args.orgs);
const REQUESTS = Number(args.requests);
const CONCURRENCIES = args.concurrency!.split(',').map(Number);
const DAYS = 365;
const API = '/api/v1/usage-tracking/my-organization';
const say = (message: string) => process.stdout.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`);

async function main(): Promise<void> {
  const runId = `${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;
  const { databaseUrl: adminUrl, natsUrl } = testServiceUrls();
  const databaseUrl = new URL(adminUrl);
  databaseUrl.pathname = `/usage_bench_${runId}`;
  const today = dayInZone(new Date(), 'UTC');
  const firstDay = addDays(today, -(DAYS - 1));
  say(`machine: ${cpus().length} cores (${cpus()[0]?.model.trim()}), node ${process.version}`);
  say(`fresh database ${databaseUrl.pathname.slice(1)}: ${ORGS} orgs × ${DEFAULT_CATALOG.length} models × ${DAYS} days (${firstDay} … ${today})`);

  await ensureDatabase(databaseUrl.toString());
  const pool = createPool(databaseUrl.toString(), { max: 2, application_name: 'bench' });
  const services: ServiceProcess[] = [];
  const nbp = await startFakeNbp({ rate: { effectiveDate: addDays(today, -1), mid: 3.6521 } });
  try {
    await migrate(pool);
    await seed(pool, firstDay, today);

    const env = {
      DATABASE_URL: databaseUrl.toString(),
      NATS_URL: natsUrl,
      USAGE_STREAM: `USAGE_BENCH_${runId.toUpperCase()}`,
      NATS_SUBJECT_PREFIX: `bench${runId}.`,
      JWT_SECRET: TEST_JWT_SECRET,
      NBP_API_URL: nbp.url,
      LOG_LEVEL: 'warn',
    };
    say('starting pricing-fx and gateway');
    services.push(await ServiceProcess.start('pricing-fx', env));
    const gateway = await ServiceProcess.start('gateway', env);
    services.push(gateway);

    await explain(pool, firstDay, today);
    const http = new HttpPool(gateway.url, { connections: Math.max(...CONCURRENCIES), pipelining: 1 });
    try {
      await measure(http, 'warm-up (not reported)', Math.min(300, REQUESTS), Math.max(...CONCURRENCIES), () => `${API}/usage-by-model`);
      const results: Figures[] = [];
      for (const concurrency of CONCURRENCIES) {
        const run = (name: string, total: number, path: () => string) => measure(http, `${name} ×${concurrency}`, total, concurrency, path);
        results.push(
          await run('usage-by-model, this month (default)', REQUESTS, () => `${API}/usage-by-model`),
          await run('usage-by-model, one year', REQUESTS, () => `${API}/usage-by-model?start=${firstDay}&end=${today}`),
          await run('monthly-summary, this month', Math.ceil(REQUESTS / 2), () => `${API}/monthly-summary`),
          await run('usage-by-model/daily, 31 days', Math.ceil(REQUESTS / 2), () => `${API}/usage-by-model/daily?start=${addDays(today, -30)}&end=${today}`),
        );
      }
      say('summary (ms; ×N = requests in flight)');
      console.table(Object.fromEntries(results.map((r) => [r.name, { p50: r.p50, p90: r.p90, p99: r.p99, max: r.max, 'req/s': r.perSecond }])));
    } finally {
      await http.close();
    }
  } finally {
    await Promise.all(services.map((s) => s.kill()));
    await nbp.close();
    await pool.end();
    if (!args.keep) {
      const admin = createPool(adminUrl, { max: 1 });
      await admin.query(`DROP DATABASE IF EXISTS "usage_bench_${runId}" WITH (FORCE)`).catch(() => undefined);
      await admin.end();
      say('dropped the benchmark database (use --keep to keep it)');
    }
  }
}

/** A year of rows, inserted a month at a time across all orgs, with deterministic pseudo-random figures. */
async function seed(pool: ReturnType<typeof createPool>, firstDay: string, lastDay: string): Promise<void> {
  const started = Date.now();
  await pool.query(
    `INSERT INTO organizations (org_id, name, time_zone)
     SELECT 'bench-' || lpad(g::text, 4, '0'), 'Bench ' || g, (ARRAY['UTC','Europe/Warsaw','America/New_York','Asia/Tokyo'])[1 + g % 4]
       FROM generate_series(0, $1 - 1) g`,
    [ORGS],
  );
  const models = DEFAULT_CATALOG.map((m) => m.id);
  for (let chunkStart = firstDay, chunk = 1; chunkStart <= lastDay; chunkStart = addDays(chunkStart, 31), chunk++) {
    const chunkEnd = addDays(chunkStart, 30) < lastDay ? addDays(chunkStart, 30) : lastDay;
    await pool.query(
      `INSERT INTO client_model_daily_usage (org_id, usage_day, model, prompt_tokens, completion_tokens, total_tokens, requests, raw_cost, markup_cost)
       SELECT org_id, day, model, prompt, completion, prompt + completion, 1 + h % 40, raw, raw * 1.3
         FROM generate_series($1::date, $2::date, interval '1 day') AS d(day)
        CROSS JOIN generate_series(0, $3 - 1) AS g
        CROSS JOIN unnest($4::text[]) AS m(model)
        CROSS JOIN LATERAL (SELECT 'bench-' || lpad(g::text, 4, '0') AS org_id) o
        CROSS JOIN LATERAL (SELECT hashtext(o.org_id || d.day::text || m.model) & 65535 AS h) x
        CROSS JOIN LATERAL (SELECT 200 + h * 7 AS prompt, 50 + h * 2 AS completion, round(h::numeric / 3000000, 9) AS raw) v
        ORDER BY day, g`, // day by day, as usage arrives: one org's year is spread over the table
      [chunkStart, chunkEnd, ORGS, models],
    );
    say(`seeded ${chunkStart} … ${chunkEnd} (chunk ${chunk}/${Math.ceil(DAYS / 31)}, ${Math.round((Date.now() - started) / 1000)} s)`);
  }
  await pool.query(
    `INSERT INTO org_monthly_users (org_id, month, user_id)
     SELECT 'bench-' || lpad(g::text, 4, '0'), date_trunc('month', $1::date)::date, 'user-' || u
       FROM generate_series(0, $2 - 1) g CROSS JOIN generate_series(1, 20) u`,
    [lastDay, ORGS],
  );
  say('VACUUM ANALYZE');
  await pool.query('VACUUM ANALYZE client_model_daily_usage');
  await pool.query('ANALYZE organizations');
  const { rows } = await pool.query(`SELECT count(*)::int AS rows, pg_size_pretty(pg_total_relation_size('client_model_daily_usage')) AS size FROM client_model_daily_usage`);
  say(`seeded ${rows[0].rows} rows (${rows[0].size} with indexes) in ${Math.round((Date.now() - started) / 1000)} s`);
}

/** The plan of the report query for one org, to show it walks the primary key, not the table. */
async function explain(pool: ReturnType<typeof createPool>, firstDay: string, lastDay: string): Promise<void> {
  const { rows } = await pool.query(
    `EXPLAIN (ANALYZE, BUFFERS, COSTS OFF)
     SELECT model, sum(total_tokens), sum(requests), sum(raw_cost), sum(markup_cost), count(*)
       FROM client_model_daily_usage WHERE org_id = $1 AND usage_day BETWEEN $2::date AND $3::date GROUP BY model`,
    ['bench-0500', firstDay, lastDay],
  );
  say(`plan of the one-year usage-by-model query:\n    ${rows.map((r) => r['QUERY PLAN']).join('\n    ')}`);
}

interface Figures {
  name: string;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  perSecond: number;
}

let tokenCounter = 0;
/** Each request as a different user of a random org, so the 100-a-minute limit never throttles the benchmark. */
async function randomViewerToken(): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const org = `bench-${String(Math.floor(Math.random() * ORGS)).padStart(4, '0')}`;
  return new SignJWT({ org, role: 'admin' })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(`bench-user-${++tokenCounter}`)
    .setIssuer('mai-usage')
    .setAudience('mai-dashboard')
    .setIssuedAt(now)
    .setExpirationTime(now + 3600)
    .sign(new TextEncoder().encode(TEST_JWT_SECRET));
}

async function measure(http: HttpPool, name: string, total: number, concurrency: number, path: () => string): Promise<Figures> {
  const tokens = await Promise.all(Array.from({ length: total }, randomViewerToken));
  const latencies: number[] = [];
  let next = 0;
  let failures = 0;
  const started = performance.now();
  const worker = async () => {
    while (next < total) {
      const token = tokens[next++];
      const t0 = performance.now();
      const response = await http.request({ path: path(), method: 'GET', headers: { authorization: `Bearer ${token}` } });
      await response.body.text();
      latencies.push(performance.now() - t0);
      if (response.statusCode !== 200) failures++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const at = (q: number) => Number(latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))].toFixed(1));
  const figures = { name, p50: at(0.5), p90: at(0.9), p99: at(0.99), max: Number(latencies[latencies.length - 1].toFixed(1)), perSecond: Math.round(total / seconds) };
  say(`${name}: ${total} requests, ${concurrency} in flight: p50 ${figures.p50} ms, p99 ${figures.p99} ms, ${figures.perSecond} req/s${failures ? `, ${failures} NOT 200` : ''}`);
  if (failures > 0) throw new Error(`${failures} requests failed`);
  return figures;
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
