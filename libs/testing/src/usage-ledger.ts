// The test's own account of what it sent and what was acknowledged, to compare with the projection.
import { DEFAULT_CATALOG, Rate, Usd } from '@mai/domain';
import { GenerationRecordBody, generation } from './webhook-sender';
import type { ProjectionRow } from './pipeline';

export interface ExpectedTotals {
  requests: number;
  totalTokens: number;
  rawCost: string;
  markupCost: string;
}

/** Records generation ids once (the first version stands) and sums what the projection must show. */
export class SentUsageLedger {
  private readonly counted = new Map<string, GenerationRecordBody>();

  acknowledge(records: GenerationRecordBody[]): void {
    for (const record of records) if (!this.counted.has(record.id)) this.counted.set(record.id, record);
  }

  get size(): number {
    return this.counted.size;
  }

  totals(markupRate = '1.3'): ExpectedTotals {
    let raw = Usd.zero;
    let tokens = 0;
    for (const record of this.counted.values()) {
      raw = raw.plus(Usd.of(String(record.total_cost)));
      tokens += (record.native_tokens_prompt ?? 0) + (record.native_tokens_completion ?? 0);
    }
    return { requests: this.counted.size, totalTokens: tokens, rawCost: raw.toString(), markupCost: raw.times(Rate.of(markupRate)).toString() };
  }
}

export function projectionTotals(rows: ProjectionRow[]): ExpectedTotals {
  let raw = Usd.zero;
  let markup = Usd.zero;
  for (const row of rows) {
    raw = raw.plus(Usd.of(row.raw_cost));
    markup = markup.plus(Usd.of(row.markup_cost));
  }
  return {
    requests: rows.reduce((sum, row) => sum + row.requests, 0),
    totalTokens: rows.reduce((sum, row) => sum + row.total_tokens, 0),
    rawCost: raw.toString(),
    markupCost: markup.toString(),
  };
}

/** A random but reproducible generation: costs with up to 12 decimals, all catalog models, a few users. */
export function randomGeneration(random: () => number, index: number, now = Date.now()): GenerationRecordBody {
  const model = DEFAULT_CATALOG[Math.floor(random() * DEFAULT_CATALOG.length)].id;
  const picoDollars = Math.floor(random() * 50_000_000_000); // up to 0.05 USD
  return generation({
    id: `gen-${index}-${Math.floor(random() * 1e9).toString(36)}`,
    model,
    total_cost: (picoDollars / 1e12).toFixed(12),
    native_tokens_prompt: Math.floor(random() * 4000),
    native_tokens_completion: Math.floor(random() * 1000),
    created_at: new Date(now - Math.floor(random() * 3 * 86_400_000)).toISOString(),
    user: `user-${Math.floor(random() * 20)}`,
  });
}

/** Mulberry32: a tiny seeded PRNG so failures reproduce. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
