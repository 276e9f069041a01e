// The projection alone: a backlog published straight to the stream in 100-record messages (as ingest publishes
// a 100-record webhook), drained by the aggregator into an empty projection; then the whole stream replayed by
// a second consumer into a fresh database, and the two projections compared.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { connect, headers } from 'nats';
import { Pool } from 'pg';
import { subjectsFor } from '@mai/config';
import { USAGE_EVENT_VERSION, encodeUsageEvent } from '@mai/domain';
import { ensureUsageStreams } from '@mai/messaging';
import { createPool } from '@mai/persistence';
import { appNodeArgs, createTestEnvironment, seededRandom, testServiceUrls } from '@mai/testing';
import { BENCH_ROOT } from '../lib/child';
import { benchRecord, usageEvent } from '../lib/events';
import { undoOnInterrupt } from '../lib/cleanup';
import { progress } from '../lib/progress';
import { CpuShare, MemoryLedger, cpuMs, meterCpu, startService, stopService } from '../lib/services';
import { CatchUp, waitForConsumer } from '../lib/stream';
import { count } from '../lib/stats';

export interface ProjectionSizes {
  readonly events: number;
  readonly recordsPerMessage: number;
  readonly orgs: number;
}

export interface DrainFigures {
  readonly events: number;
  /** Between the first and the last acknowledged batch seen (the process start-up is not in it). */
  readonly eventsPerSecond: number;
  readonly seconds: number;
  /** From starting the process to the last batch: what an operator waits for. */
  readonly wallSeconds: number;
  /** The projecting process and the machine, from its start to the last batch. */
  readonly cpu?: CpuShare;
}

export interface ProjectionFigures {
  readonly events: number;
  readonly messages: number;
  readonly publishEventsPerSecond: number;
  readonly backlog: DrainFigures;
  readonly replay: DrainFigures & { readonly how: string; readonly totalsMatch: boolean; readonly totals: string };
}

const TOTALS = `SELECT count(*)::text AS rows, coalesce(sum(requests), 0)::text AS requests, coalesce(sum(total_tokens), 0)::text AS tokens,
                       coalesce(sum(raw_cost), 0)::text AS raw_cost, coalesce(sum(markup_cost), 0)::text AS markup_cost
                  FROM client_model_daily_usage`;

const describeTotals = (row: Record<string, string>) => `${count(Number(row.rows))} daily rows, ${count(Number(row.requests))} requests, ${row.raw_cost} USD raw`;

/** Runs the CLI's rebuild against this run's stream and database; its own figure is replay time without start-up. */
function rebuildWithCli(env: Record<string, string>, timeoutMs: number): Promise<DrainFigures> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...appNodeArgs('cli'), 'projection', 'rebuild', '--batch', '1000'], {
      cwd: BENCH_ROOT,
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    // CPU from the CLI's first progress line (start-up done) to its exit; its own, sampled while it runs
    // (its /proc entry is gone once it has exited), and the machine's.
    let cliCpuMs = 0;
    let cliCpuAtStart: number | undefined;
    let machine: ReturnType<typeof meterCpu> | undefined;
    const sampler = setInterval(() => (cliCpuMs = cpuMs(child.pid) ?? cliCpuMs), 100);
    let stdout = '';
    let stderr = '';
    let lastProgress = 0;
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk));
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk;
      if (cliCpuAtStart === undefined) {
        cliCpuAtStart = cpuMs(child.pid) ?? 0;
        machine = meterCpu({});
      }
      if (Date.now() - lastProgress > 5_000) {
        lastProgress = Date.now();
        const line = chunk.toString().split(/[\r\n]/).filter((l) => l.trim()).pop();
        if (line) progress(`  rebuild: ${line.trim().slice(0, 120)}`);
      }
    });
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      clearInterval(sampler);
      const replayed = /replayed ([\d,]+) messages \(([\d,]+) events\) in ([\d.]+) s/.exec(stdout);
      if (code !== 0 || !replayed) return reject(new Error(`exit ${code}: ${(stderr || stdout).trim().split('\n').slice(-3).join(' | ')}`));
      const events = Number(replayed[2].replace(/,/g, ''));
      const seconds = Number(replayed[3]);
      resolve({ events, eventsPerSecond: events / seconds, seconds, wallSeconds: (Date.now() - started) / 1000, cpu: machine?.stop({ 'projection rebuild': cliCpuMs - (cliCpuAtStart ?? 0) }) });
    });
  });
}

function drainFigures(caughtUp: CatchUp, recordsPerMessage: number, startedAt: number): DrainFigures {
  const events = (caughtUp.lastSeq - caughtUp.firstAckSeq) * recordsPerMessage;
  const seconds = (caughtUp.doneAt - caughtUp.firstAckAt) / 1000;
  return { events: caughtUp.lastSeq * recordsPerMessage, eventsPerSecond: events / seconds, seconds, wallSeconds: (caughtUp.doneAt - startedAt) / 1000 };
}

export async function benchProjection(sizes: ProjectionSizes, memory: MemoryLedger, serviceEnv: Record<string, string> = {}): Promise<ProjectionFigures> {
  const environment = await createTestEnvironment({ LOG_LEVEL: 'warn', AGGREGATOR_ACK_WAIT_MS: '30000', ...serviceEnv });
  const { env, config } = environment;
  const replayDatabase = `usage_t_${environment.runId}_replay`;
  const replayUrl = new URL(config.databaseUrl);
  replayUrl.pathname = `/${replayDatabase}`;
  const nc = await connect({ servers: env.NATS_URL });
  const dropReplay = async () => {
    const admin = new Pool({ connectionString: testServiceUrls().databaseUrl, max: 1 });
    await admin.query(`DROP DATABASE IF EXISTS "${replayDatabase}" WITH (FORCE)`).catch(() => undefined);
    await admin.end();
  };
  const release = undoOnInterrupt(async () => {
    await dropReplay();
    await environment.dispose();
  });
  try {
    const jsm = await nc.jetstreamManager();
    const js = nc.jetstream();
    await ensureUsageStreams(jsm, config);
    const subjects = subjectsFor(config);
    const messages = Math.ceil(sizes.events / sizes.recordsPerMessage);
    progress(`projection: publishing ${count(sizes.events)} events as ${count(messages)} messages of ${sizes.recordsPerMessage} records to ${config.usageStream}`);
    const random = seededRandom(42);
    const h = headers();
    h.set('Usage-Event-Version', String(USAGE_EVENT_VERSION));
    const now = Date.now();
    const publishStart = Date.now();
    let next = 0;
    const lane = async () => {
      while (next < messages) {
        const m = next++;
        const orgId = `proj-${String(m % sizes.orgs).padStart(4, '0')}`;
        const records = Array.from({ length: sizes.recordsPerMessage }, (_, i) => benchRecord(random, `gen-${m}-${i}`, now));
        const deliveryId = `msg_${m}`;
        await js.publish(subjects.usageRecorded(orgId), encodeUsageEvent(usageEvent(orgId, deliveryId, records)), { msgID: `${orgId}:${deliveryId}`, headers: h, expect: { streamName: config.usageStream } });
        if (m % Math.ceil(messages / 5) === 0 && m > 0) progress(`  published ${count(m)} of ${count(messages)} messages`);
      }
    };
    await Promise.all(Array.from({ length: 32 }, lane));
    const publishEventsPerSecond = sizes.events / ((Date.now() - publishStart) / 1000);
    progress(`  published in ${((Date.now() - publishStart) / 1000).toFixed(1)} s`);

    const timeoutMs = Math.max(5 * 60_000, sizes.events / 5);
    const backlogStart = Date.now();
    const aggregator = await startService('aggregator', env);
    let backlog: DrainFigures;
    try {
      // CPU over the same window as the rate: from the first acknowledged batch to the last.
      let meter: ReturnType<typeof meterCpu> | undefined;
      const caughtUp = await waitForConsumer(jsm, config.usageStream, 'aggregator', { timeoutMs, label: 'backlog', onFirstAck: () => (meter = meterCpu({ aggregator: aggregator.pid })) });
      backlog = { ...drainFigures(caughtUp, sizes.recordsPerMessage, backlogStart), cpu: meter?.stop() };
    } finally {
      await stopService(aggregator, 'projection backlog', memory);
    }
    progress(`  → backlog drained at ${count(backlog.eventsPerSecond)} events/s (${backlog.seconds.toFixed(1)} s; ${backlog.wallSeconds.toFixed(1)} s with start-up)`);

    const [before] = (await environment.pool.query(TOTALS)).rows;
    if (Number(before.requests) !== sizes.events) throw new Error(`the aggregator projected ${before.requests} requests, expected ${sizes.events}`);
    let replay: DrainFigures & { how: string; totalsMatch: boolean; totals: string } | undefined;
    const cli = existsSync(join(BENCH_ROOT, 'apps', 'cli', 'src', 'projection', 'rebuild-projection.ts'));
    if (cli) {
      // The operator's tool (what bench/replay.ts measures): replay into a new version of the tables beside the
      // live ones, then swap it in. The live projection from the drain above is what it must reproduce.
      progress('replay: npm run cli -- projection rebuild (into a new version of the projection, then swap)');
      const rebuilt = await rebuildWithCli(env, timeoutMs).catch((error: Error) => {
        progress(`  projection rebuild failed (${error.message.split('\n')[0]}); replaying with a second aggregator instead`);
        return undefined;
      });
      if (rebuilt) {
        const [after] = (await environment.pool.query(TOTALS)).rows;
        replay = { ...rebuilt, how: '`npm run cli -- projection rebuild --batch 1000` (new table version, then swap)', totalsMatch: JSON.stringify(before) === JSON.stringify(after), totals: describeTotals(after) };
      }
    }
    if (!replay) {
      // A second consumer with its own durable name, from the first message, into a database that does not exist
      // yet (the aggregator creates and migrates it), while the first projection stays as it is.
      const durable = `replay-${environment.runId}`;
      progress(`replay: the whole stream into a fresh database ${replayDatabase} (second aggregator, durable ${durable})`);
      const replayStart = Date.now();
      const replayer = await startService('aggregator', { ...env, DATABASE_URL: replayUrl.toString(), AGGREGATOR_DURABLE: durable });
      let drained: DrainFigures;
      try {
        let meter: ReturnType<typeof meterCpu> | undefined;
        const caughtUp = await waitForConsumer(jsm, config.usageStream, durable, { timeoutMs, label: 'replay', onFirstAck: () => (meter = meterCpu({ aggregator: replayer.pid })) });
        drained = { ...drainFigures(caughtUp, sizes.recordsPerMessage, replayStart), cpu: meter?.stop() };
      } finally {
        await stopService(replayer, 'replay', memory, 'aggregator');
      }
      const replayPool = createPool(replayUrl.toString(), { max: 1 });
      const [after] = (await replayPool.query(TOTALS).finally(() => replayPool.end())).rows;
      replay = {
        ...drained,
        how: `a second aggregator process, AGGREGATOR_DURABLE=replay-<run>, fresh DATABASE_URL${cli ? ' (the CLI rebuild failed)' : ' (no CLI `projection rebuild` in this tree)'}`,
        totalsMatch: JSON.stringify(before) === JSON.stringify(after),
        totals: describeTotals(after),
      };
    }
    progress(`  → replayed at ${count(replay.eventsPerSecond)} events/s (${replay.seconds.toFixed(1)} s); totals ${replay.totalsMatch ? 'match' : 'DIFFER'}: ${replay.totals}`);
    return {
      events: sizes.events,
      messages,
      publishEventsPerSecond,
      backlog,
      replay,
    };
  } finally {
    await nc.close();
    await dropReplay();
    await environment.dispose();
    release();
    progress('projection: database, replay database and streams dropped');
  }
}
