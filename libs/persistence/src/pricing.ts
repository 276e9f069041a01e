// The catalog and markup schedule as pricing-fx stores them.
import { Pool } from 'pg';
import { CatalogModel, DEFAULT_CATALOG, MarkupSchedule } from '@mai/domain';
import { withTransaction } from './database';

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
}
