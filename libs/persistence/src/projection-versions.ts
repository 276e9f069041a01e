// Versions of the usage projection (naming scheme in migrations/005_projection_versions.sql): a new version is
// built beside the live one, swapped in by renaming the table sets in one transaction, and the old one kept,
// retired, until dropped. Readers and the aggregator only ever name the live tables, so a swap is invisible
// to them: a statement waiting on the swap's lock resolves the names again once it commits.
import { Pool, PoolClient } from 'pg';
import { DailyModelUsage, MonthlyUser, ProjectionContent, Usd, VerificationScope } from '@mai/domain';
import { withTransaction } from './database';
import { LIVE_PROJECTION, ProjectionTables } from './usage-projection';

export type ProjectionStatus = 'building' | 'live' | 'retired' | 'dropped';

export interface ProjectionVersion {
  readonly version: number;
  /** PROJECTION_VERSION of the code that built it. */
  readonly logicVersion: number;
  readonly status: ProjectionStatus;
  /** First stream sequence replayed into it (1 for the whole stream). */
  readonly startSeq: number;
  readonly startTime: Date | null;
  readonly createdAt: Date;
  readonly liveFrom: Date | null;
  readonly retiredAt: Date | null;
  readonly droppedAt: Date | null;
}

export interface ProjectionCheckpoint {
  readonly streamSeq: number;
  readonly clock: Date;
}

/** A version's rows in a scope with the checkpoint they correspond to, read from one snapshot. */
export interface ProjectionSnapshot {
  readonly checkpoint: ProjectionCheckpoint | undefined;
  readonly content: ProjectionContent;
}

export interface ProjectionVersionState extends ProjectionVersion {
  readonly tables: ProjectionTables;
  readonly checkpoint: ProjectionCheckpoint | undefined;
  /** Rows of the daily table; undefined once dropped. */
  readonly dailyRows: number | undefined;
}

/** A session advisory lock: one rebuild at a time, and no drop or erasure beside a running one. */
export const PROJECTION_REBUILD_LOCK = 7_301_526_005;

/** The table set of a version: the plain names while live, suffixed with `_v<version>` otherwise. */
export function projectionTables(version: number, status: ProjectionStatus): ProjectionTables {
  if (status === 'live') return LIVE_PROJECTION;
  const suffix = `_v${version}`;
  return {
    daily: `${LIVE_PROJECTION.daily}${suffix}`,
    monthlyUsers: `${LIVE_PROJECTION.monthlyUsers}${suffix}`,
    ledger: `${LIVE_PROJECTION.ledger}${suffix}`,
    checkpoint: `${LIVE_PROJECTION.checkpoint}${suffix}`,
  };
}

/** In the order the projection writer touches them, so locking them all cannot deadlock with it. */
function tablesInLockOrder(tables: ProjectionTables): string[] {
  return [tables.ledger, tables.daily, tables.monthlyUsers];
}

const ident = (name: string) => `"${name.replace(/"/g, '""')}"`;

/** A projection's checkpoint is the highest of its rows (aggregator instances may each keep one). */
const CHECKPOINT_SQL = 'SELECT max(stream_seq)::text AS stream_seq, max(clock) AS clock FROM projection_checkpoints WHERE projection = $1';
const toCheckpoint = (row: { stream_seq: string | null; clock: Date | null } | undefined): ProjectionCheckpoint | undefined =>
  row?.stream_seq != null && row.clock != null ? { streamSeq: Number(row.stream_seq), clock: row.clock } : undefined;

interface VersionRow {
  version: number;
  logic_version: number;
  status: ProjectionStatus;
  start_seq: string;
  start_time: Date | null;
  created_at: Date;
  live_from: Date | null;
  retired_at: Date | null;
  dropped_at: Date | null;
}

const toVersion = (row: VersionRow): ProjectionVersion => ({
  version: row.version,
  logicVersion: row.logic_version,
  status: row.status,
  startSeq: Number(row.start_seq),
  startTime: row.start_time,
  createdAt: row.created_at,
  liveFrom: row.live_from,
  retiredAt: row.retired_at,
  droppedAt: row.dropped_at,
});

export class ProjectionVersionError extends Error {}

export class ProjectionVersions {
  constructor(private readonly pool: Pool) {}

  async list(): Promise<ProjectionVersionState[]> {
    const { rows } = await this.pool.query<VersionRow>('SELECT * FROM projection_versions ORDER BY version');
    const states: ProjectionVersionState[] = [];
    for (const version of rows.map(toVersion)) {
      const tables = projectionTables(version.version, version.status);
      let dailyRows: number | undefined;
      if (version.status !== 'dropped') {
        const { rows: counted } = await this.pool.query<{ n: string }>(`SELECT count(*)::text AS n FROM ${ident(tables.daily)}`);
        dailyRows = Number(counted[0].n);
      }
      states.push({ ...version, tables, checkpoint: await this.checkpoint(tables), dailyRows });
    }
    return states;
  }

  async find(version: number): Promise<ProjectionVersion | undefined> {
    const { rows } = await this.pool.query<VersionRow>('SELECT * FROM projection_versions WHERE version = $1', [version]);
    return rows[0] ? toVersion(rows[0]) : undefined;
  }

  async live(): Promise<ProjectionVersion> {
    const { rows } = await this.pool.query<VersionRow>(`SELECT * FROM projection_versions WHERE status = 'live'`);
    if (!rows[0]) throw new ProjectionVersionError('no live projection version (is migration 005 applied?)');
    return toVersion(rows[0]);
  }

  async building(): Promise<ProjectionVersion | undefined> {
    const { rows } = await this.pool.query<VersionRow>(`SELECT * FROM projection_versions WHERE status = 'building'`);
    return rows[0] ? toVersion(rows[0]) : undefined;
  }

  async checkpoint(tables: ProjectionTables): Promise<ProjectionCheckpoint | undefined> {
    const { rows } = await this.pool.query<{ stream_seq: string | null; clock: Date | null }>(CHECKPOINT_SQL, [tables.checkpoint]);
    return toCheckpoint(rows[0]);
  }

  /** The version's rows in `scope` and its checkpoint, consistent with each other (one repeatable-read snapshot). */
  async snapshot(version: ProjectionVersion, scope: VerificationScope): Promise<ProjectionSnapshot> {
    const tables = projectionTables(version.version, version.status);
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      const { rows: checkpoints } = await client.query<{ stream_seq: string | null; clock: Date | null }>(CHECKPOINT_SQL, [tables.checkpoint]);
      const month = scope.month ? `${scope.month}-01` : null;
      const { rows: daily } = await client.query<Record<string, string>>(
        `SELECT org_id, to_char(usage_day, 'YYYY-MM-DD') AS usage_day, model, prompt_tokens::text, completion_tokens::text,
                total_tokens::text, requests::text, raw_cost::text, markup_cost::text
           FROM ${ident(tables.daily)}
          WHERE ($1::text IS NULL OR org_id = $1)
            AND ($2::date IS NULL OR (usage_day >= $2::date AND usage_day < ($2::date + interval '1 month')))
          ORDER BY org_id, usage_day, model`,
        [scope.orgId ?? null, month],
      );
      const { rows: users } = await client.query<{ org_id: string; month: string; user_id: string }>(
        `SELECT org_id, to_char(month, 'YYYY-MM') AS month, user_id FROM ${ident(tables.monthlyUsers)}
          WHERE ($1::text IS NULL OR org_id = $1) AND ($2::date IS NULL OR month = $2::date)
          ORDER BY org_id, month, user_id`,
        [scope.orgId ?? null, month],
      );
      await client.query('COMMIT');
      return {
        checkpoint: toCheckpoint(checkpoints[0]),
        content: {
          daily: daily.map(
            (row): DailyModelUsage => ({
              orgId: row.org_id,
              usageDay: row.usage_day,
              model: row.model,
              promptTokens: Number(row.prompt_tokens),
              completionTokens: Number(row.completion_tokens),
              totalTokens: Number(row.total_tokens),
              requests: Number(row.requests),
              rawCost: Usd.of(row.raw_cost),
              markupCost: Usd.of(row.markup_cost),
            }),
          ),
          monthlyUsers: users.map((row): MonthlyUser => ({ orgId: row.org_id, month: row.month, user: row.user_id })),
        },
      };
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  /** Creates the next version's empty tables, shaped like the live ones (columns, keys, indexes). */
  async createBuilding(input: { logicVersion: number; startSeq: number; startTime?: Date }): Promise<ProjectionVersion> {
    return withTransaction(this.pool, async (client) => {
      // Serializes numbering; the partial unique index refuses a second building version.
      await client.query('LOCK TABLE projection_versions IN SHARE ROW EXCLUSIVE MODE');
      const { rows: existing } = await client.query(`SELECT version FROM projection_versions WHERE status = 'building'`);
      if (existing[0]) throw new ProjectionVersionError(`version ${existing[0].version} is already being built`);
      const { rows: next } = await client.query<{ version: number }>('SELECT coalesce(max(version), 0) + 1 AS version FROM projection_versions');
      const version = next[0].version;
      const tables = projectionTables(version, 'building');
      for (const [live, fresh] of [
        [LIVE_PROJECTION.ledger, tables.ledger],
        [LIVE_PROJECTION.daily, tables.daily],
        [LIVE_PROJECTION.monthlyUsers, tables.monthlyUsers],
      ]) {
        await client.query(`CREATE TABLE ${ident(fresh)} (LIKE ${ident(live)} INCLUDING ALL)`);
      }
      await client.query('DELETE FROM projection_checkpoints WHERE projection = $1', [tables.checkpoint]);
      const { rows } = await client.query<VersionRow>(
        `INSERT INTO projection_versions (version, logic_version, status, start_seq, start_time)
         VALUES ($1, $2, 'building', $3, $4) RETURNING *`,
        [version, input.logicVersion, input.startSeq, input.startTime ?? null],
      );
      return toVersion(rows[0]);
    });
  }

  /** Records where a replay that started at a time actually began in the stream. */
  async recordStartSeq(version: number, startSeq: number): Promise<void> {
    await this.pool.query(`UPDATE projection_versions SET start_seq = $2 WHERE version = $1 AND status = 'building'`, [version, startSeq]);
  }

  /** Fresh planner statistics before the tables start answering the dashboard. */
  async analyze(version: ProjectionVersion): Promise<void> {
    for (const table of tablesInLockOrder(projectionTables(version.version, version.status))) await this.pool.query(`ANALYZE ${ident(table)}`);
  }

  /**
   * Locks the live tables (waiting for the aggregator's batch in flight, holding its next one and the
   * dashboard's reads) so that the caller can project the last events into the building version and then
   * `commit` the swap. Throws a lock timeout (SQLSTATE 55P03) when the lock is not had in `lockTimeoutMs`.
   */
  async beginSwap(lockTimeoutMs: number): Promise<ProjectionSwap> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query(`SELECT set_config('lock_timeout', $1, true)`, [`${Math.max(1, Math.round(lockTimeoutMs))}ms`]);
      await client.query(`LOCK TABLE ${tablesInLockOrder(LIVE_PROJECTION).map(ident).join(', ')} IN ACCESS EXCLUSIVE MODE`);
      return new ProjectionSwap(client);
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      client.release();
      throw error;
    }
  }

  /** Drops a retired version's tables, or abandons a building one (not while its rebuild runs). */
  async drop(version: number): Promise<ProjectionVersion> {
    return withTransaction(this.pool, async (client) => {
      const { rows } = await client.query<VersionRow>('SELECT * FROM projection_versions WHERE version = $1 FOR UPDATE', [version]);
      if (!rows[0]) throw new ProjectionVersionError(`there is no projection version ${version}`);
      const current = toVersion(rows[0]);
      if (current.status === 'live') throw new ProjectionVersionError(`version ${version} is live; rebuild a new version to replace it first`);
      if (current.status === 'dropped') throw new ProjectionVersionError(`version ${version} was dropped already`);
      if (current.status === 'building') {
        const { rows: lock } = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_xact_lock($1) AS ok', [PROJECTION_REBUILD_LOCK]);
        if (!lock[0].ok) throw new ProjectionVersionError(`version ${version} is being rebuilt right now; interrupt the rebuild first`);
      }
      const tables = projectionTables(current.version, current.status);
      for (const table of tablesInLockOrder(tables)) await client.query(`DROP TABLE IF EXISTS ${ident(table)}`);
      await client.query('DELETE FROM projection_checkpoints WHERE projection = $1', [tables.checkpoint]);
      const { rows: updated } = await client.query<VersionRow>(
        `UPDATE projection_versions SET status = 'dropped', dropped_at = now() WHERE version = $1 RETURNING *`,
        [version],
      );
      return toVersion(updated[0]);
    });
  }

  /**
   * Takes the rebuild lock for this session, or answers undefined when someone holds it in a conflicting mode.
   * A rebuild takes it `exclusive`; an erasure takes it `shared`, so that no rebuild starts while it runs.
   */
  async tryRebuildLock(mode: 'exclusive' | 'shared' = 'exclusive'): Promise<{ release(): Promise<void> } | undefined> {
    const [take, give] = mode === 'exclusive' ? ['pg_try_advisory_lock', 'pg_advisory_unlock'] : ['pg_try_advisory_lock_shared', 'pg_advisory_unlock_shared'];
    const client = await this.pool.connect();
    try {
      const { rows } = await client.query<{ ok: boolean }>(`SELECT ${take}($1) AS ok`, [PROJECTION_REBUILD_LOCK]);
      if (!rows[0].ok) {
        client.release();
        return undefined;
      }
    } catch (error) {
      client.release();
      throw error;
    }
    let released = false;
    return {
      release: async () => {
        if (released) return;
        released = true;
        await client.query(`SELECT ${give}($1)`, [PROJECTION_REBUILD_LOCK]).catch(() => undefined);
        client.release();
      },
    };
  }
}

/** The swap transaction, holding the live tables locked until `commit` or `abort`. */
export class ProjectionSwap {
  private open = true;

  constructor(private readonly client: PoolClient) {}

  /** Renames live → `_v<live>` and `_v<building>` → live, moves the checkpoints, and commits. */
  async commit(building: number): Promise<{ retired: number }> {
    this.assertOpen();
    try {
      const { rows: live } = await this.client.query<VersionRow>(`SELECT * FROM projection_versions WHERE status = 'live' FOR UPDATE`);
      const { rows: next } = await this.client.query<VersionRow>(`SELECT * FROM projection_versions WHERE version = $1 AND status = 'building' FOR UPDATE`, [
        building,
      ]);
      if (!live[0]) throw new ProjectionVersionError('no live projection version');
      if (!next[0]) throw new ProjectionVersionError(`version ${building} is not being built`);
      const retired = live[0].version;
      const from = projectionTables(building, 'building');
      const to = projectionTables(retired, 'retired');
      for (const [liveName, retiredName, builtName] of [
        [LIVE_PROJECTION.ledger, to.ledger, from.ledger],
        [LIVE_PROJECTION.daily, to.daily, from.daily],
        [LIVE_PROJECTION.monthlyUsers, to.monthlyUsers, from.monthlyUsers],
      ]) {
        await this.copyAccess(liveName, builtName);
        await this.rename(liveName, retiredName);
        await this.rename(builtName, liveName);
      }
      await this.client.query('UPDATE projection_checkpoints SET projection = $2 WHERE projection = $1', [LIVE_PROJECTION.checkpoint, to.checkpoint]);
      await this.client.query('UPDATE projection_checkpoints SET projection = $2 WHERE projection = $1', [from.checkpoint, LIVE_PROJECTION.checkpoint]);
      await this.client.query(`UPDATE projection_versions SET status = 'retired', retired_at = now() WHERE version = $1`, [retired]);
      await this.client.query(`UPDATE projection_versions SET status = 'live', live_from = now() WHERE version = $1`, [building]);
      await this.client.query('COMMIT');
      return { retired };
    } catch (error) {
      await this.client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      this.close();
    }
  }

  async abort(): Promise<void> {
    if (!this.open) return;
    try {
      await this.client.query('ROLLBACK');
    } finally {
      this.close();
    }
  }

  /**
   * Gives `to` the owner, grants, row-level security and policies of `from`: CREATE TABLE … LIKE copies none of
   * them, and the services (the gateway reading as an org-scoped role, migration 007) rely on all of them.
   */
  private async copyAccess(from: string, to: string): Promise<void> {
    const { rows: tables } = await this.client.query<{ owner: string; rls: boolean; force: boolean; same_owner: boolean }>(
      `SELECT quote_ident(pg_get_userbyid(f.relowner)) AS owner, f.relrowsecurity AS rls, f.relforcerowsecurity AS force,
              f.relowner = t.relowner AS same_owner
         FROM pg_class f, pg_class t WHERE f.oid = to_regclass($1) AND t.oid = to_regclass($2)`,
      [ident(from), ident(to)],
    );
    const source = tables[0];
    if (!source) throw new ProjectionVersionError(`cannot compare the tables ${from} and ${to}`);
    if (!source.same_owner) await this.client.query(`ALTER TABLE ${ident(to)} OWNER TO ${source.owner}`);
    const { rows: grants } = await this.client.query<{ privilege: string; grantee: string }>(
      `SELECT a.privilege_type AS privilege, CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(pg_get_userbyid(a.grantee)) END AS grantee
         FROM pg_class c, aclexplode(c.relacl) a WHERE c.oid = to_regclass($1) AND a.grantee <> c.relowner`,
      [ident(from)],
    );
    for (const { privilege, grantee } of grants) await this.client.query(`GRANT ${privilege} ON ${ident(to)} TO ${grantee}`);
    if (source.rls) await this.client.query(`ALTER TABLE ${ident(to)} ENABLE ROW LEVEL SECURITY`);
    if (source.force) await this.client.query(`ALTER TABLE ${ident(to)} FORCE ROW LEVEL SECURITY`);
    const { rows: policies } = await this.client.query<{ name: string; permissive: string; roles: string; command: string; qual: string | null; check: string | null }>(
      `SELECT quote_ident(p.polname) AS name, CASE WHEN p.polpermissive THEN 'PERMISSIVE' ELSE 'RESTRICTIVE' END AS permissive,
              CASE WHEN p.polroles = '{0}' THEN 'PUBLIC'
                   ELSE (SELECT string_agg(quote_ident(pg_get_userbyid(r)), ', ') FROM unnest(p.polroles) AS r) END AS roles,
              CASE p.polcmd WHEN 'r' THEN 'SELECT' WHEN 'a' THEN 'INSERT' WHEN 'w' THEN 'UPDATE' WHEN 'd' THEN 'DELETE' ELSE 'ALL' END AS command,
              pg_get_expr(p.polqual, p.polrelid) AS qual, pg_get_expr(p.polwithcheck, p.polrelid) AS check
         FROM pg_policy p WHERE p.polrelid = to_regclass($1)`,
      [ident(from)],
    );
    for (const policy of policies) {
      await this.client.query(`DROP POLICY IF EXISTS ${policy.name} ON ${ident(to)}`);
      await this.client.query(
        `CREATE POLICY ${policy.name} ON ${ident(to)} AS ${policy.permissive} FOR ${policy.command} TO ${policy.roles}` +
          (policy.qual ? ` USING (${policy.qual})` : '') +
          (policy.check ? ` WITH CHECK (${policy.check})` : ''),
      );
    }
  }

  /** Renames a table and the indexes named after it (`usage_ledger_pkey` → `usage_ledger_v1_pkey`). */
  private async rename(from: string, to: string): Promise<void> {
    await this.client.query(`ALTER TABLE ${ident(from)} RENAME TO ${ident(to)}`);
    const { rows } = await this.client.query<{ name: string }>(
      `SELECT c.relname AS name FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE i.indrelid = to_regclass($1)`,
      [ident(to)],
    );
    for (const { name } of rows) {
      if (name.startsWith(`${from}_`)) await this.client.query(`ALTER INDEX ${ident(name)} RENAME TO ${ident(`${to}${name.slice(from.length)}`)}`);
    }
  }

  private assertOpen(): void {
    if (!this.open) throw new ProjectionVersionError('the swap transaction is over');
  }

  private close(): void {
    if (!this.open) return;
    this.open = false;
    this.client.release();
  }
}
