// The dashboard's reads, straight from the daily projection (one row per org, day and model), so answers are
// never staler than the last committed batch. Every query is bounded by (org_id, usage_day), the table's key.
import { Pool, QueryConfig } from 'pg';
import { DailyModelUsage, DateRange, DayUsageTotals, ModelUsageTotals, Usd } from '@mai/domain';

/** A client-side cap: a stuck database turns into an error (503 at the edge), not a request that never ends. */
const QUERY_TIMEOUT_MS = 10_000;

export class UsageQueries {
  constructor(private readonly pool: Pool) {}

  /** The org's IANA time zone, or undefined when the org does not exist. */
  async organizationTimeZone(orgId: string): Promise<string | undefined> {
    const { rows } = await this.query<{ time_zone: string }>('SELECT time_zone FROM organizations WHERE org_id = $1', [orgId]);
    return rows[0]?.time_zone;
  }

  /** Per-model sums over the range; only models with usage appear. */
  async modelTotals(orgId: string, range: DateRange): Promise<ModelUsageTotals[]> {
    const { rows } = await this.query<{ model: string; tokens: string; requests: string; raw_cost: string; markup_cost: string; days_used: number }>(
      `SELECT model, sum(total_tokens)::text AS tokens, sum(requests)::text AS requests,
              sum(raw_cost)::text AS raw_cost, sum(markup_cost)::text AS markup_cost, count(*)::int AS days_used
         FROM client_model_daily_usage
        WHERE org_id = $1 AND usage_day BETWEEN $2::date AND $3::date
        GROUP BY model`,
      [orgId, range.start, range.end],
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
  async dayTotals(orgId: string, range: DateRange): Promise<DayUsageTotals[]> {
    const { rows } = await this.query<{ day: string; tokens: string; requests: string; markup_cost: string }>(
      `SELECT to_char(usage_day, 'YYYY-MM-DD') AS day, sum(total_tokens)::text AS tokens,
              sum(requests)::text AS requests, sum(markup_cost)::text AS markup_cost
         FROM client_model_daily_usage
        WHERE org_id = $1 AND usage_day BETWEEN $2::date AND $3::date
        GROUP BY usage_day
        ORDER BY usage_day`,
      [orgId, range.start, range.end],
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
  async uniqueUsers(orgId: string, month: string): Promise<number> {
    const { rows } = await this.query<{ users: number }>(
      `SELECT count(*)::int AS users FROM org_monthly_users WHERE org_id = $1 AND month = ($2 || '-01')::date`,
      [orgId, month],
    );
    return rows[0]?.users ?? 0;
  }

  private query<Row extends object>(text: string, values: unknown[]) {
    // pg honours a per-query `query_timeout`; its type definitions only know the pool-wide one.
    const config: QueryConfig & { query_timeout: number } = { text, values, query_timeout: QUERY_TIMEOUT_MS };
    return this.pool.query<Row>(config);
  }
}

/** Sums of bigint columns arrive as text; they must still be exact as JavaScript numbers. */
function safeInteger(text: string): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value)) throw new RangeError(`usage sum ${text} is beyond 2^53`);
  return value;
}
