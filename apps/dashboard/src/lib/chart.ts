// Pure geometry for the stacked daily chart: which segment sits where, the axis ticks, the colors per model.
import type { DailyModelUsage } from './api';
import type { IsoDate } from './dateRange';

export type ChartMetric = 'tokens' | 'cost';

export interface ChartSeries {
  readonly key: string;
  readonly label: string;
  readonly color: string;
}

export interface StackSegment extends ChartSeries {
  readonly value: number;
  /** Cumulative value below this segment. */
  readonly y0: number;
  /** Cumulative value at the top of this segment. */
  readonly y1: number;
}

export interface StackedDay {
  readonly date: IsoDate;
  readonly total: number;
  readonly segments: readonly StackSegment[];
}

/** Twelve distinguishable hues that read on both the light and the dark surface. */
export const MODEL_PALETTE = [
  '#6366f1', // indigo
  '#0ea5e9', // sky
  '#10b981', // emerald
  '#f59e0b', // amber
  '#ef4444', // red
  '#a855f7', // purple
  '#14b8a6', // teal
  '#ec4899', // pink
  '#84cc16', // lime
  '#f97316', // orange
  '#3b82f6', // blue
  '#94a3b8', // slate
] as const;

/** A stable color per model: by the model's place in the sorted catalog, so it never changes with the range. */
export function modelColors(modelNames: readonly string[]): Map<string, string> {
  const sorted = [...new Set(modelNames)].sort();
  return new Map(sorted.map((name, i) => [name, MODEL_PALETTE[i % MODEL_PALETTE.length]!]));
}

export function metricValue(row: DailyModelUsage, metric: ChartMetric): number {
  return metric === 'tokens' ? row.total_tokens : (row.markup_cost ?? 0);
}

/**
 * One stacked bar per day of `days` (days without usage get an empty bar), segments in `series` order from the
 * bottom up; series with no value that day are left out.
 */
export function stackByDay(
  rows: readonly DailyModelUsage[],
  days: readonly IsoDate[],
  series: readonly ChartSeries[],
  metric: ChartMetric,
): StackedDay[] {
  const byDay = new Map<IsoDate, Map<string, number>>();
  for (const row of rows) {
    const perModel = byDay.get(row.date) ?? new Map<string, number>();
    perModel.set(row.model_name, (perModel.get(row.model_name) ?? 0) + metricValue(row, metric));
    byDay.set(row.date, perModel);
  }
  return days.map((date) => {
    const perModel = byDay.get(date);
    let y = 0;
    const segments: StackSegment[] = [];
    for (const s of series) {
      const value = perModel?.get(s.key) ?? 0;
      if (value <= 0) continue;
      segments.push({ ...s, value, y0: y, y1: y + value });
      y += value;
    }
    return { date, total: y, segments };
  });
}

/** Series for the models that appear in `rows`, largest total first (so the biggest sits at the bottom). */
export function seriesFromRows(
  rows: readonly DailyModelUsage[],
  metric: ChartMetric,
  colors: ReadonlyMap<string, string>,
  labels: ReadonlyMap<string, string>,
): ChartSeries[] {
  const totals = new Map<string, number>();
  for (const row of rows) totals.set(row.model_name, (totals.get(row.model_name) ?? 0) + metricValue(row, metric));
  return [...totals.entries()]
    .filter(([, total]) => total > 0)
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([key]) => ({
      key,
      label: labels.get(key) ?? key,
      color: colors.get(key) ?? MODEL_PALETTE[MODEL_PALETTE.length - 1]!,
    }));
}

/** A "nice" axis maximum and evenly spaced ticks from 0 (1, 2, 2.5 or 5 × 10^n steps). */
export function niceTicks(max: number, targetCount = 4): number[] {
  if (!(max > 0) || !Number.isFinite(max)) return [0, 1];
  const rough = max / targetCount;
  const magnitude = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * magnitude).find((s) => s >= rough) ?? 10 * magnitude;
  const ticks: number[] = [];
  const top = Math.ceil(max / step - 1e-9) * step;
  for (let i = 0; i * step <= top + step * 1e-9; i++) ticks.push(Number((i * step).toPrecision(12)));
  return ticks;
}

/** Show every n-th day label so that at most `maxLabels` labels fit under the bars. */
export function labelStep(dayCount: number, maxLabels: number): number {
  if (dayCount <= maxLabels) return 1;
  const raw = Math.ceil(dayCount / maxLabels);
  return [2, 3, 5, 7, 10, 14, 15, 30, 60, 90].find((s) => s >= raw) ?? raw;
}
