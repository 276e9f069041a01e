// Writes a batch of usage events into the daily projection exactly once. One transaction per batch:
// ledger insert (drops generation ids seen before) → fold → one upsert per table → checkpoint. The caller
// acks the messages only after this commits, so a crash anywhere before leaves the batch to be redelivered,
// and a crash after the commit but before the ack is absorbed by the ledger.
import { Pool, PoolClient } from 'pg';
import { DailyModelUsageText, MonthlyUser, OrgUsageRecord, UsageEvent, UsageFold, UsageRecord, recordFingerprint, usageRecordsOf } from '@mai/domain';
import { withTransaction } from './database';

export interface StreamedUsageEvent {
  /** The stream sequence of the message that carried the event. */
  readonly streamSeq: number;
  readonly event: UsageEvent;
}

export interface GenerationConflict {
  readonly orgId: string;
  readonly generationId: string;
}

export interface BatchOutcome {
  /** Records counted for the first time. */
  readonly projected: number;
  /** Records whose generation id was already counted (redeliveries, retries, re-sends). */
  readonly duplicates: number;
  /** Duplicates that disagree with the version already counted (the first version stands). */
  readonly conflicts: readonly GenerationConflict[];
  /** Orgs whose numbers changed, for live-update notifications. */
  readonly orgsChanged: readonly string[];
}

/** The tables one version of the projection lives in; a rebuild writes a fresh set beside the live one. */
export interface ProjectionTables {
  readonly daily: string;
  readonly monthlyUsers: string;
  readonly ledger: string;
  readonly checkpoint: string;
}

export const LIVE_PROJECTION: ProjectionTables = {
  daily: 'client_model_daily_usage',
  monthlyUsers: 'org_monthly_users',
  ledger: 'usage_ledger',
  checkpoint: 'client_model_daily_usage',
};

/** Ids are kept one day longer than the 35 days ingest accepts, measured in stream time (see `clock`). */
const LEDGER_RETENTION_DAYS = 36;
const LEDGER_PRUNE_LIMIT = 10_000;
const UNIQUE_VIOLATION = '23505';

/**
 * One batch as it is assembled, before its transaction: events are taken one at a time (so the aggregator can
 * build the next batch while the previous one commits), deduplicated by generation id inside the batch (the
 * first in stream order stands), fingerprinted, and folded on the assumption that every record is new (true
 * unless the ledger says otherwise, when the writer folds again what it did count).
 */
/** A batch's statements' parameters, ready to send. */
export interface SealedBatch {
  readonly ledgerParams: readonly string[];
  readonly delta: ReturnType<UsageFold['result']>;
  readonly dailyParams: readonly string[];
  readonly userParams: readonly string[];
}

export class UsageBatch {
  /** The events taken, in order. */
  readonly events: StreamedUsageEvent[] = [];
  private readonly firstIndex = new Map<string, number>();
  private readonly keys: string[] = [];
  private readonly orgIds: string[] = [];
  private readonly records: UsageRecord[] = [];
  private readonly seqs: number[] = [];
  private readonly fingerprints: string[] = [];
  /** Later copies of a generation id already in this batch. */
  readonly repeated: OrgUsageRecord[] = [];
  readonly fold = new UsageFold();
  private recordCount = 0;
  private sealed?: SealedBatch;
  maxSeq = 0;
  clock = '';

  static of(events: Iterable<StreamedUsageEvent>): UsageBatch {
    const batch = new UsageBatch();
    for (const { streamSeq, event } of events) batch.add(streamSeq, event);
    return batch;
  }

  /** Usage records taken (duplicates included). */
  get size(): number {
    return this.recordCount;
  }

  get uniqueCount(): number {
    return this.keys.length;
  }

  add(streamSeq: number, event: UsageEvent): void {
    if (this.sealed) throw new Error('a sealed batch takes no more events');
    this.events.push({ streamSeq, event });
    if (streamSeq > this.maxSeq) this.maxSeq = streamSeq;
    if (event.metadata.receivedAt > this.clock) this.clock = event.metadata.receivedAt;
    for (const entry of usageRecordsOf(event)) {
      this.recordCount++;
      const key = `${entry.orgId}\u0000${entry.record.generationId}`;
      if (this.firstIndex.has(key)) {
        this.repeated.push(entry);
        continue;
      }
      this.firstIndex.set(key, this.keys.length);
      this.keys.push(key);
      this.orgIds.push(entry.orgId);
      this.records.push(entry.record);
      this.seqs.push(streamSeq);
      this.fingerprints.push(recordFingerprint(entry.record));
      this.fold.add(entry.orgId, entry.record);
    }
  }

  /**
   * Everything the transaction sends, worked out now (ledger rows sorted and serialized, the fold's rows and
   * their parameters), so that it is done while the batch before is still in its transaction rather than
   * between this batch's statements. Takes no more events after. Idempotent.
   */
  seal(): SealedBatch {
    if (!this.sealed) {
      const rows = this.ledgerRows();
      const delta = this.fold.result();
      this.sealed = {
        ledgerParams: [arrayLiteral(rows.orgIds, false), arrayLiteral(rows.generationIds), arrayLiteral(rows.occurredAt, false), arrayLiteral(rows.fingerprints, false), arrayLiteral(rows.seqs, false)],
        delta,
        dailyParams: dailyParams(delta.daily),
        userParams: userParams(delta.monthlyUsers),
      };
    }
    return this.sealed;
  }

  /** The ledger rows, sorted by (org, generation id) so that concurrent writers lock in the same order. */
  ledgerRows(): { orgIds: string[]; generationIds: string[]; occurredAt: string[]; fingerprints: string[]; seqs: number[] } {
    // The default sort compares UTF-16 code units, as `<` does; "\0" (never in an id) separates org from id.
    const order = this.keys.slice().sort();
    const rows = { orgIds: new Array<string>(order.length), generationIds: new Array<string>(order.length), occurredAt: new Array<string>(order.length), fingerprints: new Array<string>(order.length), seqs: new Array<number>(order.length) };
    for (let i = 0; i < order.length; i++) {
      const at = this.firstIndex.get(order[i])!;
      rows.orgIds[i] = this.orgIds[at];
      rows.generationIds[i] = this.records[at].generationId;
      rows.occurredAt[i] = this.records[at].occurredAt;
      rows.fingerprints[i] = this.fingerprints[at];
      rows.seqs[i] = this.seqs[at];
    }
    return rows;
  }

  /** The first copy of each generation id whose key is (or is not) in `fresh`. */
  unique(fresh: Set<string>, wanted: boolean): OrgUsageRecord[] {
    const out: OrgUsageRecord[] = [];
    for (let i = 0; i < this.keys.length; i++) if (fresh.has(this.keys[i]) === wanted) out.push({ orgId: this.orgIds[i], record: this.records[i] });
    return out;
  }
}

export class UsageProjectionWriter {
  constructor(
    private readonly pool: Pool,
    private readonly tables: ProjectionTables = LIVE_PROJECTION,
    /**
     * The checkpoint row this writer advances. Aggregator instances sharing the stream each keep their own
     * row, so their transactions never queue on one; the projection's checkpoint is the highest of them.
     */
    private readonly instance = '',
  ) {}

  /** `beforeCommit` runs inside the transaction after all writes (fault-injection tests kill the process there). */
  async applyBatch(batch: readonly StreamedUsageEvent[] | UsageBatch, beforeCommit?: () => void): Promise<BatchOutcome> {
    const prepared = batch instanceof UsageBatch ? batch : UsageBatch.of(batch);
    if (prepared.events.length === 0) return { projected: 0, duplicates: 0, conflicts: [], orgsChanged: [] };

    return withTransaction(this.pool, async (client) => {
      const sealed = prepared.seal();
      const fresh = await this.claimGenerations(client, prepared, sealed);
      let { delta, dailyParams: daily, userParams: users } = sealed;
      let alreadyCounted: OrgUsageRecord[] = [];
      if (fresh !== 'all') {
        alreadyCounted = prepared.unique(fresh, false);
        const fold = new UsageFold();
        for (const { orgId, record } of prepared.unique(fresh, true)) fold.add(orgId, record);
        delta = fold.result();
        daily = dailyParams(delta.daily);
        users = userParams(delta.monthlyUsers);
      }
      const conflicts = await this.findConflicts(client, [...alreadyCounted, ...prepared.repeated]);
      if (delta.daily.length > 0) await this.upsertDaily(client, daily);
      if (delta.monthlyUsers.length > 0) await this.insertMonthlyUsers(client, users);
      await this.advanceCheckpoint(client, prepared.maxSeq, prepared.clock);
      // SKIP LOCKED: instances pruning at the same time take different rows instead of waiting on each other.
      // ORDER BY: oldest first, and it keeps the planner on the occurred_at index; without it a ledger not yet
      // analyzed (a fresh version, a backlog) was scanned whole by every batch (59 ms at 200 000 rows).
      await client.query(
        `DELETE FROM ${this.tables.ledger} WHERE ctid = ANY (ARRAY(
           SELECT ctid FROM ${this.tables.ledger}
            WHERE occurred_at < $1::timestamptz - make_interval(days => $2)
            ORDER BY occurred_at LIMIT $3 FOR UPDATE SKIP LOCKED))`,
        [prepared.clock, LEDGER_RETENTION_DAYS, LEDGER_PRUNE_LIMIT],
      );
      beforeCommit?.();
      return {
        projected: prepared.uniqueCount - alreadyCounted.length,
        duplicates: alreadyCounted.length + prepared.repeated.length,
        conflicts,
        orgsChanged: [...new Set(delta.daily.map((row) => row.orgId))],
      };
    });
  }

  /**
   * Inserts the ledger rows; returns 'all' when every one was new (the usual case), else the keys that were.
   * The usual case is a plain INSERT under a savepoint: no ON CONFLICT (a speculative insertion per row, about a
   * third of the ledger's cost in PostgreSQL) and no RETURNING (10 000 rows sent back and parsed for nothing).
   * A generation counted before makes it fail on the primary key (or, when another instance is inserting it,
   * after waiting for that one to commit); then it is rolled back to the savepoint and run again with ON CONFLICT
   * DO NOTHING RETURNING, in the same transaction, to learn which rows are new.
   */
  private async claimGenerations(client: PoolClient, batch: UsageBatch, sealed: SealedBatch): Promise<Set<string> | 'all'> {
    if (batch.uniqueCount === 0) return 'all';
    const params = sealed.ledgerParams;
    const insert = `INSERT INTO ${this.tables.ledger} (org_id, generation_id, occurred_at, fingerprint, stream_seq)
       SELECT * FROM unnest($1::text[], $2::text[], $3::timestamptz[], $4::text[], $5::int8[])`;
    await client.query('SAVEPOINT ledger');
    try {
      await client.query(insert, [...params]);
      return 'all';
    } catch (error) {
      if ((error as { code?: unknown }).code !== UNIQUE_VIOLATION) throw error;
    }
    await client.query('ROLLBACK TO SAVEPOINT ledger');
    const { rows: inserted } = await client.query<[string, string]>({
      text: `${insert} ON CONFLICT (org_id, generation_id) DO NOTHING RETURNING org_id, generation_id`,
      values: [...params],
      rowMode: 'array',
    });
    return new Set(inserted.map(([orgId, generationId]) => `${orgId}\u0000${generationId}`));
  }

  private async findConflicts(client: PoolClient, duplicates: OrgUsageRecord[]): Promise<GenerationConflict[]> {
    if (duplicates.length === 0) return [];
    const { rows } = await client.query<{ org_id: string; generation_id: string; fingerprint: string }>(
      `SELECT l.org_id, l.generation_id, l.fingerprint
         FROM ${this.tables.ledger} l
         JOIN unnest($1::text[], $2::text[]) AS d(org_id, generation_id) USING (org_id, generation_id)`,
      [duplicates.map((e) => e.orgId), duplicates.map((e) => e.record.generationId)],
    );
    const counted = new Map(rows.map((row) => [`${row.org_id}\u0000${row.generation_id}`, row.fingerprint]));
    return duplicates
      .filter((entry) => {
        const fingerprint = counted.get(ledgerKey(entry));
        return fingerprint !== undefined && fingerprint !== recordFingerprint(entry.record);
      })
      .map((entry) => ({ orgId: entry.orgId, generationId: entry.record.generationId }));
  }

  private async upsertDaily(client: PoolClient, params: readonly string[]): Promise<void> {
    await client.query(
      `INSERT INTO ${this.tables.daily} AS d
         (org_id, usage_day, model, prompt_tokens, completion_tokens, total_tokens, requests, raw_cost, markup_cost)
       SELECT * FROM unnest($1::text[], $2::date[], $3::text[], $4::int8[], $5::int8[], $6::int8[], $7::int8[], $8::numeric[], $9::numeric[])
       ON CONFLICT (org_id, usage_day, model) DO UPDATE SET
         prompt_tokens     = d.prompt_tokens + EXCLUDED.prompt_tokens,
         completion_tokens = d.completion_tokens + EXCLUDED.completion_tokens,
         total_tokens      = d.total_tokens + EXCLUDED.total_tokens,
         requests          = d.requests + EXCLUDED.requests,
         -- trim_scale: a NUMERIC sum keeps its terms' largest scale (0.15 + 0.05 = 0.20), so without it the text
         -- of a row would depend on where batches happened to split, and a rebuild would not match byte for byte.
         raw_cost          = trim_scale(d.raw_cost + EXCLUDED.raw_cost),
         markup_cost       = trim_scale(d.markup_cost + EXCLUDED.markup_cost),
         updated_at        = now()`,
      [...params],
    );
  }

  private async insertMonthlyUsers(client: PoolClient, params: readonly string[]): Promise<void> {
    await client.query(
      `INSERT INTO ${this.tables.monthlyUsers} (org_id, month, user_id)
       SELECT o, (m || '-01')::date, u FROM unnest($1::text[], $2::text[], $3::text[]) AS t(o, m, u)
       ON CONFLICT DO NOTHING`,
      [...params],
    );
  }

  private async advanceCheckpoint(client: PoolClient, streamSeq: number, clock: string): Promise<void> {
    await client.query(
      `INSERT INTO projection_checkpoints AS c (projection, instance, stream_seq, clock) VALUES ($1, $2, $3, $4)
       ON CONFLICT (projection, instance) DO UPDATE SET
         stream_seq = GREATEST(c.stream_seq, EXCLUDED.stream_seq),
         clock      = GREATEST(c.clock, EXCLUDED.clock),
         updated_at = now()`,
      [this.tables.checkpoint, this.instance, streamSeq, clock],
    );
  }

  /** The highest stream sequence and clock any instance has committed (GREATEST over all of them). */
  async checkpoint(): Promise<{ streamSeq: number; clock: Date } | undefined> {
    const { rows } = await this.pool.query(
      'SELECT max(stream_seq) AS stream_seq, max(clock) AS clock FROM projection_checkpoints WHERE projection = $1',
      [this.tables.checkpoint],
    );
    return rows[0]?.stream_seq != null ? { streamSeq: Number(rows[0].stream_seq), clock: rows[0].clock } : undefined;
  }

  /**
   * Drops the rows of instances gone for longer than `idleMs` (pods replaced by a rollout) whose position
   * another row already covers, so the projection's checkpoint stays the same and the table stays small.
   */
  async forgetIdleInstances(idleMs = 86_400_000): Promise<number> {
    const { rowCount } = await this.pool.query(
      `DELETE FROM projection_checkpoints c
        WHERE c.projection = $1 AND c.instance <> $2 AND c.updated_at < now() - make_interval(secs => $3)
          AND EXISTS (SELECT 1 FROM projection_checkpoints o
                       WHERE o.projection = c.projection AND o.stream_seq >= c.stream_seq AND o.clock >= c.clock
                         -- ties broken by name: of two equal rows one survives, so neither maximum can go
                         AND (o.stream_seq, o.clock, o.instance) > (c.stream_seq, c.clock, c.instance))`,
      [this.tables.checkpoint, this.instance, idleMs / 1000],
    );
    return rowCount ?? 0;
  }
}

function dailyParams(rows: readonly DailyModelUsageText[]): string[] {
  return [
    arrayLiteral(rows.map((r) => r.orgId), false),
    arrayLiteral(rows.map((r) => r.usageDay), false),
    arrayLiteral(rows.map((r) => r.model), false),
    arrayLiteral(rows.map((r) => r.promptTokens), false),
    arrayLiteral(rows.map((r) => r.completionTokens), false),
    arrayLiteral(rows.map((r) => r.totalTokens), false),
    arrayLiteral(rows.map((r) => r.requests), false),
    arrayLiteral(rows.map((r) => r.rawCost), false),
    arrayLiteral(rows.map((r) => r.markupCost), false),
  ];
}

function userParams(users: readonly MonthlyUser[]): string[] {
  return [arrayLiteral(users.map((u) => u.orgId), false), arrayLiteral(users.map((u) => u.month), false), arrayLiteral(users.map((u) => u.user))];
}

const NEEDS_ESCAPE = /["\\]/;

/**
 * A PostgreSQL array literal of non-null strings or numbers, every element quoted (what node-postgres sends
 * for a JS array, built with one join instead of two regex replacements and a concatenation per element:
 * ~1 µs a record over a batch's arrays). Backslashes and double quotes are escaped; nothing else needs it
 * inside quotes. `mayNeedEscaping = false` skips looking, for values the event decoder has held to a pattern
 * without either character (org ids, models, days, instants, fingerprints, decimals, numbers).
 */
export function arrayLiteral(values: readonly (string | number)[], mayNeedEscaping = true): string {
  if (values.length === 0) return '{}';
  let plain = true;
  if (mayNeedEscaping) for (const value of values) {
    if (typeof value === 'string' && NEEDS_ESCAPE.test(value)) {
      plain = false;
      break;
    }
  }
  if (plain) return `{"${values.join('","')}"}`;
  return `{${values.map((value) => `"${String(value).replace(/[\\"]/g, '\\$&')}"`).join(',')}}`;
}

function ledgerKey(entry: OrgUsageRecord): string {
  return `${entry.orgId}\u0000${entry.record.generationId}`;
}

