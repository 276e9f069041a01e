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
import { seedYearOfUsage } from './phases/queries';

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
    await seedYearOfUsage(pool, ORGS, firstDay, today);

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
