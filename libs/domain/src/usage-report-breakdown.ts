// The per-model breakdown the dashboard shows (contract §5): every catalog model with zeros where unused, in
// the contract's order, with exact USD figures and PLN rounded half-up from the exact marked-up amount.
import { CatalogModel } from './catalog';
import { CalendarDay } from './calendar';
import { DailyModelUsage } from './daily-usage';
import { Rate, REPORTED_USD_DECIMALS, Usd, sumUsd } from './money';

/** Who is looking: members see tokens and requests, never money. */
export type ViewerRole = 'admin' | 'member';

/** One model's usage over a period, as the daily table sums it. */
export interface ModelUsageTotals {
  readonly model: string;
  readonly totalTokens: number;
  readonly totalRequests: number;
  readonly rawCost: Usd;
  readonly markupCost: Usd;
  /** Days in the period with at least one request for the model. */
  readonly daysUsed: number;
}

export interface CostFigures {
  readonly rawCost: Usd;
  readonly markupCost: Usd;
  /** PLN to the grosz, e.g. "0.46": round_half_up(exact markup × usd_pln, 2). */
  readonly costPln: string;
}

export interface ModelUsageLine {
  readonly model: string;
  readonly displayName: string;
  readonly provider: string;
  readonly totalTokens: number;
  readonly totalRequests: number;
  readonly daysUsed: number;
  /** null when the viewer may not see costs. */
  readonly cost: CostFigures | null;
}

export interface UsageTotals {
  readonly totalTokens: number;
  readonly totalRequests: number;
  readonly cost: CostFigures | null;
}

export interface UsageBreakdown {
  readonly lines: readonly ModelUsageLine[];
  readonly totals: UsageTotals;
}

export interface BreakdownInput {
  readonly catalog: readonly CatalogModel[];
  readonly usage: readonly ModelUsageTotals[];
  readonly usdPln: Rate;
  readonly role: ViewerRole;
}

export function costFigures(rawCost: Usd, markupCost: Usd, usdPln: Rate): CostFigures {
  return { rawCost, markupCost, costPln: markupCost.toPln(usdPln) };
}

/** What a model with no catalog entry (retired since) is shown as: its id, and the vendor part as provider. */
export function describeModel(catalog: ReadonlyMap<string, CatalogModel>, model: string): CatalogModel {
  return catalog.get(model) ?? { id: model, displayName: model, provider: model.split('/')[0] ?? model };
}

/**
 * All catalog models (plus any model that has usage but has left the catalog, so totals always add up), ordered:
 * models with markup_cost > 0 by markup_cost desc, then total_tokens desc, then model_name asc; then the rest by
 * model_name asc. markup_cost is compared as reported (to 1e-9 USD), so the order agrees with the numbers shown.
 * Members get the same order with the cost fields null.
 */
export function buildUsageBreakdown(input: BreakdownInput): UsageBreakdown {
  const catalog = new Map(input.catalog.map((model) => [model.id, model]));
  const usage = new Map(input.usage.map((totals) => [totals.model, totals]));
  const models = [...catalog.keys(), ...[...usage.keys()].filter((model) => !catalog.has(model))];
  const ranked = models
    .map((model) => {
      const totals = usage.get(model);
      const description = describeModel(catalog, model);
      const markupCost = totals?.markupCost ?? Usd.zero;
      return {
        sortKey: reportedUsd(markupCost),
        line: {
          model,
          displayName: description.displayName,
          provider: description.provider,
          totalTokens: totals?.totalTokens ?? 0,
          totalRequests: totals?.totalRequests ?? 0,
          daysUsed: totals?.daysUsed ?? 0,
          cost: costFigures(totals?.rawCost ?? Usd.zero, markupCost, input.usdPln),
        },
      };
    })
    .sort((a, b) => compareBreakdownLines(a.sortKey, a.line, b.sortKey, b.line));
  const lines = ranked.map(({ line }) => line);
  const totals: UsageTotals = {
    totalTokens: lines.reduce((sum, line) => sum + line.totalTokens, 0),
    totalRequests: lines.reduce((sum, line) => sum + line.totalRequests, 0),
    cost: costFigures(sumUsd(input.usage.map((t) => t.rawCost)), sumUsd(input.usage.map((t) => t.markupCost)), input.usdPln),
  };
  return input.role === 'admin' ? { lines, totals } : { lines: lines.map(withoutCost), totals: withoutCost(totals) };
}

function compareBreakdownLines(aMarkup: Usd, a: ModelUsageLine, bMarkup: Usd, b: ModelUsageLine): number {
  const aPaid = !aMarkup.isZero();
  const bPaid = !bMarkup.isZero();
  if (aPaid !== bPaid) return aPaid ? -1 : 1;
  if (aPaid) return bMarkup.compare(aMarkup) || b.totalTokens - a.totalTokens || compareText(a.model, b.model);
  return compareText(a.model, b.model);
}

export interface TopModel {
  readonly model: string;
  readonly totalTokens: number;
}

export const TOP_MODELS_LIMIT = 3;

/** At most three models with tokens, by tokens desc, ties by model id asc. */
export function rankTopModels(usage: readonly Pick<ModelUsageTotals, 'model' | 'totalTokens'>[], limit = TOP_MODELS_LIMIT): TopModel[] {
  return usage
    .filter((totals) => totals.totalTokens > 0)
    .map(({ model, totalTokens }) => ({ model, totalTokens }))
    .sort((a, b) => b.totalTokens - a.totalTokens || compareText(a.model, b.model))
    .slice(0, limit);
}

export interface DailyUsageLine {
  readonly day: CalendarDay;
  readonly model: string;
  readonly displayName: string;
  readonly provider: string;
  readonly totalTokens: number;
  readonly totalRequests: number;
  readonly cost: CostFigures | null;
}

/** The drill-down: one line per day and model with usage, by day then model id. */
export function buildDailyUsage(input: {
  readonly catalog: readonly CatalogModel[];
  readonly rows: readonly Pick<DailyModelUsage, 'usageDay' | 'model' | 'totalTokens' | 'requests' | 'rawCost' | 'markupCost'>[];
  readonly usdPln: Rate;
  readonly role: ViewerRole;
}): DailyUsageLine[] {
  const catalog = new Map(input.catalog.map((model) => [model.id, model]));
  return input.rows
    .map((row) => {
      const description = describeModel(catalog, row.model);
      return {
        day: row.usageDay,
        model: row.model,
        displayName: description.displayName,
        provider: description.provider,
        totalTokens: row.totalTokens,
        totalRequests: row.requests,
        cost: input.role === 'admin' ? costFigures(row.rawCost, row.markupCost, input.usdPln) : null,
      };
    })
    .sort((a, b) => compareText(a.day, b.day) || compareText(a.model, b.model));
}

/** An amount as the API reports it: rounded half-up to 1e-9 USD. */
export function reportedUsd(amount: Usd): Usd {
  return Usd.of(amount.toFixed(REPORTED_USD_DECIMALS));
}

function withoutCost<T extends { cost: CostFigures | null }>(item: T): T {
  return { ...item, cost: null };
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
