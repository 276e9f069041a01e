// Dashboard queries on a year of daily rows for many orgs, at a fixed request rate and at saturation, beside a
// bare Fastify hello-world measured by the same client in the same run. Seeding follows bench/gateway-queries.ts:
// generate_series, a month at a time, day by day across all orgs as the aggregator would write them, so one
// org's rows are spread over the table rather than packed together.
import { Pool } from 'pg';
import { DEFAULT_CATALOG, addDays, dayInZone } from '@mai/domain';
import { ServiceProcess, TEST_JWT_SECRET, createTestEnvironment, startFakeNbp } from '@mai/testing';
import type { GetLoadSpec, LoadResult } from '../load-generator';
import { runChild } from '../lib/child';
import { undoOnInterrupt } from '../lib/cleanup';
import { progress } from '../lib/progress';
import { CpuShare, MemoryLedger, PlainServer, meterCpu, startService, stopService } from '../lib/services';
import { count, ms } from '../lib/stats';

export interface QuerySizes {
  readonly orgs: number;
  readonly days: number;
  readonly fixedRate: number;
  readonly fixedMs: number;
  readonly saturationMs: number;
  readonly warmupMs: number;
  /** Keep-alive connections of the client: bounded in-flight requests for the fixed rate, the concurrency at saturation. */
  readonly connections: number;
}

export interface QueryRun {
  readonly endpoint: string;
  /** cold: each org's report read once, filling the gateway's cache (closed loop); then fixed rate and saturation. */
  readonly mode: 'cold' | 'fixed' | 'saturation';
  readonly load: LoadResult;
  readonly cpu: CpuShare;
}

export interface QueryFigures {
  /** The fixed rate offered, requests a second. */
  readonly fixedRate: number;
  readonly rows: number;
  readonly tableSize: string;
  readonly orgs: number;
  readonly days: number;
  readonly runs: QueryRun[];
}

const API = '/api/v1/usage-tracking/my-organization';

/** A year of rows for `orgs` orgs × 12 models, a month at a time, day by day as usage arrives; deterministic figures. */
export async function seedYearOfUsage(pool: Pool, orgs: number, firstDay: string, lastDay: string): Promise<{ rows: number; size: string }> {
  const started = Date.now();
  await pool.query(
    `INSERT INTO organizations (org_id, name, time_zone)
     SELECT 'bench-' || lpad(g::text, 4, '0'), 'Bench ' || g, (ARRAY['UTC','Europe/Warsaw','America/New_York','Asia/Tokyo'])[1 + g % 4]
       FROM generate_series(0, $1 - 1) g`,
    [orgs],
  );
  const models = DEFAULT_CATALOG.map((m) => m.id);
  for (let chunkStart = firstDay; chunkStart <= lastDay; chunkStart = addDays(chunkStart, 31)) {
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
        ORDER BY day, g`,
      [chunkStart, chunkEnd, orgs, models],
    );
    progress(`  seeded ${chunkStart} … ${chunkEnd} (${Math.round((Date.now() - started) / 1000)} s)`);
  }
  // Twenty distinct users in every org's current month, for monthly-summary's unique-user count.
  await pool.query(
    `INSERT INTO org_monthly_users (org_id, month, user_id)
     SELECT 'bench-' || lpad(g::text, 4, '0'), m.month, 'user-' || u
       FROM generate_series(0, $2 - 1) g CROSS JOIN generate_series(1, 20) u
      CROSS JOIN (VALUES (date_trunc('month', $1::date)::date), (date_trunc('month', $1::date - 1)::date)) AS m(month)
     ON CONFLICT DO NOTHING`,
    [lastDay, orgs],
  );
  await pool.query('VACUUM ANALYZE client_model_daily_usage');
  await pool.query('ANALYZE organizations');
  await pool.query('ANALYZE org_monthly_users');
  // Write the seeded gigabyte out now: left to the checkpointer, it was flushed during the first measurements
  // and put 0.5–1 s stalls on their p99 (whichever endpoints came first).
  const checkpointStarted = Date.now();
  await pool.query('CHECKPOINT');
  progress(`  checkpoint after seeding: ${Math.round((Date.now() - checkpointStarted) / 100) / 10} s`);
  const { rows } = await pool.query(`SELECT count(*)::int AS rows, pg_size_pretty(pg_total_relation_size('client_model_daily_usage')) AS size FROM client_model_daily_usage`);
  progress(`  seeded ${count(rows[0].rows)} rows (${rows[0].size} with indexes) in ${Math.round((Date.now() - started) / 1000)} s`);
  return { rows: rows[0].rows, size: rows[0].size };
}

export async function benchQueries(sizes: QuerySizes, memory: MemoryLedger, serviceEnv: Record<string, string> = {}): Promise<QueryFigures> {
  const today = dayInZone(new Date(), 'UTC');
  const firstDay = addDays(today, -(sizes.days - 1));
  const nbp = await startFakeNbp({ rate: { effectiveDate: addDays(today, -1), mid: 3.6521 } });
  const environment = await createTestEnvironment({ NBP_API_URL: nbp.url, LOG_LEVEL: 'warn', ...serviceEnv });
  const { env, config } = environment;
  const services: ServiceProcess[] = [];
  let hello: PlainServer | undefined;
  const release = undoOnInterrupt(async () => {
    await hello?.stop();
    await environment.dispose();
  });
  try {
    progress(`queries: seeding ${sizes.orgs} orgs × ${DEFAULT_CATALOG.length} models × ${sizes.days} days (${firstDay} … ${today}) into ${config.databaseUrl.split('/').pop()}`);
    const seeded = await seedYearOfUsage(environment.pool, sizes.orgs, firstDay, today);
    services.push(await startService('pricing-fx', env));
    const gateway = await startService('gateway', env);
    services.push(gateway);
    hello = await PlainServer.start('hello-fastify.ts', 'HELLO_PORT');
    progress(`bare Fastify hello-world ready on ${hello.url} (pid ${hello.pid})`);

    const orgIds = Array.from({ length: sizes.orgs }, (_, i) => `bench-${String(i).padStart(4, '0')}`);
    const endpoints: { name: string; paths: string[] }[] = [
      { name: 'usage-by-model, this month (the default)', paths: [`${API}/usage-by-model`] },
      { name: 'usage-by-model, one year', paths: [`${API}/usage-by-model?start=${firstDay}&end=${today}`] },
      { name: 'top-models, one year', paths: [`${API}/top-models?start=${firstDay}&end=${today}`] },
      { name: 'monthly-summary, this month', paths: [`${API}/monthly-summary`] },
    ];
    let users = 0;
    const load = async (target: string, name: string, paths: string[], mode: 'fixed' | 'saturation' | 'warm-up', authenticated: boolean, onePerOrg?: number): Promise<{ load: LoadResult; cpu: CpuShare }> => {
      const durationMs = onePerOrg ? 5 * 60_000 : mode === 'fixed' ? sizes.fixedMs : mode === 'saturation' ? sizes.saturationMs : sizes.warmupMs;
      // Distinct users per run, enough that none comes near 100 requests a minute even at 10 000 req/s; one
      // per org (user i is in org i) when each org is to be read once.
      const userCount = onePerOrg ?? Math.ceil(((durationMs + sizes.warmupMs) / 1000) * 10_000 / 50);
      const spec: GetLoadSpec = {
        kind: 'get',
        label: `${name} (${mode})`,
        target,
        paths,
        connections: sizes.connections,
        warmupMs: mode === 'warm-up' ? 0 : sizes.warmupMs,
        durationMs,
        ratePerSecond: mode === 'fixed' ? sizes.fixedRate : undefined,
        maxRequests: onePerOrg,
        auth: authenticated ? { secret: TEST_JWT_SECRET, issuer: config.jwt.issuer, audience: config.jwt.audience, orgIds, users: userCount, userPrefix: `u${users++}` } : undefined,
      };
      let meter: ReturnType<typeof meterCpu> | undefined;
      const onStarted = () => (meter = meterCpu({ gateway: gateway.pid, 'pricing-fx': services[0].pid, 'hello-fastify': hello?.pid }));
      const result = await runChild<LoadResult>('load-generator.ts', spec, { timeoutMs: 5 * 60_000, onStarted });
      const cpu = (meter ?? meterCpu({})).stop({ 'load generator': result.generatorCpuMs });
      const failed = result.requests - result.ok;
      progress(
        `  ${spec.label}: ${count(result.requestsPerSecond)} req/s, p50 ${ms(result.latency.p50)} ms, p99 ${ms(result.latency.p99)} ms` +
          `${failed ? `, ${failed} NOT 2xx ${JSON.stringify(result.statuses)}` : ''}${result.missed ? `, ${result.missed} not sent (client backlog full)` : ''}`,
      );
      return { load: result, cpu };
    };

    // Every org's report of every endpoint read once before measuring: the steady state of a dashboard, where
    // reports come from the gateway's cache until a commit changes them. (Time-boxed warm-ups left most pairs
    // cold, and a cold one-year report is a ~6 ms read in PostgreSQL: 500 of them a second overloaded it and
    // the fill showed up as a 1 s p99.) The cold reads are measured too, as a line of their own.
    progress('warming the gateway up: every org × endpoint once');
    const runs: QueryRun[] = [];
    for (const endpoint of endpoints) runs.push({ endpoint: endpoint.name, mode: 'cold', ...(await load(gateway.url, endpoint.name, endpoint.paths, 'warm-up', true, sizes.orgs)) });
    for (const endpoint of endpoints) {
      runs.push({ endpoint: endpoint.name, mode: 'fixed', ...(await load(gateway.url, endpoint.name, endpoint.paths, 'fixed', true)) });
      runs.push({ endpoint: endpoint.name, mode: 'saturation', ...(await load(gateway.url, endpoint.name, endpoint.paths, 'saturation', true)) });
    }
    for (const mode of ['fixed', 'saturation'] as const) runs.push({ endpoint: 'bare Fastify hello-world', mode, ...(await load(hello.url, 'bare Fastify hello-world', ['/'], mode, false)) });
    return { fixedRate: sizes.fixedRate, rows: seeded.rows, tableSize: seeded.size, orgs: sizes.orgs, days: sizes.days, runs };
  } finally {
    memory.note('hello-fastify (floor)', 'queries', hello?.pid);
    await hello?.stop();
    for (const service of services.reverse()) await stopService(service, 'queries', memory);
    await nbp.close();
    await environment.dispose();
    release();
    progress('queries: services stopped, database and streams dropped');
  }
}
