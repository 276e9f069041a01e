// Benchmark: how fast one, two and three aggregators drain a backlog of usage events (docs/BENCHMARKS.md,
// "Scaling out").
//
//   node -r @swc-node/register bench/aggregators.ts [--events 300000] [--per-message 100] [--orgs 1000]
//        [--aggregators 1,2,3] [--max-batch 10] [--shared-checkpoint] [--repeat 1] [--ingest-seconds 0]
//        [--timeout-min 15]
//
// A private nats-server (JetStream, loopback port, its own store) is filled once with the backlog, published
// directly with js.publish as ingest would (one message per delivery, `--per-message` records each, many orgs).
// Then, for each aggregator count, N real aggregator processes share a fresh durable consumer (so each count
// replays the same stream from the start) and project into a fresh database on the PostgreSQL named by
// DATABASE_URL. The drain rate is measured between 10 % and 90 % of the backlog, once every instance has
// committed a batch, so start-up skew is left out. Alongside: CPU seconds of the aggregators, of their
// PostgreSQL backends and of nats-server (from /proc, so per-core figures can be derived), and how often an
// aggregator's backend was seen waiting on a lock. `--shared-checkpoint` adds runs where all instances share
// one checkpoint row (AGGREGATOR_INSTANCE the same), the design before per-instance rows. `--repeat` runs the
// whole sequence again (interleaved, so a noisy neighbour hits every configuration alike) and reports medians.
// `--ingest-seconds N` then measures the other side for the capacity estimate: pricing-fx and ingest as real
// processes (a local NBP stand-in), single-record signed webhooks from 32 concurrent senders in this process for
// N seconds after a warm-up, and the CPU seconds ingest and nats-server spend per accepted request.
import { randomBytes } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { connect, headers } from 'nats';
import { DEFAULT_CATALOG, UsageRecord, UsageRecorded, USAGE_EVENT_VERSION, dayInZone, encodeUsageEvent } from '@mai/domain';
import { ensureUsageStreams } from '@mai/messaging';
import { OrganizationStore, createPool, ensureDatabase, migrate } from '@mai/persistence';
import { NatsServerProcess, ServiceProcess, generation, seededRandom, sendWebhook, startFakeNbp, testServiceUrls } from '@mai/testing';

const { values: args } = parseArgs({
  options: {
    events: { type: 'string', default: '300000' },
    'per-message': { type: 'string', default: '100' },
    orgs: { type: 'string', default: '1000' },
    aggregators: { type: 'string', default: '1,2,3' },
    'max-batch': { type: 'string', default: '10' },
    'shared-checkpoint': { type: 'boolean', default: false },
    'timeout-min': { type: 'string', default: '15' },
    repeat: { type: 'string', default: '1' },
    'ingest-seconds': { type: 'string', default: '0' },
  },
});
const PER_MESSAGE = Number(args['per-message']);
const MESSAGES = Math.ceil(Number(args.events) / PER_MESSAGE);
const EVENTS = MESSAGES * PER_MESSAGE;
const ORGS = Number(args.orgs);
const MAX_BATCH = Number(args['max-batch']);
const TIMEOUT_MS = Number(args['timeout-min']) * 60_000;
const CLOCK_TICKS = 100; // USER_HZ on Linux
const say = (message: string) => process.stdout.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`);

interface Run {
  readonly aggregators: number;
  readonly sharedCheckpoint: boolean;
  readonly round?: number;
}

interface Result {
  readonly run: string;
  readonly eventsPerSecond: number;
  readonly drainSeconds: number;
  readonly aggregatorCpuSeconds: number;
  readonly postgresCpuSeconds: number;
  readonly natsCpuSeconds: number;
  readonly windowSeconds: number;
  readonly lockWaitShare: number;
  readonly loadBefore: string;
  /** Ledger table with its indexes, per event: what 36 days of ids cost in Postgres. */
  readonly ledgerBytesPerEvent: number;
}

async function main(): Promise<void> {
  const runId = `${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;
  const { databaseUrl: adminUrl } = testServiceUrls();
  const counts = args.aggregators!.split(',').map(Number);
  const runs: Run[] = counts.map((aggregators) => ({ aggregators, sharedCheckpoint: false }));
  if (args['shared-checkpoint']) runs.push(...counts.filter((n) => n > 1).map((aggregators) => ({ aggregators, sharedCheckpoint: true })));
  const sequence = Array.from({ length: Number(args.repeat) }, (_, round) => runs.map((run) => ({ ...run, round }))).flat();
  say(`machine: ${cpus().length} cores (${cpus()[0]?.model.trim()}), node ${process.version}, load ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  say(`backlog: ${EVENTS} events in ${MESSAGES} messages of ${PER_MESSAGE}, ${ORGS} orgs; aggregators take ${MAX_BATCH} messages (${MAX_BATCH * PER_MESSAGE} events) per transaction`);

  const nats = await NatsServerProcess.start();
  const usageStream = `USAGE_BENCH_${runId.toUpperCase()}`;
  const subjectPrefix = `bench${runId}.`;
  const results: Result[] = [];
  let ingest: IngestFigures | undefined;
  try {
    const natsPid = findPid(nats.storeDir);
    await publishBacklog(nats.url, usageStream, subjectPrefix, natsPid);
    for (const run of sequence) {
      results.push(await drain(run, { runId, adminUrl, natsUrl: nats.url, natsPid, usageStream, subjectPrefix }));
      await new Promise((r) => setTimeout(r, 3_000)); // let the previous run's backends and autovacuum settle
    }
    if (Number(args['ingest-seconds']) > 0) ingest = await measureIngest({ runId, adminUrl, natsUrl: nats.url, natsPid, usageStream, subjectPrefix });
  } finally {
    await ServiceProcess.killAll();
    await nats.stop();
  }
  say(`summary${sequence.length > runs.length ? `: medians of ${args.repeat} rounds (every round's events/s in brackets)` : ''}`);
  const byRun = new Map<string, Result[]>();
  for (const r of results) byRun.set(r.run, [...(byRun.get(r.run) ?? []), r]);
  console.table(
    Object.fromEntries(
      [...byRun].map(([run, rounds]) => [run, { median: medianResult(rounds), rounds }] as const).map(([run, { median: r, rounds }]) => [
        run,
        {
          'events/s': rounds.length > 1 ? `${r.eventsPerSecond} [${rounds.map((x) => x.eventsPerSecond).join(', ')}]` : r.eventsPerSecond,
          'drain s': r.drainSeconds,
          'aggregator CPU s': r.aggregatorCpuSeconds,
          'postgres CPU s': r.postgresCpuSeconds,
          'nats CPU s': r.natsCpuSeconds,
          'window s': r.windowSeconds,
          'lock-wait samples': `${(r.lockWaitShare * 100).toFixed(1)} %`,
          'ledger B/event': r.ledgerBytesPerEvent,
          'load before': r.loadBefore,
        },
      ]),
    ),
  );
  say('CPU seconds are for the measured window; events per CPU-second = events/s × window s ÷ CPU s');
  if (ingest) {
    say(
      `ingest, single-record webhooks: ${ingest.requestsPerSecond} accepted/s over ${ingest.seconds} s (${ingest.rejected} not 202); ` +
        `per request: ingest ${ingest.ingestCpuMicros} µs CPU, nats-server ${ingest.natsCpuMicros} µs CPU (R1)`,
    );
  }
}

/** The backlog, deterministic: one message per delivery of one org, records spread over models and 3 days. */
async function publishBacklog(natsUrl: string, usageStream: string, subjectPrefix: string, natsPid?: number): Promise<void> {
  const natsCpuBefore = natsPid ? cpuSeconds(natsPid) : 0;
  const nc = await connect({ servers: natsUrl });
  try {
    await ensureUsageStreams(await nc.jetstreamManager(), { usageStream, subjectPrefix });
    const js = nc.jetstream();
    const random = seededRandom(42);
    const now = Date.now();
    const started = Date.now();
    let next = 0;
    const publisher = async () => {
      while (next < MESSAGES) {
        const index = next++;
        const orgId = `org-${String((index * 7919) % ORGS).padStart(5, '0')}`;
        const records: UsageRecord[] = Array.from({ length: PER_MESSAGE }, (_, i) => {
          const occurredAt = new Date(now - Math.floor(random() * 3 * 86_400_000));
          return {
            generationId: `gen-${index}-${i}-${Math.floor(random() * 1e9).toString(36)}`,
            model: DEFAULT_CATALOG[Math.floor(random() * DEFAULT_CATALOG.length)].id,
            provider: 'bench',
            rawCostUsd: (Math.floor(random() * 50_000_000_000) / 1e12).toFixed(12),
            markupRate: '1.3',
            promptTokens: Math.floor(random() * 4000),
            completionTokens: Math.floor(random() * 1000),
            occurredAt: occurredAt.toISOString(),
            usageDay: dayInZone(occurredAt, 'UTC'),
            user: `user-${Math.floor(random() * 50)}`,
          };
        });
        const event: UsageRecorded = {
          type: 'UsageRecorded',
          version: USAGE_EVENT_VERSION,
          data: { orgId, timeZone: 'UTC', records },
          metadata: { source: 'webhook', deliveryId: `bench-${index}`, receivedAt: new Date().toISOString() },
        };
        const h = headers();
        h.set('Usage-Event-Version', String(USAGE_EVENT_VERSION));
        await js.publish(`${subjectPrefix}usage.v1.recorded.${orgId}`, encodeUsageEvent(event), { msgID: `${orgId}:bench-${index}`, headers: h });
      }
    };
    await Promise.all(Array.from({ length: 64 }, publisher));
    const info = await (await nc.jetstreamManager()).streams.info(usageStream);
    const natsCpu = natsPid ? cpuSeconds(natsPid) - natsCpuBefore : 0;
    say(
      `published ${info.state.messages} messages (${(info.state.bytes / 1048576).toFixed(1)} MiB, ${Math.round(info.state.bytes / EVENTS)} bytes per event) ` +
        `in ${((Date.now() - started) / 1000).toFixed(1)} s; nats-server CPU ${round1(natsCpu)} s (${Math.round((natsCpu * 1e6) / MESSAGES)} µs per message stored)`,
    );
  } finally {
    await nc.close();
  }
}

async function drain(
  run: Run,
  context: { runId: string; adminUrl: string; natsUrl: string; natsPid?: number; usageStream: string; subjectPrefix: string },
): Promise<Result> {
  const label = `${run.aggregators} aggregator${run.aggregators > 1 ? 's' : ''}${run.sharedCheckpoint ? ', one shared checkpoint row' : ''}`;
  const variant = `${run.aggregators}${run.sharedCheckpoint ? 's' : ''}_${run.round ?? 0}`;
  const database = `usage_bench_agg_${context.runId}_${variant}`;
  const url = new URL(context.adminUrl);
  url.pathname = `/${database}`;
  await ensureDatabase(url.toString());
  const pool = createPool(url.toString(), { max: 2, application_name: 'bench' });
  const admin = createPool(context.adminUrl, { max: 1, application_name: 'bench' });
  const loadBefore = loadavg().map((l) => l.toFixed(2)).join(' ');
  let aggregators: ServiceProcess[] = [];
  try {
    await migrate(pool);
    const env: Record<string, string> = {
      DATABASE_URL: url.toString(),
      NATS_URL: context.natsUrl,
      USAGE_STREAM: context.usageStream,
      NATS_SUBJECT_PREFIX: context.subjectPrefix,
      AGGREGATOR_DURABLE: `drain_${variant}`,
      AGGREGATOR_MAX_BATCH: String(MAX_BATCH),
      LOG_LEVEL: 'warn',
      ...(run.sharedCheckpoint ? { AGGREGATOR_INSTANCE: 'shared' } : {}),
    };
    say(`${label}: starting, round ${(run.round ?? 0) + 1} (load ${loadBefore})`);
    aggregators = await Promise.all(Array.from({ length: run.aggregators }, () => ServiceProcess.start('aggregator', env)));

    const timeline: { at: number; projected: number; allWorking: boolean }[] = [];
    let lockSamples = 0;
    let lockWaits = 0;
    let windowStart: { at: number; projected: number; cpu: CpuSnapshot } | undefined;
    let windowEnd: { at: number; projected: number; cpu: CpuSnapshot } | undefined;
    const startedAt = Date.now();
    let lastReport = 0;
    while (Date.now() - startedAt < TIMEOUT_MS) {
      const perInstance = await Promise.all(aggregators.map((a) => projectedBy(a)));
      const projected = perInstance.reduce((sum, n) => sum + n, 0);
      const at = Date.now();
      const allWorking = perInstance.every((n) => n > 0);
      timeline.push({ at, projected, allWorking });
      const { rows } = await admin.query<{ waiting: number }>(
        `SELECT count(*) FILTER (WHERE wait_event_type = 'Lock')::int AS waiting FROM pg_stat_activity WHERE datname = $1 AND application_name = 'aggregator'`,
        [database],
      );
      lockSamples++;
      if (rows[0].waiting > 0) lockWaits++;
      if (!windowStart && allWorking && projected >= EVENTS * 0.1) windowStart = { at, projected, cpu: await cpuSnapshot(admin, database, aggregators, context.natsPid) };
      if (windowStart && !windowEnd && projected >= EVENTS * 0.9) windowEnd = { at, projected, cpu: await cpuSnapshot(admin, database, aggregators, context.natsPid) };
      if (at - lastReport > 10_000) {
        say(`${label}: ${projected} / ${EVENTS} (${perInstance.join(' + ')})`);
        lastReport = at;
      }
      if (projected >= EVENTS) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    const last = timeline[timeline.length - 1];
    if (!last || last.projected < EVENTS) throw new Error(`${label}: only ${last?.projected ?? 0} of ${EVENTS} projected within ${TIMEOUT_MS / 60_000} min`);
    if (!windowStart || !windowEnd) throw new Error(`${label}: the backlog drained before a measurement window could be taken`);
    const { rows } = await pool.query<{ requests: string }>('SELECT coalesce(sum(requests), 0)::text AS requests FROM client_model_daily_usage');
    if (Number(rows[0].requests) !== EVENTS) throw new Error(`${label}: projection holds ${rows[0].requests} requests, expected ${EVENTS}`);
    const { rows: sizes } = await pool.query<{ ledger: string }>(`SELECT pg_total_relation_size('usage_ledger')::text AS ledger`);
    const firstWork = timeline.find((t) => t.projected > 0)?.at ?? startedAt;
    const windowSeconds = (windowEnd.at - windowStart.at) / 1000;
    const result: Result = {
      run: label,
      eventsPerSecond: Math.round((windowEnd.projected - windowStart.projected) / windowSeconds),
      drainSeconds: Math.round((last.at - firstWork) / 100) / 10,
      aggregatorCpuSeconds: round1(windowEnd.cpu.aggregators - windowStart.cpu.aggregators),
      postgresCpuSeconds: round1(windowEnd.cpu.postgres - windowStart.cpu.postgres),
      natsCpuSeconds: round1(windowEnd.cpu.nats - windowStart.cpu.nats),
      windowSeconds: round1(windowSeconds),
      lockWaitShare: lockWaits / lockSamples,
      loadBefore,
      ledgerBytesPerEvent: Math.round(Number(sizes[0].ledger) / EVENTS),
    };
    say(`${label}: ${result.eventsPerSecond} events/s (10–90 % window ${result.windowSeconds} s), drained in ${result.drainSeconds} s; totals verified`);
    return result;
  } finally {
    await Promise.all(aggregators.map((a) => a.kill()));
    await pool.end();
    await dropDatabase(admin, database);
    await admin.end();
  }
}

interface IngestFigures {
  readonly seconds: number;
  readonly requestsPerSecond: number;
  readonly rejected: number;
  readonly ingestCpuMicros: number;
  readonly natsCpuMicros: number;
}

async function measureIngest(context: { runId: string; adminUrl: string; natsUrl: string; natsPid?: number; usageStream: string; subjectPrefix: string }): Promise<IngestFigures> {
  const seconds = Number(args['ingest-seconds']);
  const url = new URL(context.adminUrl);
  url.pathname = `/usage_bench_agg_${context.runId}_ingest`;
  await ensureDatabase(url.toString());
  const pool = createPool(url.toString(), { max: 2, application_name: 'bench' });
  const nbp = await startFakeNbp();
  const services: ServiceProcess[] = [];
  try {
    await migrate(pool);
    const env: Record<string, string> = {
      DATABASE_URL: url.toString(),
      NATS_URL: context.natsUrl,
      USAGE_STREAM: context.usageStream,
      NATS_SUBJECT_PREFIX: context.subjectPrefix,
      NBP_API_URL: nbp.url,
      LOG_LEVEL: 'warn',
    };
    services.push(await ServiceProcess.start('pricing-fx', env));
    const ingest = await ServiceProcess.start('ingest', env);
    services.push(ingest);
    const { secret } = await new OrganizationStore(pool).create({ orgId: 'ingest-bench', timeZone: 'UTC' });
    say(`ingest: single-record webhooks from 32 senders, 3 s warm-up, then ${seconds} s measured`);
    let accepted = 0;
    let rejected = 0;
    let next = 0;
    let stop = false;
    const sender = async () => {
      while (!stop) {
        const id = next++;
        const response = await sendWebhook(ingest.url, 'ingest-bench', secret, `ingest-bench-${id}`, generation({ id: `ingest-bench-gen-${id}` })).catch(() => ({ status: 0 }));
        if (response.status === 202) accepted++;
        else rejected++;
      }
    };
    const load = Promise.all(Array.from({ length: 32 }, sender));
    await new Promise((r) => setTimeout(r, 3_000));
    const start = { at: Date.now(), accepted, ingest: cpuSeconds(ingest.pid ?? 0), nats: context.natsPid ? cpuSeconds(context.natsPid) : 0 };
    await new Promise((r) => setTimeout(r, seconds * 1000));
    const end = { at: Date.now(), accepted, ingest: cpuSeconds(ingest.pid ?? 0), nats: context.natsPid ? cpuSeconds(context.natsPid) : 0 };
    stop = true;
    await load;
    const requests = end.accepted - start.accepted;
    return {
      seconds: round1((end.at - start.at) / 1000),
      requestsPerSecond: Math.round((requests * 1000) / (end.at - start.at)),
      rejected,
      ingestCpuMicros: Math.round(((end.ingest - start.ingest) * 1e6) / requests),
      natsCpuMicros: Math.round(((end.nats - start.nats) * 1e6) / requests),
    };
  } finally {
    await Promise.all(services.map((s) => s.kill()));
    await nbp.close();
    await pool.end();
    const admin = createPool(context.adminUrl, { max: 1 });
    await dropDatabase(admin, url.pathname.slice(1));
    await admin.end();
  }
}

async function projectedBy(aggregator: ServiceProcess): Promise<number> {
  const text = await fetch(`${aggregator.url}/metrics`).then((r) => r.text()).catch(() => '');
  const line = text.split('\n').find((l) => l.startsWith('aggregator_records_total{') && l.includes('outcome="projected"'));
  return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : 0;
}

interface CpuSnapshot {
  readonly aggregators: number;
  readonly postgres: number;
  readonly nats: number;
}

/** CPU seconds so far of the aggregator processes, of their PostgreSQL backends and of nats-server. */
async function cpuSnapshot(admin: ReturnType<typeof createPool>, database: string, aggregators: ServiceProcess[], natsPid?: number): Promise<CpuSnapshot> {
  const { rows } = await admin.query<{ pid: number }>(`SELECT pid FROM pg_stat_activity WHERE datname = $1 AND application_name = 'aggregator'`, [database]);
  const sum = (pids: (number | undefined)[]) => pids.reduce<number>((total, pid) => total + (pid ? cpuSeconds(pid) : 0), 0);
  return { aggregators: sum(aggregators.map((a) => a.pid)), postgres: sum(rows.map((r) => r.pid)), nats: natsPid ? cpuSeconds(natsPid) : 0 };
}

function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS; // utime + stime
  } catch {
    return 0; // gone, or not on this host (a remote PostgreSQL)
  }
}

/** The nats-server process whose command line names this store directory. */
function findPid(storeDir: string): number | undefined {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(storeDir)) return Number(entry);
    } catch {
      // exited meanwhile
    }
  }
  return undefined;
}

const round1 = (n: number) => Math.round(n * 10) / 10;

/** Drops a benchmark database, retrying briefly (a killed process's backend may still be exiting), and says so if it cannot. */
async function dropDatabase(admin: ReturnType<typeof createPool>, database: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await admin.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
      return;
    } catch (error) {
      if (attempt >= 5) {
        say(`could not drop ${database} (${(error as Error).message}); drop it by hand`);
        return;
      }
      await new Promise((r) => setTimeout(r, 1_000));
    }
  }
}

/** The round with the median events/s (its CPU figures belong to it; medians of each column would not add up). */
function medianResult(rounds: Result[]): Result {
  const sorted = [...rounds].sort((a, b) => a.eventsPerSecond - b.eventsPerSecond);
  return sorted[Math.floor((sorted.length - 1) / 2)];
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
