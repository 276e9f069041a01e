// The catalog and markup schedule as pricing-fx stores them. Both keep their history: a model is retired,
// never deleted, and a markup applies from a moment on; the CLI is the only writer.
import { Pool } from 'pg';
import { CatalogModel, DEFAULT_CATALOG, MarkupSchedule, Rate } from '@mai/domain';
import { withTransaction } from './database';

export interface CatalogEntry extends CatalogModel {
  readonly addedAt: Date;
  readonly retiredAt: Date | null;
}

export interface ScheduledMarkup {
  readonly effectiveFrom: Date;
  readonly rate: string;
  /** When the operator scheduled it. */
  readonly createdAt: Date;
}

/** A change the store refused, with the reason to show the operator. */
export type ChangeOutcome<T = void> = { ok: true; value: T } | { ok: false; reason: string };

export class PricingStore {
  constructor(private readonly pool: Pool) {}

  /** First start only: the default catalog and the configured markup from the beginning of time. */
  async seedDefaults(markupRate: string): Promise<void> {
    await withTransaction(this.pool, async (client) => {
      await client.query('LOCK TABLE catalog_models, markup_rates IN EXCLUSIVE MODE');
      const { rows } = await client.query('SELECT (SELECT count(*) FROM catalog_models)::int AS models, (SELECT count(*) FROM markup_rates)::int AS rates');
      if (rows[0].models === 0) {
        await client.query(
          `INSERT INTO catalog_models (model_id, display_name, provider, position, added_at)
           SELECT id, name, provider, position, 'epoch'::timestamptz
             FROM unnest($1::text[], $2::text[], $3::text[], $4::int[]) AS t(id, name, provider, position)`,
          [
            DEFAULT_CATALOG.map((m) => m.id),
            DEFAULT_CATALOG.map((m) => m.displayName),
            DEFAULT_CATALOG.map((m) => m.provider),
            DEFAULT_CATALOG.map((_, index) => index + 1),
          ],
        );
      }
      if (rows[0].rates === 0) {
        await client.query(`INSERT INTO markup_rates (effective_from, rate) VALUES ('epoch', $1)`, [markupRate]);
      }
    });
  }

  /** Models metered now (not retired), in display order. */
  async activeCatalog(): Promise<CatalogModel[]> {
    const { rows } = await this.pool.query(
      `SELECT model_id, display_name, provider FROM catalog_models
        WHERE retired_at IS NULL OR retired_at > now() ORDER BY position, model_id`,
    );
    return rows.map((row) => ({ id: row.model_id, displayName: row.display_name, provider: row.provider }));
  }

  async markupSchedule(): Promise<MarkupSchedule> {
    const { rows } = await this.pool.query(`SELECT effective_from, rate::text AS rate FROM markup_rates ORDER BY effective_from`);
    return rows.map((row) => ({ effectiveFrom: (row.effective_from as Date).toISOString(), rate: row.rate }));
  }

  /** Every model ever in the catalog, retired ones included, in display order. */
  async catalogHistory(): Promise<CatalogEntry[]> {
    const { rows } = await this.pool.query(
      `SELECT model_id, display_name, provider, added_at, retired_at FROM catalog_models ORDER BY position, model_id`,
    );
    return rows.map((row) => ({
      id: row.model_id,
      displayName: row.display_name,
      provider: row.provider,
      addedAt: row.added_at,
      retiredAt: row.retired_at,
    }));
  }

  /** Adds a model at the end of the catalog, or brings back a retired one (under the name given now). */
  async addModel(model: CatalogModel): Promise<ChangeOutcome<'added' | 'reinstated'>> {
    return withTransaction(this.pool, async (client) => {
      const { rows } = await client.query('SELECT retired_at FROM catalog_models WHERE model_id = $1 FOR UPDATE', [model.id]);
      if (rows.length === 0) {
        await client.query(
          `INSERT INTO catalog_models (model_id, display_name, provider, position, added_at)
           SELECT $1, $2, $3, coalesce(max(position), 0) + 1, now() FROM catalog_models`,
          [model.id, model.displayName, model.provider],
        );
        return { ok: true, value: 'added' };
      }
      if (rows[0].retired_at === null) return { ok: false, reason: `${model.id} is already in the catalog` };
      await client.query('UPDATE catalog_models SET display_name = $2, provider = $3, retired_at = NULL WHERE model_id = $1', [
        model.id,
        model.displayName,
        model.provider,
      ]);
      return { ok: true, value: 'reinstated' };
    });
  }

  /** Stops metering a model from now on; its past usage stays as recorded. */
  async retireModel(modelId: string): Promise<ChangeOutcome<Date>> {
    const { rows } = await this.pool.query(
      'UPDATE catalog_models SET retired_at = now() WHERE model_id = $1 AND retired_at IS NULL RETURNING retired_at',
      [modelId],
    );
    if (rows.length === 1) return { ok: true, value: rows[0].retired_at };
    const known = await this.pool.query('SELECT 1 FROM catalog_models WHERE model_id = $1', [modelId]);
    return { ok: false, reason: known.rowCount ? `${modelId} is already retired` : `${modelId} is not in the catalog` };
  }

  async markupHistory(): Promise<ScheduledMarkup[]> {
    const { rows } = await this.pool.query(`SELECT effective_from, rate::text AS rate, created_at FROM markup_rates ORDER BY effective_from`);
    return rows.map((row) => ({ effectiveFrom: row.effective_from, rate: row.rate, createdAt: row.created_at }));
  }

  /**
   * Schedules `rate` from `effectiveFrom` on. The caller has checked that it starts in the future (see
   * `markupChange` in @mai/domain); the database's clock checks it again, so nothing recorded is re-priced.
   */
  async scheduleMarkup(rate: Rate, effectiveFrom: Date): Promise<ChangeOutcome> {
    const { rowCount } = await this.pool.query(
      `INSERT INTO markup_rates (effective_from, rate) SELECT $1, $2 WHERE $1::timestamptz > now()
       ON CONFLICT (effective_from) DO NOTHING`,
      [effectiveFrom, rate.toString()],
    );
    if (rowCount === 1) return { ok: true, value: undefined };
    return effectiveFrom.getTime() > Date.now()
      ? { ok: false, reason: `a markup change from ${effectiveFrom.toISOString()} is already scheduled` }
      : { ok: false, reason: `${effectiveFrom.toISOString()} is not in the future by the database's clock` };
  }
}
