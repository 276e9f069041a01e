// The dashboard's reads, straight from the daily projection (one row per org, day and model), so answers are
// never staler than the last committed batch. Every query is bounded by (org_id, usage_day), the table's key,
// and runs inside withOrgScope, so row-level security (migration 007) backs the org filter up.
import { Pool, PoolClient, QueryConfig, QueryResult, QueryResultRow } from 'pg';
import { DailyModelUsage, DateRange, DayUsageTotals, ModelUsageTotals, Usd } from '@mai/domain';

/** A client-side cap: a stuck database turns into an error (503 at the edge), not a request that never ends. */
const QUERY_TIMEOUT_MS = 10_000;

/** The role the projection's row-level security policies grant reads to (migration 007). */
export const ORG_SCOPED_READER_ROLE = 'mai_gateway_reader';

/**
 * Runs `work` in a read-only transaction as the org-scoped reader role with `mai.org_id` set to `orgId`: the
 * projection tables then show that org's rows only, whatever the queries inside forget to filter.
 */
export async function withOrgScope<T>(pool: Pool, orgId: string, work: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    // One round trip; the org id is escaped as a literal (it is also a checked org id by now).
    await client.query(timed(`BEGIN READ ONLY; SET LOCAL ROLE ${ORG_SCOPED_READER_ROLE}; SELECT set_config('mai.org_id', ${client.escapeLiteral(orgId)}, true)`));
    const result = await work(client);
    await client.query(timed('COMMIT'));
    client.release();
    return result;
  } catch (error) {
    // Never hand a connection back mid-transaction or still running a timed-out query: close it instead.
    client.release(error instanceof Error ? error : true);
    throw error;
  }
}

function timed(text: string, values?: unknown[]): QueryConfig & { query_timeout: number } {
  // pg honours a per-query `query_timeout`; its type definitions only know the pool-wide one.
  return { text, values, query_timeout: QUERY_TIMEOUT_MS };
}

export class UsageQueries {
  constructor(private readonly pool: Pool) {}

  /** The org's IANA time zone, or undefined when the org does not exist. */
  async organizationTimeZone(orgId: string): Promise<string | undefined> {
    const { rows } = await this.pool.query<{ time_zone: string }>(timed('SELECT time_zone FROM organizations WHERE org_id = $1', [orgId]));
    return rows[0]?.time_zone;
  }

  /**
   * A month's day totals, model totals and unique users in one row-level-security transaction (one BEGIN and
   * COMMIT instead of three), for the monthly summary.
   */
  async monthFigures(orgId: string, range: DateRange, month: string): Promise<{ days: DayUsageTotals[]; models: ModelUsageTotals[]; uniqueUsers: number }> {
    return withOrgScope(this.pool, orgId, async (client) => ({
      days: await this.dayTotals(orgId, range, client),
      models: await this.modelTotals(orgId, range, client),
      uniqueUsers: await this.uniqueUsers(orgId, month, client),
    }));
  }

  /** Per-model sums over the range; only models with usage appear. */
  async modelTotals(orgId: string, range: DateRange, scoped?: PoolClient): Promise<ModelUsageTotals[]> {
    const { rows } = await this.query<{ model: string; tokens: string; requests: string; raw_cost: string; markup_cost: string; days_used: number }>(
      orgId,
      `SELECT model, sum(total_tokens)::text AS tokens, sum(requests)::text AS requests,
              sum(raw_cost)::text AS raw_cost, sum(markup_cost)::text AS markup_cost, count(*)::int AS days_used
         FROM client_model_daily_usage
        WHERE org_id = $1 AND usage_day BETWEEN $2::date AND $3::date
        GROUP BY model`,
      [orgId, range.start, range.end],
      scoped,
    );
    return rows.map((row) => ({
      model: row.model,
      totalTokens: safeInteger(row.tokens),
      totalRequests: safeInteger(row.requests),
      rawCost: Usd.of(row.raw_cost),
      markupCost: Usd.of(row.markup_cost),
      daysUsed: row.days_used,
    }));
  }

  /** All models' sums per day over the range; only days with usage appear. */
  async dayTotals(orgId: string, range: DateRange, scoped?: PoolClient): Promise<DayUsageTotals[]> {
    const { rows } = await this.query<{ day: string; tokens: string; requests: string; markup_cost: string }>(
      orgId,
      `SELECT to_char(usage_day, 'YYYY-MM-DD') AS day, sum(total_tokens)::text AS tokens,
              sum(requests)::text AS requests, sum(markup_cost)::text AS markup_cost
         FROM client_model_daily_usage
        WHERE org_id = $1 AND usage_day BETWEEN $2::date AND $3::date
        GROUP BY usage_day
        ORDER BY usage_day`,
      [orgId, range.start, range.end],
      scoped,
    );
    return rows.map((row) => ({
      day: row.day,
      totalTokens: safeInteger(row.tokens),
      totalRequests: safeInteger(row.requests),
      markupCost: Usd.of(row.markup_cost),
    }));
  }

  /** The daily rows themselves, for the drill-down; `model` narrows to one model. */
  async dailyModelUsage(orgId: string, range: DateRange, model?: string): Promise<DailyModelUsage[]> {
    const { rows } = await this.query<{
      day: string;
      model: string;
      prompt_tokens: string;
      completion_tokens: string;
      total_tokens: string;
      requests: string;
      raw_cost: string;
      markup_cost: string;
    }>(
      orgId,
      `SELECT to_char(usage_day, 'YYYY-MM-DD') AS day, model, prompt_tokens::text, completion_tokens::text,
              total_tokens::text, requests::text, raw_cost::text, markup_cost::text
         FROM client_model_daily_usage
        WHERE org_id = $1 AND usage_day BETWEEN $2::date AND $3::date AND ($4::text IS NULL OR model = $4)
        ORDER BY usage_day, model`,
      [orgId, range.start, range.end, model ?? null],
    );
    return rows.map((row) => ({
      orgId,
      usageDay: row.day,
      model: row.model,
      promptTokens: safeInteger(row.prompt_tokens),
      completionTokens: safeInteger(row.completion_tokens),
      totalTokens: safeInteger(row.total_tokens),
      requests: safeInteger(row.requests),
      rawCost: Usd.of(row.raw_cost),
      markupCost: Usd.of(row.markup_cost),
    }));
  }

  /** Distinct end users in the org's calendar month (YYYY-MM). */
  async uniqueUsers(orgId: string, month: string, scoped?: PoolClient): Promise<number> {
    const { rows } = await this.query<{ users: number }>(
      orgId,
      `SELECT count(*)::int AS users FROM org_monthly_users WHERE org_id = $1 AND month = ($2 || '-01')::date`,
      [orgId, month],
      scoped,
    );
    return rows[0]?.users ?? 0;
  }

  /** A read of the projection, inside the org's row-level-security scope: its own, or `scoped`'s (withOrgScope's client). */
  private query<Row extends QueryResultRow>(orgId: string, text: string, values: unknown[], scoped?: PoolClient): Promise<QueryResult<Row>> {
    if (scoped) return scoped.query<Row>(timed(text, values));
    return withOrgScope(this.pool, orgId, (client) => client.query<Row>(timed(text, values)));
  }
}

/** Sums of bigint columns arrive as text; they must still be exact as JavaScript numbers. */
function safeInteger(text: string): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value)) throw new RangeError(`usage sum ${text} is beyond 2^53`);
  return value;
}
