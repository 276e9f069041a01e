// The projection's pure core: folding usage events into per-(org, day, model) deltas and the month's users.
// The aggregator applies the deltas in one upsert per batch; replays fold the same events to the same rows.
import { CalendarMonth, monthOf } from './calendar';
import { Rate, Usd } from './money';
import { UsageEvent, UsageRecord } from './usage-event';

export interface DailyModelUsage {
  readonly orgId: string;
  readonly usageDay: string;
  readonly model: string;
  readonly promptTokens: number;
  readonly completionTokens: number;
  readonly totalTokens: number;
  readonly requests: number;
  readonly rawCost: Usd;
  readonly markupCost: Usd;
}

export interface MonthlyUser {
  readonly orgId: string;
  readonly month: CalendarMonth;
  readonly user: string;
}

export interface UsageDelta {
  /** Sorted by (orgId, usageDay, model), so concurrent writers lock rows in the same order. */
  readonly daily: readonly DailyModelUsage[];
  /** Distinct, sorted by (orgId, month, user). */
  readonly monthlyUsers: readonly MonthlyUser[];
}

export interface OrgUsageRecord {
  readonly orgId: string;
  readonly record: UsageRecord;
}

/** The usage records an event contributes. Exhaustive over the event union. */
export function usageRecordsOf(event: UsageEvent): OrgUsageRecord[] {
  switch (event.type) {
    case 'UsageRecorded':
      return event.data.records.map((record) => ({ orgId: event.data.orgId, record }));
    default: {
      const unknownEvent: never = event.type;
      throw new Error(`unhandled usage event ${String(unknownEvent)}`);
    }
  }
}

const compareText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** A row being summed: raw cost per markup rate, so each rate multiplies once per row rather than once per record. */
interface DailyAccumulator {
  readonly orgId: string;
  readonly usageDay: string;
  readonly model: string;
  promptTokens: number;
  completionTokens: number;
  requests: number;
  readonly rawCostByRate: Map<string, Usd>;
}

/**
 * Folds records (already deduplicated by generation id) into daily deltas and monthly users. The marked-up cost
 * is Σ rate × (Σ raw cost at that rate): the same exact decimal as Σ (raw × rate) record by record (the
 * products and sums are far inside the decimal context's 64 digits, so nothing rounds), for a fraction of the
 * work on large batches.
 */
export function foldUsage(entries: Iterable<OrgUsageRecord>): UsageDelta {
  const daily = new Map<string, DailyAccumulator>();
  const users = new Map<string, MonthlyUser>();
  for (const { orgId, record } of entries) {
    const key = `${orgId}\u0000${record.usageDay}\u0000${record.model}`;
    let row = daily.get(key);
    if (!row) {
      row = { orgId, usageDay: record.usageDay, model: record.model, promptTokens: 0, completionTokens: 0, requests: 0, rawCostByRate: new Map() };
      daily.set(key, row);
    }
    row.promptTokens += record.promptTokens;
    row.completionTokens += record.completionTokens;
    row.requests += 1;
    const sameRate = row.rawCostByRate.get(record.markupRate);
    const rawCost = Usd.of(record.rawCostUsd);
    row.rawCostByRate.set(record.markupRate, sameRate ? sameRate.plus(rawCost) : rawCost);
    if (record.user !== null) {
      const month = monthOf(record.usageDay);
      users.set(`${orgId}\u0000${month}\u0000${record.user}`, { orgId, month, user: record.user });
    }
  }
  const rows: DailyModelUsage[] = [];
  for (const row of daily.values()) {
    let rawCost = Usd.zero;
    let markupCost = Usd.zero;
    for (const [rate, raw] of row.rawCostByRate) {
      rawCost = rawCost.plus(raw);
      markupCost = markupCost.plus(raw.times(Rate.of(rate)));
    }
    rows.push({
      orgId: row.orgId,
      usageDay: row.usageDay,
      model: row.model,
      promptTokens: row.promptTokens,
      completionTokens: row.completionTokens,
      totalTokens: row.promptTokens + row.completionTokens,
      requests: row.requests,
      rawCost,
      markupCost,
    });
  }
  return {
    daily: rows.sort((a, b) => compareText(a.orgId, b.orgId) || compareText(a.usageDay, b.usageDay) || compareText(a.model, b.model)),
    monthlyUsers: [...users.values()].sort(
      (a, b) => compareText(a.orgId, b.orgId) || compareText(a.month, b.month) || compareText(a.user, b.user),
    ),
  };
}

/**
 * Keeps the first record of each (org, generation id) in stream order. Later copies are duplicates: the first
 * accepted version stands even when a copy's fields differ.
 */
export function firstOfEachGeneration(entries: Iterable<OrgUsageRecord>): { unique: OrgUsageRecord[]; duplicates: OrgUsageRecord[] } {
  const seen = new Set<string>();
  const unique: OrgUsageRecord[] = [];
  const duplicates: OrgUsageRecord[] = [];
  for (const entry of entries) {
    const key = `${entry.orgId}\u0000${entry.record.generationId}`;
    if (seen.has(key)) duplicates.push(entry);
    else {
      seen.add(key);
      unique.push(entry);
    }
  }
  return { unique, duplicates };
}
