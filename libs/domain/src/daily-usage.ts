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

/** Folds records (already deduplicated by generation id) into daily deltas and monthly users. */
export function foldUsage(entries: Iterable<OrgUsageRecord>): UsageDelta {
  const daily = new Map<string, DailyModelUsage>();
  const users = new Map<string, MonthlyUser>();
  for (const { orgId, record } of entries) {
    const key = `${orgId}\u0000${record.usageDay}\u0000${record.model}`;
    const rawCost = Usd.of(record.rawCostUsd);
    const markupCost = rawCost.times(Rate.of(record.markupRate));
    const tokens = record.promptTokens + record.completionTokens;
    const previous = daily.get(key);
    daily.set(key, {
      orgId,
      usageDay: record.usageDay,
      model: record.model,
      promptTokens: (previous?.promptTokens ?? 0) + record.promptTokens,
      completionTokens: (previous?.completionTokens ?? 0) + record.completionTokens,
      totalTokens: (previous?.totalTokens ?? 0) + tokens,
      requests: (previous?.requests ?? 0) + 1,
      rawCost: (previous?.rawCost ?? Usd.zero).plus(rawCost),
      markupCost: (previous?.markupCost ?? Usd.zero).plus(markupCost),
    });
    if (record.user !== null) {
      const month = monthOf(record.usageDay);
      users.set(`${orgId}\u0000${month}\u0000${record.user}`, { orgId, month, user: record.user });
    }
  }
  return {
    daily: [...daily.values()].sort(
      (a, b) => compareText(a.orgId, b.orgId) || compareText(a.usageDay, b.usageDay) || compareText(a.model, b.model),
    ),
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
