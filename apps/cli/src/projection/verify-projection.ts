// `projection verify`: recomputes the totals from the stream in memory (the domain's fold, each generation id
// counted once, the first version standing) and compares them with a projection version, per org, day and
// model, and the distinct users per org and month. The projection is read in one snapshot with its checkpoint
// and the stream folded exactly up to that checkpoint, so ingestion going on meanwhile is no drift. A batch
// the aggregator has not committed yet can still show as drift for a moment (a redelivery committing behind a
// later batch), so a drift is checked again on a later snapshot before it is reported.
import { JsMsg } from 'nats';
import { Pool } from 'pg';
import { ProjectionDrift, ReplayedUsage, VerificationScope, compareProjection, decodeUsageEvent, hasDrift, usageRecordsOf } from '@mai/domain';
import { ProjectionVersion, ProjectionVersions } from '@mai/persistence';
import { ProgressBar } from './progress-bar';
import { StreamLink, UsageStreamReader } from './usage-stream-reader';

export interface VerifyOptions {
  readonly scope: VerificationScope;
  /** The version to check; the live one by default. */
  readonly version?: number;
  /** Snapshots compared before a drift is reported. */
  readonly attempts: number;
  readonly retryDelayMs: number;
  readonly batchMessages: number;
  readonly signal: AbortSignal;
}

export interface VerifyDependencies {
  readonly pool: Pool;
  readonly link: StreamLink;
  readonly stream: string;
  /** The subject to replay: every org's, or one org's when the scope names it. */
  readonly filterSubject: string;
  readonly log: (line: string) => void;
  readonly progress: (label: string, range: { firstSeq: number; headSeq: number }) => ProgressBar;
}

export interface VerifyOutcome {
  readonly version: ProjectionVersion;
  readonly drift: ProjectionDrift;
  /** The projection's checkpoint the comparison was made at. */
  readonly throughSeq: number;
  readonly messages: number;
  readonly records: number;
  readonly duplicates: number;
}

export class VerifyError extends Error {}

export async function verifyProjection(deps: VerifyDependencies, options: VerifyOptions): Promise<VerifyOutcome> {
  const versions = new ProjectionVersions(deps.pool);
  const version = options.version === undefined ? await versions.live() : await versions.find(options.version);
  if (!version) throw new VerifyError(`there is no projection version ${options.version}`);
  if (version.status === 'dropped') throw new VerifyError(`version ${version.version} was dropped`);
  const streamState = (await deps.link.jsm.streams.info(deps.stream)).state;
  const reader = await UsageStreamReader.open(deps.link, { stream: deps.stream, filterSubject: deps.filterSubject, start: { seq: version.startSeq } });
  const bar = deps.progress(`verify v${version.version}`, { firstSeq: Math.max(version.startSeq, streamState.first_seq), headSeq: streamState.last_seq });
  const replayed = new ReplayedUsage();
  let carried: JsMsg[] = [];
  let messages = 0;
  const fold = (batch: JsMsg[]) => {
    for (const message of batch) {
      const decoded = decodeUsageEvent(message.data);
      if (decoded.ok) replayed.add(usageRecordsOf(decoded.event)); // poison was never projected: skipped alike
    }
    messages += batch.length;
  };
  try {
    for (let attempt = 1; ; attempt++) {
      const snapshot = await versions.snapshot(version, options.scope);
      const throughSeq = snapshot.checkpoint?.streamSeq ?? 0;
      // Fold the stream exactly up to the checkpoint; what was read beyond it waits for the next snapshot.
      const ready = carried.filter((message) => message.seq <= throughSeq);
      carried = carried.filter((message) => message.seq > throughSeq);
      fold(ready);
      while (carried.length === 0 && reader.lastSeq < throughSeq && !options.signal.aborted) {
        const pending = await reader.pending();
        if (pending === 0) break;
        const batch = await reader.read(Math.min(pending, options.batchMessages));
        fold(batch.filter((message) => message.seq <= throughSeq));
        carried = batch.filter((message) => message.seq > throughSeq);
        if (batch.length > 0) bar.update(Math.min(batch.at(-1)!.seq, throughSeq), replayed.records + replayed.duplicates);
      }
      if (options.signal.aborted) throw new VerifyError('interrupted');
      const drift = compareProjection(snapshot.content, replayed.content(options.scope));
      if (!hasDrift(drift) || attempt >= options.attempts) {
        bar.finish();
        return { version, drift, throughSeq, messages, records: replayed.records, duplicates: replayed.duplicates };
      }
      deps.log(`${drift.rows.length + drift.users.length} differences at seq ${throughSeq}; checking again on a fresh snapshot (${attempt}/${options.attempts})`);
      await new Promise((resolve) => setTimeout(resolve, options.retryDelayMs));
    }
  } finally {
    await reader.close();
  }
}
