// The projection's pure core: folding usage events into per-(org, day, model) deltas and the month's users.
// The aggregator applies the deltas in one upsert per batch; replays fold the same events to the same rows.
import { CalendarMonth, monthOf } from './calendar';
import { DecimalSum, Usd } from './money';
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

/** A daily delta with its costs as canonical decimal text (what the writer sends to NUMERIC columns). */
export interface DailyModelUsageText extends Omit<DailyModelUsage, 'rawCost' | 'markupCost'> {
  readonly rawCost: string;
  readonly markupCost: string;
}

/** A row being summed: raw cost per markup rate, so each rate multiplies once per row rather than once per record. */
interface DailyAccumulator {
  readonly orgId: string;
  readonly usageDay: string;
  readonly model: string;
  promptTokens: number;
  completionTokens: number;
  requests: number;
  /** The first rate seen and its raw sum; further rates (a markup change inside the day) in `otherRates`. */
  readonly rate: string;
  readonly raw: DecimalSum;
  otherRates?: Map<string, DecimalSum>;
}

/**
 * Folds records one at a time (already deduplicated by generation id) into daily deltas and monthly users.
 * Costs are summed as exact scaled integers (`DecimalSum`), and the marked-up cost is Σ rate × (Σ raw cost at
 * that rate): the same exact decimal as Σ (raw × rate) record by record, for a fraction of the work. Rows and
 * users are keyed by nested maps, so a record allocates no key strings.
 */
export class UsageFold {
  private readonly orgs = new Map<string, Map<string, Map<string, DailyAccumulator>>>();
  private readonly users = new Map<string, Map<CalendarMonth, Set<string>>>();
  private count = 0;

  /** Records folded so far. */
  get records(): number {
    return this.count;
  }

  add(orgId: string, record: UsageRecord): void {
    this.count++;
    let days = this.orgs.get(orgId);
    if (!days) this.orgs.set(orgId, (days = new Map()));
    let models = days.get(record.usageDay);
    if (!models) days.set(record.usageDay, (models = new Map()));
    let row = models.get(record.model);
    if (!row) {
      row = { orgId, usageDay: record.usageDay, model: record.model, promptTokens: 0, completionTokens: 0, requests: 0, rate: record.markupRate, raw: new DecimalSum() };
      models.set(record.model, row);
    }
    row.promptTokens += record.promptTokens;
    row.completionTokens += record.completionTokens;
    row.requests += 1;
    if (record.markupRate === row.rate) {
      row.raw.add(record.rawCostUsd);
    } else {
      row.otherRates ??= new Map();
      let sum = row.otherRates.get(record.markupRate);
      if (!sum) row.otherRates.set(record.markupRate, (sum = new DecimalSum()));
      sum.add(record.rawCostUsd);
    }
    if (record.user !== null) {
      let months = this.users.get(orgId);
      if (!months) this.users.set(orgId, (months = new Map()));
      const month = monthOf(record.usageDay);
      let names = months.get(month);
      if (!names) months.set(month, (names = new Set()));
      names.add(record.user);
    }
  }

  /** The deltas, costs as canonical decimal text; rows sorted by (orgId, usageDay, model), users by (orgId, month, user). */
  result(): { readonly daily: readonly DailyModelUsageText[]; readonly monthlyUsers: readonly MonthlyUser[] } {
    const daily: DailyModelUsageText[] = [];
    for (const orgId of sortedKeys(this.orgs)) {
      const days = this.orgs.get(orgId)!;
      for (const usageDay of sortedKeys(days)) {
        const models = days.get(usageDay)!;
        for (const model of sortedKeys(models)) {
          const row = models.get(model)!;
          const raw = new DecimalSum().addSum(row.raw);
          const markup = row.raw.times(row.rate);
          for (const [rate, sum] of row.otherRates ?? []) {
            raw.addSum(sum);
            markup.addSum(sum.times(rate));
          }
          daily.push({
            orgId,
            usageDay,
            model,
            promptTokens: row.promptTokens,
            completionTokens: row.completionTokens,
            totalTokens: row.promptTokens + row.completionTokens,
            requests: row.requests,
            rawCost: raw.toString(),
            markupCost: markup.toString(),
          });
        }
      }
    }
    const monthlyUsers: MonthlyUser[] = [];
    for (const orgId of sortedKeys(this.users)) {
      const months = this.users.get(orgId)!;
      for (const month of sortedKeys(months)) {
        for (const user of [...months.get(month)!].sort(compareText)) monthlyUsers.push({ orgId, month, user });
      }
    }
    return { daily, monthlyUsers };
  }
}

function sortedKeys<K extends string>(map: Map<K, unknown>): K[] {
  return [...map.keys()].sort(compareText);
}

/** Folds records (already deduplicated by generation id) into daily deltas and monthly users (see `UsageFold`). */
export function foldUsage(entries: Iterable<OrgUsageRecord>): UsageDelta {
  const fold = new UsageFold();
  for (const { orgId, record } of entries) fold.add(orgId, record);
  const { daily, monthlyUsers } = fold.result();
  return { daily: daily.map((row) => ({ ...row, rawCost: Usd.of(row.rawCost), markupCost: Usd.of(row.markupCost) })), monthlyUsers };
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
