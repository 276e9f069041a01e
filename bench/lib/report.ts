// The run's figures as Markdown: printed, and written between the markers of docs/BENCHMARKS.md so that the
// rest of that file (other people's sections) stays as it is.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { IngestFigures, IngestRun } from '../phases/ingest';
import type { ProjectionFigures } from '../phases/projection';
import type { QueryFigures, QueryRun } from '../phases/queries';
import type { LoadResult } from '../load-generator';
import type { Machine } from './machine';
import type { CpuShare, LoaderFloor, PeakMemory } from './services';
import { count, ms, ratio } from './stats';

export const BLOCK_BEGIN = '<!-- bench:begin -->';
export const BLOCK_END = '<!-- bench:end -->';

export interface RunFigures {
  readonly mode: 'full' | 'quick';
  readonly machine: Machine;
  readonly loadBefore: string;
  readonly loadAfter: string;
  readonly wallSeconds: number;
  readonly ingest?: IngestFigures;
  readonly projection?: ProjectionFigures;
  readonly queries?: QueryFigures;
  readonly memory: PeakMemory[];
  /** Peak RSS of bare `node` and of `node -r @swc-node/register` running nothing, MB. */
  readonly loaderFloor: LoaderFloor;
  /** What the replay was measured with, when a phase other than ours did it. */
  readonly notes: string[];
}

interface Headline {
  readonly what: string;
  readonly measured: string;
  readonly baseline: string;
  readonly ratio: string;
  readonly target: string;
  readonly met: boolean | undefined;
}

const verdict = (met: boolean | undefined) => (met === undefined ? '–' : met ? '**met**' : '**missed**');
const table = (header: string[], rows: string[][]) =>
  [`| ${header.join(' | ')} |`, `|${header.map((h) => (/^(measured|events|req|p\d|ratio|peak|max|rate|MB)/i.test(h) ? '---:' : '---')).join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
const failures = (load: LoadResult) => {
  const bad = Object.entries(load.statuses).filter(([status]) => !status.startsWith('2'));
  return bad.length === 0 ? 'none' : bad.map(([status, n]) => `${n}× ${status}`).join(', ');
};

function headlines(run: RunFigures): Headline[] {
  const rows: Headline[] = [];
  const { ingest, projection, queries } = run;
  if (ingest) {
    const r = ingest.batch.load.eventsPerSecond / ingest.seedDesign.eventsPerSecond;
    rows.push({
      what: `${ingest.batch.recordsPerRequest}-record webhooks ÷ seed design, events/s`,
      measured: count(ingest.batch.load.eventsPerSecond),
      baseline: count(ingest.seedDesign.eventsPerSecond),
      ratio: `${ratio(r)}×`,
      target: '≥ 40×',
      met: r >= 40,
    });
    const s = ingest.single.load.eventsPerSecond / ingest.ceiling.eventsPerSecond;
    rows.push({
      what: 'single-record webhooks ÷ raw JetStream publish, events/s',
      measured: count(ingest.single.load.eventsPerSecond),
      baseline: count(ingest.ceiling.eventsPerSecond),
      ratio: `${ratio(s)}×`,
      target: '≥ 0.4×',
      met: s >= 0.4,
    });
  }
  if (projection) {
    rows.push({ what: `events/s projected (aggregator draining ${count(projection.events)} events)`, measured: count(projection.backlog.eventsPerSecond), baseline: '', ratio: '', target: '≥ 50 000', met: projection.backlog.eventsPerSecond >= 50_000 });
    rows.push({ what: 'events/s replayed into a fresh projection', measured: count(projection.replay.eventsPerSecond), baseline: '', ratio: '', target: '≥ 100 000', met: projection.replay.eventsPerSecond >= 100_000 });
  }
  if (ingest) {
    const v = ingest.visibility;
    rows.push({
      what: `webhook 202 → visible in usage-by-model, p99, under ${count(v.ratePerSecond * v.recordsPerRequest)} events/s (half of peak)`,
      measured: `${ms(v.probe.visible.p99)} ms`,
      baseline: '',
      ratio: '',
      target: '≤ 1 000 ms',
      met: v.probe.notVisible === 0 && v.probe.visible.p99 <= 1_000,
    });
  }
  if (queries) {
    const find = (endpoint: string, mode: QueryRun['mode']) => queries.runs.find((r) => r.endpoint.startsWith(endpoint) && r.mode === mode)?.load;
    const hello = find('bare Fastify', 'saturation');
    for (const endpoint of ['usage-by-model, this month', 'usage-by-model, one year']) {
      const fixed = find(endpoint, 'fixed');
      if (fixed) {
        rows.push({
          what: `${endpoint}: p99 at ${count(queries.fixedRate)} req/s offered${fixed.missed > 0 || fixed.requestsPerSecond < queries.fixedRate * 0.97 ? ` (${count(fixed.requestsPerSecond)} served)` : ''}`,
          measured: `${ms(fixed.latency.p99)} ms`,
          baseline: '',
          ratio: '',
          target: '≤ 10 ms',
          met: fixed.latency.p99 <= 10 && fixed.ok === fixed.requests,
        });
      }
    }
    const saturated = find('usage-by-model, this month', 'saturation');
    if (saturated && hello) {
      const r = saturated.requestsPerSecond / hello.requestsPerSecond;
      rows.push({ what: 'usage-by-model (this month) at saturation ÷ bare Fastify, req/s', measured: count(saturated.requestsPerSecond), baseline: count(hello.requestsPerSecond), ratio: `${ratio(r)}×`, target: '≥ 0.3×', met: r >= 0.3 });
    }
  }
  for (const peak of run.memory.filter((m) => !m.process.includes('floor'))) {
    rows.push({ what: `peak RSS of ${peak.process} (during ${peak.phase})`, measured: `${count(peak.peakRssMb)} MB`, baseline: '', ratio: '', target: '< 200 MB', met: peak.peakRssMb < 200 });
  }
  return rows;
}

function ingestSection(ingest: IngestFigures): string {
  const row = (name: string, r: IngestRun) => [
    name,
    String(r.connections),
    count(r.load.requestsPerSecond),
    count(r.load.eventsPerSecond),
    count(r.projectedEventsPerSecond),
    Number.isFinite(r.lagAfterLoadMs) ? `${count(r.lagAfterLoadMs)} ms` : '**not within 3 min**',
    ms(r.load.latency.p50),
    ms(r.load.latency.p99),
    failures(r.load),
  ];
  const v = ingest.visibility;
  return [
    '### Ingest, end to end',
    '',
    'Signed webhooks from a separate load-generator process (undici, keep-alive connections to 127.0.0.1, each sending its next request when the previous is answered), until the projection had caught up. "Projected" is every accepted record over the time from the first request to the last batch acknowledged by the aggregator, so it cannot exceed what ingest accepted.',
    '',
    table(
      ['shape', 'connections', 'req/s', 'events/s accepted', 'events/s projected', 'projection caught up after the load', 'p50 answer, ms', 'p99 answer, ms', 'not 2xx'],
      [row('1 record per webhook', ingest.single), row(`${ingest.batch.recordsPerRequest} records per webhook`, ingest.batch)],
    ),
    '',
    'Baselines, same run, same NATS and Postgres:',
    '',
    table(
      ['baseline', 'how', 'events/s', 'p50, ms', 'p99, ms'],
      [
        [
          'message-layer ceiling',
          `raw async \`js.publish\` from \`nats\`, no HTTP; ${ingest.ceiling.window} in flight, a msgID each, ${ingest.ceiling.payloadBytes}-byte single-record event, a stream configured like USAGE`,
          count(ingest.ceiling.eventsPerSecond),
          ms(ingest.ceiling.ack.p50),
          ms(ingest.ceiling.ack.p99),
        ],
        [
          'seed design',
          `\`record_usage\`: SELECT … FOR UPDATE, then UPDATE or INSERT; one transaction (one PL/pgSQL call) per event, ${ingest.seedDesign.connections} connections, own database${ingest.seedDesign.retries ? `; ${ingest.seedDesign.retries} insert races retried` : ''}`,
          count(ingest.seedDesign.eventsPerSecond),
          ms(ingest.seedDesign.transaction.p50),
          ms(ingest.seedDesign.transaction.p99),
        ],
      ],
    ),
    '',
    `Freshness: ${v.recordsPerRequest}-record webhooks at a fixed ${count(v.ratePerSecond)} req/s (${count(v.ratePerSecond * v.recordsPerRequest)} events/s, half of the peak above; answered p99 ${ms(v.load.latency.p99)} ms, not 2xx: ${failures(v.load)}), while a separate prober sent one single-record webhook at a time for an org of its own and read usage-by-model every few ms until its totals included the record.`,
    '',
    table(
      ['probes', 'not visible in 30 s', '202 → visible p50, ms', 'p90, ms', 'p99, ms', 'max, ms', 'probe webhook answer p99, ms'],
      [[String(v.probe.probes), String(v.probe.notVisible), ms(v.probe.visible.p50), ms(v.probe.visible.p90), ms(v.probe.visible.p99), ms(v.probe.visible.max), ms(v.probe.answer.p99)]],
    ),
  ].join('\n');
}

function projectionSection(projection: ProjectionFigures): string {
  return [
    '### Projection and replay',
    '',
    `${count(projection.events)} events published straight to a fresh stream as ${count(projection.messages)} messages of ${count(projection.events / projection.messages)} records (as ingest publishes a ${count(projection.events / projection.messages)}-record webhook; publishing ran at ${count(projection.publishEventsPerSecond)} events/s), then drained into an empty projection. Rates run from the first to the last acknowledged batch; "with start-up" adds the process start.`,
    '',
    table(
      ['run', 'how', 'events/s', 'seconds', 'seconds with start-up'],
      [
        ['backlog', 'the aggregator (durable `aggregator`), empty database', count(projection.backlog.eventsPerSecond), projection.backlog.seconds.toFixed(1), projection.backlog.wallSeconds.toFixed(1)],
        ['replay', projection.replay.how, count(projection.replay.eventsPerSecond), projection.replay.seconds.toFixed(1), projection.replay.wallSeconds.toFixed(1)],
      ],
    ),
    '',
    `Replayed projection ${projection.replay.totalsMatch ? 'equals' : '**differs from**'} the live one (${projection.replay.totals}).`,
  ].join('\n');
}

function querySection(queries: QueryFigures): string {
  const rows = queries.runs.map((r) => [
    r.endpoint,
    r.mode === 'cold' ? 'cold: each org once' : r.mode === 'fixed' ? 'fixed rate' : 'saturation',
    // A cold run ends when every org was read, not at its time box.
    count(r.mode === 'cold' ? (r.load.requests / Math.max(1, r.load.endedAt - r.load.startedAt)) * 1000 : r.load.requestsPerSecond),
    ms(r.load.latency.p50),
    ms(r.load.latency.p99),
    ms(r.load.latency.max),
    failures(r.load) + (r.load.missed ? `; ${r.load.missed} not sent` : ''),
  ]);
  return [
    '### Dashboard queries',
    '',
    `${count(queries.rows)} daily rows (${queries.orgs} orgs × 12 models × ${queries.days} days, ${queries.tableSize} with indexes). Every request carries a different user's HS256 token (many users per org), so the 100-a-minute per-user limit is exercised but never reached. Cold: before anything else, every org's report of each endpoint read once (the same connections, each sending as soon as answered); those reads fill the gateway's report cache, and the runs after them are served from it, as a dashboard is between the commits that change its org's figures. Fixed rate: open loop, latency counted from when each request was due. Saturation: the same connections, each sending as soon as answered.`,
    '',
    table(['endpoint', 'load', 'req/s', 'p50, ms', 'p99, ms', 'max, ms', 'not 2xx'], rows),
  ].join('\n');
}

interface CpuRow {
  readonly run: string;
  readonly cpu: CpuShare | undefined;
  /** Events (or requests) handled in the window, for the per-unit figures. */
  readonly units: number;
}

/** Cores each process kept busy over a run's window, and its CPU per event: where the machine's time went. */
function cpuSection(rows: CpuRow[]): string {
  const measured = rows.filter((row): row is CpuRow & { cpu: CpuShare } => row.cpu !== undefined && row.cpu.wallMs > 0);
  const names = [...new Set(measured.flatMap((row) => Object.keys(row.cpu.cpuMs)))].filter((name) => name !== 'machine');
  const cell = (ms: number | undefined, row: CpuRow & { cpu: CpuShare }) =>
    ms === undefined ? '–' : `${(ms / row.cpu.wallMs).toFixed(2)} (${row.units > 0 ? count((ms * 1000) / row.units) : '–'} µs)`;
  return [
    '### Where the CPU went',
    '',
    'Cores kept busy over each run (CPU time ÷ wall time, from `/proc/<pid>/stat` and `/proc/stat`) and, in brackets, CPU microseconds per event (per request for queries). "Everything else" is the machine\'s busy time minus our processes: NATS, PostgreSQL, and whatever else ran on the machine meanwhile.',
    '',
    table(
      ['run', 'wall, s', 'machine, cores', ...names, 'everything else'],
      measured.map((row) => {
        const ours = names.reduce((sum, name) => sum + (row.cpu.cpuMs[name] ?? 0), 0);
        return [row.run, (row.cpu.wallMs / 1000).toFixed(1), (row.cpu.cpuMs.machine / row.cpu.wallMs).toFixed(2), ...names.map((name) => cell(row.cpu.cpuMs[name], row)), cell(Math.max(0, row.cpu.cpuMs.machine - ours), row)];
      }),
    ),
  ].join('\n');
}

function cpuRows(run: RunFigures): CpuRow[] {
  const rows: CpuRow[] = [];
  if (run.ingest) {
    const { single, batch, visibility } = run.ingest;
    rows.push({ run: '1-record webhooks, until projected', cpu: single.cpu, units: single.load.eventsAcceptedTotal });
    rows.push({ run: `${batch.recordsPerRequest}-record webhooks, until projected`, cpu: batch.cpu, units: batch.load.eventsAcceptedTotal });
    rows.push({ run: 'freshness load (half of peak)', cpu: visibility.cpu, units: visibility.load.eventsAcceptedTotal });
  }
  if (run.projection) {
    const { backlog, replay } = run.projection;
    rows.push({ run: 'backlog drain', cpu: backlog.cpu, units: backlog.eventsPerSecond * backlog.seconds });
    rows.push({ run: 'replay', cpu: replay.cpu, units: replay.eventsPerSecond * replay.seconds });
  }
  if (run.queries) {
    for (const r of run.queries.runs.filter((q) => q.mode === 'saturation')) rows.push({ run: `${r.endpoint}, saturation`, cpu: r.cpu, units: r.load.requestsTotal });
  }
  return rows;
}

export function renderReport(run: RunFigures, limits: string): string {
  const m = run.machine;
  const parts = [
    BLOCK_BEGIN,
    `## Figures (\`npm run bench${run.mode === 'quick' ? ':quick' : ''}\`, generated)`,
    '',
    `Measured ${m.date} on commit ${m.commit} in ${Math.round(run.wallSeconds)} s (${run.mode} run).`,
    '',
    table(
      ['machine', ''],
      [
        ['CPUs (`nproc`)', m.nproc],
        ['CPU model', m.cpuModel],
        ['memory', m.memory],
        ['Node.js', m.node],
        ['PostgreSQL', m.postgres],
        ['NATS server', m.nats],
        ['load average 1 / 5 / 15 min, before → after', `${run.loadBefore} → ${run.loadAfter}`],
      ],
    ),
    '',
    'Every service, NATS, Postgres and the load generators share these cores, so absolute figures move from run to run; the ratios compare figures measured minutes apart in the same run.',
    '',
    '### Against the targets',
    '',
    table(
      ['', 'measured', 'baseline, same run', 'ratio', 'target', ''],
      headlines(run).map((h) => [h.what, h.measured, h.baseline, h.ratio, h.target, verdict(h.met)]),
    ),
  ];
  if (run.ingest) parts.push('', ingestSection(run.ingest));
  if (run.projection) parts.push('', projectionSection(run.projection));
  if (run.queries) parts.push('', querySection(run.queries));
  parts.push('', cpuSection(cpuRows(run)));
  parts.push(
    '',
    '### Peak memory',
    '',
    `VmHWM (the kernel's high-water mark of resident memory) of each process, read just before it was stopped; the highest over the phases it ran in. ${
      run.loaderFloor.runtime === 'dist'
        ? `Services ran compiled (\`npm run build\`, as the Docker image runs them); bare \`node\` running an empty script peaks at ${count(run.loaderFloor.node)} MB on this machine (from source, \`node -r @swc-node/register\` would add the TypeScript compiler and swc's binding: ${count(run.loaderFloor.swcNodeRegister)} MB)`
        : `Services ran from source (\`--from-source\`): \`node -r @swc-node/register\` running an empty script peaks at ${count(run.loaderFloor.swcNodeRegister)} MB on this machine (bare \`node\`: ${count(run.loaderFloor.node)} MB), because the loader holds the TypeScript compiler (it reads tsconfig with it) and swc's native binding`
    }; the last column is what a service holds above that floor.`,
    '',
    table(
      ['process', 'peak RSS, MB', 'phase', 'above the floor, MB'],
      run.memory.map((p) => [p.process, count(p.peakRssMb), p.phase, p.process.includes('floor') ? '–' : count(p.peakRssMb - run.loaderFloor.floor)]),
    ),
  );
  if (run.notes.length > 0) parts.push('', ...run.notes.map((note) => `- ${note}`));
  parts.push('', limits, BLOCK_END);
  return parts.join('\n');
}

/** Replaces the marked block of `path` (or appends one), leaving everything outside the markers untouched. */
export function writeReportBlock(path: string, block: string): void {
  let text = existsSync(path) ? readFileSync(path, 'utf8') : '# Benchmarks\n';
  const begin = text.indexOf(BLOCK_BEGIN);
  const end = text.indexOf(BLOCK_END);
  if (begin >= 0 && end > begin) text = text.slice(0, begin) + block + text.slice(end + BLOCK_END.length);
  else text = `${text.trimEnd()}\n\n${block}\n`;
  writeFileSync(path, text);
}
