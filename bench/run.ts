// Issue #8: ingest, projection, replay and queries, side by side with their baselines and the targets, in one run.
//
//   npm run bench            full run (under 10 minutes): 1 M-event backlog, a year of data for 1 000 orgs
//   npm run bench:quick      the same measurements, smaller and shorter (under 2 minutes)
//
// Options (after `--`): --only ingest,projection,queries   run some phases only
//                       --print-only                       do not touch docs/BENCHMARKS.md
//                       --profile                          CPU-profile every service into tmp/bench-profiles/
//                       --env KEY=VALUE                    extra environment for every service (repeatable),
//                                                          e.g. --env AGGREGATOR_MAX_BATCH=200
//                       --from-source                      run the services through @swc-node/register instead
//                                                          of the compiled build (the default, as in production)
//
// Everything runs against the real PostgreSQL and NATS (DATABASE_URL / NATS_URL, default the local ones at
// 127.0.0.1), on fresh databases and streams that are dropped at the end, also after Ctrl-C. Progress goes to
// stderr; the table goes to stdout and into the marked block of docs/BENCHMARKS.md.
import 'reflect-metadata';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ServiceProcess, testServiceUrls } from '@mai/testing';
import { IngestSizes, benchIngest } from './phases/ingest';
import { ProjectionSizes, benchProjection } from './phases/projection';
import { QuerySizes, benchQueries } from './phases/queries';
import { BENCH_ROOT, killChildren } from './lib/child';
import { cleanUpOnSignals } from './lib/cleanup';
import { WHAT_LIMITS_US } from './lib/limits';
import { describeMachine, loadAverage } from './lib/machine';
import { progress } from './lib/progress';
import { RunFigures, renderReport, writeReportBlock } from './lib/report';
import { MemoryLedger, loaderFloorMb, profileServicesInto } from './lib/services';

interface Sizes {
  readonly ingest: IngestSizes;
  readonly projection: ProjectionSizes;
  readonly queries: QuerySizes;
}

const FULL: Sizes = {
  ingest: {
    orgs: 100,
    warmUpMs: 3_000,
    ceiling: { window: 256, warmupMs: 1_000, durationMs: 8_000 },
    seedDesign: { connections: 16, warmupMs: 1_000, durationMs: 8_000 },
    single: { connections: 64, warmupMs: 2_000, durationMs: 15_000 },
    batch: { recordsPerRequest: 100, connections: 16, warmupMs: 2_000, durationMs: 15_000 },
    visibility: { recordsPerRequest: 100, fractionOfPeak: 0.5, connections: 64, warmupMs: 1_000, durationMs: 20_000, probeEveryMs: 200, pollEveryMs: 10 },
  },
  projection: { events: 1_000_000, recordsPerMessage: 100, orgs: 1_000 },
  queries: { orgs: 1_000, days: 365, fixedRate: 500, fixedMs: 10_000, saturationMs: 10_000, warmupMs: 2_000, connections: 32 },
};

const QUICK: Sizes = {
  ingest: {
    orgs: 50,
    warmUpMs: 1_000,
    ceiling: { window: 256, warmupMs: 500, durationMs: 2_500 },
    seedDesign: { connections: 16, warmupMs: 500, durationMs: 2_500 },
    single: { connections: 64, warmupMs: 1_000, durationMs: 3_000 },
    batch: { recordsPerRequest: 100, connections: 16, warmupMs: 1_000, durationMs: 3_000 },
    visibility: { recordsPerRequest: 100, fractionOfPeak: 0.5, connections: 64, warmupMs: 500, durationMs: 7_000, probeEveryMs: 200, pollEveryMs: 10 },
  },
  projection: { events: 100_000, recordsPerMessage: 100, orgs: 1_000 },
  queries: { orgs: 100, days: 365, fixedRate: 500, fixedMs: 2_000, saturationMs: 2_000, warmupMs: 500, connections: 32 },
};

const PHASES = ['ingest', 'projection', 'queries'] as const;

async function main(): Promise<void> {
  const { values: args } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      only: { type: 'string', default: PHASES.join(',') },
      'print-only': { type: 'boolean', default: false },
      'from-source': { type: 'boolean', default: false },
      profile: { type: 'boolean', default: false },
      env: { type: 'string', multiple: true, default: [] },
    },
  });
  const only = new Set(args.only!.split(',').map((phase) => phase.trim()));
  for (const phase of only) if (!(PHASES as readonly string[]).includes(phase)) throw new Error(`--only takes ${PHASES.join(', ')}; got "${phase}"`);
  const sizes = args.quick ? QUICK : FULL;
  cleanUpOnSignals();
  const started = Date.now();
  const { databaseUrl, natsUrl } = testServiceUrls();
  const machine = await describeMachine(databaseUrl, natsUrl);
  const loadBefore = loadAverage();
  progress(`${args.quick ? 'quick' : 'full'} run on ${machine.nproc} × ${machine.cpuModel}, load average ${loadBefore}; phases: ${[...only].join(', ')}`);
  const extraEnv = Object.fromEntries(
    args.env!.map((pair) => {
      const at = pair.indexOf('=');
      if (at < 1) throw new Error(`--env takes KEY=VALUE, got "${pair}"`);
      return [pair.slice(0, at), pair.slice(at + 1)];
    }),
  );
  const runtime = args['from-source'] ? 'source' : 'dist';
  if (runtime === 'dist') buildServices();
  const serviceEnv = { ...extraEnv, ...(args.profile ? profileServicesInto(join(BENCH_ROOT, 'tmp', 'bench-profiles')) : {}) };
  const memory = new MemoryLedger();
  const run: { -readonly [K in keyof RunFigures]: RunFigures[K] } = {
    mode: args.quick ? 'quick' : 'full',
    machine,
    loadBefore,
    loadAfter: '',
    wallSeconds: 0,
    memory: [],
    loaderFloor: loaderFloorMb(runtime),
    notes: [],
  };
  if (Object.keys(extraEnv).length > 0) run.notes.push(`Services ran with ${Object.entries(extraEnv).map(([k, v]) => `\`${k}=${v}\``).join(', ')}.`);

  try {
    if (only.has('ingest')) run.ingest = await benchIngest(sizes.ingest, memory, serviceEnv);
    if (only.has('projection')) run.projection = await benchProjection(sizes.projection, memory, serviceEnv);
    if (only.has('queries')) run.queries = await benchQueries(sizes.queries, memory, serviceEnv);
  } finally {
    killChildren();
    await ServiceProcess.killAll();
  }
  run.loadAfter = loadAverage();
  run.wallSeconds = (Date.now() - started) / 1000;
  run.memory = memory.peaks();
  const report = renderReport(run, WHAT_LIMITS_US);
  process.stdout.write(`${report}\n`);
  if (!args['print-only'] && only.size === PHASES.length) {
    writeReportBlock(join(BENCH_ROOT, 'docs', 'BENCHMARKS.md'), report);
    progress('written to docs/BENCHMARKS.md (between the bench:begin and bench:end markers)');
  }
  progress(`done in ${Math.round(run.wallSeconds)} s`);
}

/** Compiles the services (`npm run build`), and makes every service and CLI this run starts use the build. */
function buildServices(): void {
  progress('compiling the services (npm run build) to measure them as production runs them');
  try {
    execFileSync('npm', ['run', '-s', 'build'], { cwd: BENCH_ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
  } catch {
    throw new Error('npm run build failed (see above); fix it, or measure with --from-source');
  }
  process.env.MAI_RUNTIME = 'dist';
}

main().catch((error) => {
  process.stderr.write(`${(error as Error)?.stack ?? String(error)}\n`);
  killChildren();
  void ServiceProcess.killAll().finally(() => process.exit(1));
});
