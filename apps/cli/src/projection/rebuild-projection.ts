// `projection rebuild`: replays the usage stream into a new version of the projection tables beside the live
// ones while ingestion and the aggregator go on, then swaps it in. Each batch is one UsageProjectionWriter
// transaction (ledger → fold → upsert → checkpoint) into the new version's tables, so an interrupted or killed
// rebuild resumes from the new version's checkpoint and never touches the live tables. The swap takes the live
// tables' locks (waiting for the aggregator's batch in flight), projects the events that arrived since the
// last batch up to the stream head, renames the table sets and commits: the aggregator's next batch lands in
// the new tables, and whatever it re-reads from before the head is absorbed by the new version's ledger.
import { JsMsg } from 'nats';
import { Pool } from 'pg';
import { PROJECTION_VERSION, decodeUsageEvent } from '@mai/domain';
import { ProjectionVersion, ProjectionVersions, UsageBatch, UsageProjectionWriter, projectionTables } from '@mai/persistence';
import { ProgressBar } from './progress-bar';
import { StreamLink, StreamStart, UsageStreamReader } from './usage-stream-reader';

export interface RebuildOptions {
  readonly fromSeq?: number;
  readonly fromTime?: Date;
  /** Most messages per batch (one transaction). */
  readonly batchMessages: number;
  /** Most usage records per batch, whatever the messages carry. */
  readonly batchRecords: number;
  /** false: build up to the head and leave the version building (swap later by running again). */
  readonly swap: boolean;
  /** How long the swap may wait for the live tables before it catches up again and retries. */
  readonly lockTimeoutMs?: number;
  readonly signal: AbortSignal;
}

export interface RebuildDependencies {
  readonly pool: Pool;
  readonly link: StreamLink;
  readonly stream: string;
  readonly filterSubject: string;
  readonly log: (line: string) => void;
  readonly progress: (label: string, range: { firstSeq: number; headSeq: number }) => ProgressBar;
}

export interface RebuildOutcome {
  readonly version: number;
  /** The version it replaced, when swapped in. */
  readonly retired?: number;
  readonly resumed: boolean;
  readonly messages: number;
  readonly records: number;
  readonly poison: number;
  readonly seconds: number;
  /** The stream sequence the new version holds everything up to. */
  readonly throughSeq: number;
}

export class RebuildError extends Error {}

const SWAP_ATTEMPTS = 5;
const EMPTY_READS_ALLOWED = 5;

export async function rebuildProjection(deps: RebuildDependencies, options: RebuildOptions): Promise<RebuildOutcome> {
  const versions = new ProjectionVersions(deps.pool);
  const lock = await versions.tryRebuildLock();
  if (!lock) throw new RebuildError('another projection rebuild is running');
  let reader: UsageStreamReader | undefined;
  try {
    // The stream first: without it there is nothing to build from, and no version should be left behind.
    const streamState = (await deps.link.jsm.streams.info(deps.stream)).state;
    const live = await versions.live();
    let building = await versions.building();
    const resumed = building !== undefined;
    if (building) {
      if (options.fromSeq !== undefined || options.fromTime !== undefined) {
        throw new RebuildError(`version ${building.version} is being built already: run without --from-seq/--from-time to resume it, or drop it first (projection drop ${building.version})`);
      }
      if (building.logicVersion !== PROJECTION_VERSION) {
        throw new RebuildError(`version ${building.version} was started by projection logic ${building.logicVersion}, this code is ${PROJECTION_VERSION}: drop it (projection drop ${building.version}) and rebuild`);
      }
    } else {
      building = await versions.createBuilding({ logicVersion: PROJECTION_VERSION, startSeq: options.fromSeq ?? 1, startTime: options.fromTime });
    }
    const tables = projectionTables(building.version, 'building');
    const checkpoint = await versions.checkpoint(tables);
    const start: StreamStart = checkpoint
      ? { seq: checkpoint.streamSeq + 1 }
      : building.startTime
        ? { time: building.startTime }
        : { seq: building.startSeq };
    deps.log(
      `${resumed ? 'resuming' : 'building'} projection version ${building.version} beside live version ${live.version}` +
        ` from ${start.time ? start.time.toISOString() : `seq ${start.seq}`}` +
        ` (stream ${deps.stream}: ${streamState.messages} messages, seq ${streamState.first_seq}..${streamState.last_seq})`,
    );

    reader = await UsageStreamReader.open(deps.link, { stream: deps.stream, filterSubject: deps.filterSubject, start });
    const range = { firstSeq: Math.max(start.seq ?? streamState.first_seq, streamState.first_seq), headSeq: streamState.last_seq };
    // A replay from a time learns its first sequence from the first message (recorded before that batch).
    const startKnown = building.startTime === null || checkpoint !== undefined;
    const run = new ReplayRun(deps, versions, building, reader, options, range, startKnown);
    const began = Date.now();
    await run.replay();
    if (options.signal.aborted) throw run.interrupted();
    if (!options.swap) {
      await run.recordStart((await deps.link.jsm.streams.info(deps.stream)).state.last_seq + 1);
      run.finish();
      return run.outcome(resumed, began);
    }

    await versions.analyze(building);
    for (let attempt = 1; ; attempt++) {
      let swap;
      try {
        swap = await versions.beginSwap(options.lockTimeoutMs ?? 5_000);
      } catch (error) {
        if ((error as { code?: string }).code !== '55P03' || attempt >= SWAP_ATTEMPTS) throw error;
        deps.log(`the live tables stayed busy for ${options.lockTimeoutMs ?? 5_000} ms; catching up and trying the swap again`);
        await run.replay();
        continue;
      }
      try {
        const head = (await deps.link.jsm.streams.info(deps.stream)).state.last_seq;
        if ((await reader.pending()) > options.batchMessages * 2 && attempt < SWAP_ATTEMPTS) {
          // Too much arrived to drain while readers wait on the lock: catch up without it first.
          await swap.abort();
          await run.replay();
          continue;
        }
        await run.replay(head);
        if (options.signal.aborted) throw run.interrupted();
        await run.recordStart(head + 1);
        const { retired } = await swap.commit(building.version);
        run.finish();
        return { ...run.outcome(resumed, began), retired };
      } finally {
        await swap.abort();
      }
    }
  } finally {
    await reader?.close();
    await lock.release();
  }
}

/** One replay into one building version: batches read ahead while the previous one is written. */
class ReplayRun {
  private readonly writer: UsageProjectionWriter;
  private readonly bar: ProgressBar;
  private messages = 0;
  private records = 0;
  private poison = 0;
  private throughSeq: number;
  private startRecorded: boolean;

  constructor(
    deps: RebuildDependencies,
    private readonly versions: ProjectionVersions,
    private readonly building: ProjectionVersion,
    private readonly reader: UsageStreamReader,
    private readonly options: RebuildOptions,
    range: { firstSeq: number; headSeq: number },
    startKnown: boolean,
  ) {
    this.writer = new UsageProjectionWriter(deps.pool, projectionTables(building.version, 'building'));
    this.bar = deps.progress(`rebuild v${building.version}`, range);
    this.throughSeq = range.firstSeq - 1;
    this.startRecorded = startKnown;
  }

  /** Reads and projects until nothing is pending, or (with `until`) the stream sequence `until` is read. */
  async replay(until?: number): Promise<void> {
    let pending = await this.reader.pending();
    let emptyReads = 0;
    const wanted = () => !this.options.signal.aborted && pending > 0 && (until === undefined || this.reader.lastSeq < until);
    const readNext = () => {
      // Decoded as soon as it arrives, which is while the batch before is being written.
      const next = this.reader.read(this.fetchSize(pending)).then(decodeBatch);
      next.catch(() => undefined); // awaited below; never an unhandled rejection while a batch is written
      return next;
    };
    let next = wanted() ? readNext() : undefined;
    while (next) {
      const batch = await next;
      const last = batch.messages.at(-1);
      pending = last ? last.info.pending : await this.reader.pending();
      emptyReads = last ? 0 : emptyReads + 1;
      if (emptyReads > EMPTY_READS_ALLOWED) throw new RebuildError(`the stream reports ${pending} messages pending but delivers none`);
      next = wanted() ? readNext() : undefined;
      if (last) await this.project(batch, pending);
    }
  }

  /** Where a replay that started at a time began, once known (the head + 1 when nothing came after it). */
  async recordStart(fallbackSeq: number): Promise<void> {
    if (this.startRecorded) return;
    await this.versions.recordStartSeq(this.building.version, fallbackSeq);
    this.startRecorded = true;
  }

  interrupted(): RebuildError {
    this.finish();
    return new RebuildError(
      `interrupted: version ${this.building.version} holds the stream up to seq ${this.throughSeq}; the live projection is untouched.` +
        ` Run projection rebuild again to resume (or projection drop ${this.building.version} to abandon it)`,
    );
  }

  finish(): void {
    this.bar.finish();
  }

  outcome(resumed: boolean, began: number): RebuildOutcome {
    return {
      version: this.building.version,
      resumed,
      messages: this.messages,
      records: this.records,
      poison: this.poison,
      seconds: (Date.now() - began) / 1000,
      throughSeq: this.throughSeq,
    };
  }

  private fetchSize(pending: number): number {
    // Learn the records per message from the first batches, so that one batch stays around `batchRecords`.
    const perMessage = this.messages > 0 ? Math.max(1, this.records / this.messages) : undefined;
    const byRecords = perMessage === undefined ? 100 : Math.floor(this.options.batchRecords / perMessage);
    return Math.max(1, Math.min(pending, this.options.batchMessages, byRecords));
  }

  private async project(batch: DecodedBatch, pendingAfter: number): Promise<void> {
    if (!this.startRecorded) await this.recordStart(batch.messages[0].seq);
    await this.writer.applyBatch(batch.usage);
    const lastSeq = batch.messages.at(-1)!.seq;
    this.messages += batch.messages.length;
    this.records += batch.records;
    this.poison += batch.poison;
    this.throughSeq = lastSeq;
    this.bar.update(lastSeq, this.records, lastSeq + pendingAfter);
  }
}

interface DecodedBatch {
  readonly messages: JsMsg[];
  /** Decoded, deduplicated, fingerprinted and folded while the batch before is written. */
  readonly usage: UsageBatch;
  readonly records: number;
  /** Messages that do not decode: the aggregator parked them on the dead-letter subject, never projected, so skipped alike. */
  readonly poison: number;
}

/**
 * Decodes, deduplicates, fingerprints, folds and serializes (seals) a batch while the one before is written:
 * in slices of ~1 000 records with the event loop let through between them, so the write's database replies
 * are never kept waiting behind a whole batch of JavaScript (the database would idle meanwhile).
 */
async function decodeBatch(messages: JsMsg[]): Promise<DecodedBatch> {
  const usage = new UsageBatch();
  let sinceYield = 0;
  for (const message of messages) {
    const decoded = decodeUsageEvent(message.data);
    if (decoded.ok) {
      usage.add(message.seq, decoded.event);
      sinceYield += decoded.event.data.records.length;
    }
    if (++sinceYield >= 1_000) {
      sinceYield = 0;
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }
  usage.seal();
  return { messages, usage, records: usage.size, poison: messages.length - usage.events.length };
}
