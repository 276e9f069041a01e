// Latency summaries and small formatting helpers shared by the benchmark processes.

export interface LatencySummary {
  readonly count: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly max: number;
  readonly mean: number;
}

/** Nearest-rank percentiles over every sample (no histogram buckets: a skeptic can recompute them). */
export function summarize(samples: ArrayLike<number>): LatencySummary {
  const sorted = Float64Array.from(samples).sort();
  if (sorted.length === 0) return { count: 0, p50: NaN, p90: NaN, p99: NaN, max: NaN, mean: NaN };
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
  let sum = 0;
  for (const value of sorted) sum += value;
  return { count: sorted.length, p50: at(0.5), p90: at(0.9), p99: at(0.99), max: sorted[sorted.length - 1], mean: sum / sorted.length };
}

/** A growable list of float samples without boxing every number. */
export class Samples {
  private values = new Float64Array(1024);
  private length = 0;

  push(value: number): void {
    if (this.length === this.values.length) {
      const bigger = new Float64Array(this.values.length * 2);
      bigger.set(this.values);
      this.values = bigger;
    }
    this.values[this.length++] = value;
  }

  get count(): number {
    return this.length;
  }

  toArray(): Float64Array {
    return this.values.subarray(0, this.length);
  }
}

export const ms = (value: number): string => (Number.isFinite(value) ? (value >= 100 ? value.toFixed(0) : value >= 10 ? value.toFixed(1) : value.toFixed(2)) : '–');

/** 12345.6 → "12 346"; thin grouping keeps wide figures readable in the table. */
export const count = (value: number): string => (Number.isFinite(value) ? Math.round(value).toLocaleString('en-US').replace(/,/g, ' ') : '–');

export const ratio = (value: number): string => (Number.isFinite(value) ? (value >= 10 ? value.toFixed(1) : value.toFixed(2)) : '–');

export const sleep = (msToWait: number) => new Promise<void>((resolve) => setTimeout(resolve, msToWait));
