// Erasing an organization's usage data on request (GDPR): its rows in every projection version that still has
// tables (live, building, retired), its ledger and monthly users, and an audit record of what went, in one
// transaction. The stream messages are purged by the caller first (their counts are recorded here).
import { Pool } from 'pg';
import { isOrgId } from '@mai/domain';
import { withTransaction } from './database';
import { PROJECTION_REBUILD_LOCK, ProjectionStatus, projectionTables } from './projection-versions';

export interface OrgErasureRequest {
  readonly orgId: string;
  readonly requestedBy: string;
  /** Messages purged from the usage stream and from its dead-letter stream. */
  readonly streamMessages: number;
  readonly deadLetterMessages: number;
}

export interface OrgErasure extends OrgErasureRequest {
  readonly id: number;
  readonly deletedAt: Date;
  readonly dailyRows: number;
  readonly monthlyUserRows: number;
  readonly ledgerRows: number;
  readonly versions: readonly number[];
}

export class OrgDataErasureError extends Error {}

export class OrgDataErasure {
  constructor(private readonly pool: Pool) {}

  async erase(request: OrgErasureRequest): Promise<OrgErasure> {
    if (!isOrgId(request.orgId)) throw new OrgDataErasureError(`org id "${request.orgId}" is not valid`);
    if (request.requestedBy.trim() === '') throw new OrgDataErasureError('say who asked for the erasure');
    return withTransaction(this.pool, async (client) => {
      // A rebuild replaying the org's events beside this would put them back into its version. Shared: the
      // caller may hold it too, for the whole erasure (ProjectionVersions.tryRebuildLock('shared')).
      const { rows: lock } = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_xact_lock_shared($1) AS ok', [PROJECTION_REBUILD_LOCK]);
      if (!lock[0].ok) throw new OrgDataErasureError('a projection rebuild is running; let it finish (or interrupt it) and erase again');
      // FOR SHARE: no version changes status (and its tables their names) until this commits.
      const { rows: versions } = await client.query<{ version: number; status: ProjectionStatus }>(
        `SELECT version, status FROM projection_versions WHERE status <> 'dropped' ORDER BY version FOR SHARE`,
      );
      let dailyRows = 0;
      let monthlyUserRows = 0;
      let ledgerRows = 0;
      for (const { version, status } of versions) {
        const tables = projectionTables(version, status);
        // The projection writer's order (ledger, daily, users), so that an aggregator batch in flight and this
        // transaction wait for each other instead of deadlocking.
        ledgerRows += (await client.query(`DELETE FROM "${tables.ledger}" WHERE org_id = $1`, [request.orgId])).rowCount ?? 0;
        dailyRows += (await client.query(`DELETE FROM "${tables.daily}" WHERE org_id = $1`, [request.orgId])).rowCount ?? 0;
        monthlyUserRows += (await client.query(`DELETE FROM "${tables.monthlyUsers}" WHERE org_id = $1`, [request.orgId])).rowCount ?? 0;
      }
      const versionNumbers = versions.map((v) => v.version);
      const { rows } = await client.query<{ id: string; deleted_at: Date }>(
        `INSERT INTO org_data_deletions
           (org_id, requested_by, stream_messages, dead_letter_messages, daily_rows, monthly_user_rows, ledger_rows, versions)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id, deleted_at`,
        [request.orgId, request.requestedBy, request.streamMessages, request.deadLetterMessages, dailyRows, monthlyUserRows, ledgerRows, versionNumbers],
      );
      return { ...request, id: Number(rows[0].id), deletedAt: rows[0].deleted_at, dailyRows, monthlyUserRows, ledgerRows, versions: versionNumbers };
    });
  }

  /** Past erasures, newest first. */
  async history(orgId?: string): Promise<OrgErasure[]> {
    const { rows } = await this.pool.query(
      `SELECT * FROM org_data_deletions WHERE $1::text IS NULL OR org_id = $1 ORDER BY deleted_at DESC, id DESC`,
      [orgId ?? null],
    );
    return rows.map((row) => ({
      id: Number(row.id),
      orgId: row.org_id,
      requestedBy: row.requested_by,
      deletedAt: row.deleted_at,
      streamMessages: Number(row.stream_messages),
      deadLetterMessages: Number(row.dead_letter_messages),
      dailyRows: Number(row.daily_rows),
      monthlyUserRows: Number(row.monthly_user_rows),
      ledgerRows: Number(row.ledger_rows),
      versions: row.versions,
    }));
  }
}
