// npm run cli -- projection list | rebuild | verify | drop: versions of the usage projection, rebuilt from the
// stream beside the live one and swapped in (docs/OPERATIONS.md, "Retention and rebuilds").
import { parseArgs } from 'node:util';
import { subjectsFor } from '@mai/config';
import { PROJECTION_VERSION, describeDrift, hasDrift, isCalendarMonth, isOrgId } from '@mai/domain';
import { ProjectionVersions } from '@mai/persistence';
import { CliContext, Command, UsageError } from '../cli-context';
import { ProgressBar } from '../projection/progress-bar';
import { rebuildProjection } from '../projection/rebuild-projection';
import { StreamLink, connectToStreams } from '../projection/usage-stream-reader';
import { verifyProjection } from '../projection/verify-projection';
import { announceProjectionChange } from './projection-signal';

const USAGE = [
  'usage: projection list',
  '       projection rebuild [--from-seq N | --from-time ISO] [--batch MESSAGES] [--no-swap]',
  '       projection verify [--org ORG] [--month YYYY-MM] [--version N]',
  '       projection drop <version>',
].join('\n');

const say = (line: string) => process.stderr.write(`${line}\n`);
const progress = (label: string, range: { firstSeq: number; headSeq: number }) => new ProgressBar(label, range);
const grouped = (n: number) => Math.round(n).toLocaleString('en-US');

function positiveInteger(text: string | undefined, name: string, fallback: number): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < 1) throw new UsageError(`${name} must be a positive integer, got "${text}"`);
  return value;
}

async function withStream<T>(context: CliContext, work: (link: StreamLink) => Promise<T>): Promise<T> {
  const link = await connectToStreams(context.config.natsUrl);
  try {
    return await work(link);
  } finally {
    await link.close();
  }
}

/** SIGINT stops at the end of the batch in hand (committed, so a re-run resumes there); a second one exits now. */
function interruptible(): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const onSigint = () => {
    if (controller.signal.aborted) process.exit(130);
    say('\ninterrupting after the batch in hand (Ctrl-C again to stop at once)');
    controller.abort();
  };
  process.on('SIGINT', onSigint);
  return { signal: controller.signal, dispose: () => process.off('SIGINT', onSigint) };
}

export const projectionCommand: Command = async (args, context) => {
  const [action, ...rest] = args;
  switch (action) {
    case 'list':
      return list(context);
    case 'rebuild': {
      const { values, positionals } = parseArgs({
        args: rest,
        allowPositionals: true,
        options: {
          'from-seq': { type: 'string' },
          'from-time': { type: 'string' },
          batch: { type: 'string' },
          'batch-records': { type: 'string' },
          'no-swap': { type: 'boolean', default: false },
        },
      });
      if (positionals.length > 0) throw new UsageError(USAGE);
      if (values['from-seq'] !== undefined && values['from-time'] !== undefined) throw new UsageError('give --from-seq or --from-time, not both');
      const fromSeq = values['from-seq'] === undefined ? undefined : positiveInteger(values['from-seq'], '--from-seq', 1);
      let fromTime: Date | undefined;
      if (values['from-time'] !== undefined) {
        fromTime = new Date(values['from-time']);
        if (Number.isNaN(fromTime.getTime())) throw new UsageError(`--from-time must be an ISO date or instant, got "${values['from-time']}"`);
      }
      if (fromSeq !== undefined || fromTime !== undefined) {
        say('note: a version replayed from part of the stream holds only the events from there on; verify compares it with that part');
      }
      const pool = await context.database();
      const stop = interruptible();
      try {
        const outcome = await withStream(context, (link) =>
          rebuildProjection(
            { pool, link, stream: context.config.usageStream, filterSubject: subjectsFor(context.config).usageRecordedAll, log: say, progress },
            {
              fromSeq,
              fromTime,
              batchMessages: positiveInteger(values.batch, '--batch', 1000),
              batchRecords: positiveInteger(values['batch-records'], '--batch-records', 50_000),
              swap: !values['no-swap'],
              signal: stop.signal,
            },
          ),
        );
        // A new version is live: every org's numbers may differ from what the gateways have cached.
        if (outcome.retired !== undefined) await announceProjectionChange(context.config.natsUrl, subjectsFor(context.config).projectedEveryOrg, say);
        const rate = outcome.seconds > 0 ? outcome.records / outcome.seconds : 0;
        context.print(
          `replayed ${grouped(outcome.messages)} messages (${grouped(outcome.records)} events) in ${outcome.seconds.toFixed(1)} s: ${grouped(rate)} events/s` +
            (outcome.poison > 0 ? `; ${outcome.poison} undecodable messages skipped (the aggregator dead-lettered them)` : ''),
        );
        context.print(
          outcome.retired === undefined
            ? `version ${outcome.version} is built up to seq ${outcome.throughSeq} and not live; run projection rebuild again to catch up and swap it in`
            : `version ${outcome.version} is live; version ${outcome.retired} is retired (drop it with: npm run cli -- projection drop ${outcome.retired})`,
        );
      } finally {
        stop.dispose();
      }
      return;
    }
    case 'verify': {
      const { values, positionals } = parseArgs({
        args: rest,
        allowPositionals: true,
        options: { org: { type: 'string' }, month: { type: 'string' }, version: { type: 'string' }, attempts: { type: 'string' } },
      });
      if (positionals.length > 0) throw new UsageError(USAGE);
      if (values.org !== undefined && !isOrgId(values.org)) throw new UsageError(`--org "${values.org}" is not an org id`);
      if (values.month !== undefined && !isCalendarMonth(values.month)) throw new UsageError(`--month must be YYYY-MM, got "${values.month}"`);
      const pool = await context.database();
      const subjects = subjectsFor(context.config);
      const stop = interruptible();
      try {
        const outcome = await withStream(context, (link) =>
          verifyProjection(
            {
              pool,
              link,
              stream: context.config.usageStream,
              filterSubject: values.org ? subjects.usageRecorded(values.org) : subjects.usageRecordedAll,
              log: say,
              progress,
            },
            {
              scope: { orgId: values.org, month: values.month },
              version: values.version === undefined ? undefined : positiveInteger(values.version, '--version', 1),
              attempts: positiveInteger(values.attempts, '--attempts', 3),
              retryDelayMs: 1_000,
              batchMessages: 1000,
              signal: stop.signal,
            },
          ),
        );
        const scope = [values.org && `org ${values.org}`, values.month && `month ${values.month}`].filter(Boolean).join(', ') || 'all orgs';
        const { drift } = outcome;
        for (const line of describeDrift(drift)) context.print(line);
        const summary =
          `version ${outcome.version.version} (${outcome.version.status}), ${scope}, stream seq ${outcome.version.startSeq}..${outcome.throughSeq}:` +
          ` ${grouped(drift.comparedRows)} rows and ${grouped(drift.comparedMonths)} org-months compared with ${grouped(outcome.records)} events` +
          ` (${grouped(outcome.duplicates)} repeats not counted)`;
        if (hasDrift(drift)) {
          throw new Error(`DRIFT: ${drift.rows.length} rows and ${drift.users.length} org-months differ from the stream; ${summary}. A rebuild replaces the projection with the stream's totals`);
        }
        context.print(`no drift: ${summary}`);
      } finally {
        stop.dispose();
      }
      return;
    }
    case 'drop': {
      const { positionals } = parseArgs({ args: rest, allowPositionals: true, options: {} });
      if (positionals.length !== 1) throw new UsageError('usage: projection drop <version>');
      const version = positiveInteger(positionals[0], 'version', 1);
      const dropped = await new ProjectionVersions(await context.database()).drop(version);
      context.print(`dropped the tables of projection version ${dropped.version}`);
      return;
    }
    default:
      throw new UsageError(USAGE);
  }
};

async function list(context: CliContext): Promise<void> {
  const versions = await new ProjectionVersions(await context.database()).list();
  const head = await withStream(context, async (link) => {
    try {
      return (await link.jsm.streams.info(context.config.usageStream)).state.last_seq;
    } catch {
      return undefined; // no stream yet
    }
  });
  context.print(['VERSION', 'LOGIC', 'STATUS', 'FROM SEQ', 'CHECKPOINT', 'BEHIND', 'ROWS', 'CREATED', 'LIVE FROM', 'RETIRED/DROPPED'].join('\t'));
  for (const v of versions) {
    const checkpoint = v.checkpoint?.streamSeq;
    const behind = v.status === 'dropped' || v.status === 'retired' || head === undefined ? '-' : String(Math.max(0, head - (checkpoint ?? v.startSeq - 1)));
    const logic = v.logicVersion === PROJECTION_VERSION ? String(v.logicVersion) : `${v.logicVersion} (code: ${PROJECTION_VERSION}, rebuild)`;
    context.print(
      [
        v.version,
        logic,
        v.status,
        v.startTime ? `${v.startSeq} (${v.startTime.toISOString()})` : v.startSeq,
        checkpoint ?? '-',
        behind,
        v.dailyRows ?? '-',
        v.createdAt.toISOString(),
        v.liveFrom?.toISOString() ?? '-',
        (v.droppedAt ?? v.retiredAt)?.toISOString() ?? '-',
      ].join('\t'),
    );
  }
}
