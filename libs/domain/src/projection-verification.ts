// Checking a projection against its log: the stream is folded in memory by the same pure functions the writer
// uses (first version of each generation stands, for good, not only within the ledger's window), and the result
// is compared with the projected rows, field by field and exactly. No I/O here.
import { CalendarMonth, monthOf } from './calendar';
import { DailyModelUsage, MonthlyUser, OrgUsageRecord, firstOfEachGeneration, foldUsage } from './daily-usage';
import { Usd } from './money';

/** What a verification looks at: one org, one month (of the org's calendar), or everything. */
export interface VerificationScope {
  readonly orgId?: string;
  readonly month?: CalendarMonth;
}

/** A projection's content in a scope: the daily rows and the distinct users per org and month. */
export interface ProjectionContent {
  readonly daily: readonly DailyModelUsage[];
  readonly monthlyUsers: readonly MonthlyUser[];
}

const compareText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const dailyKey = (row: Pick<DailyModelUsage, 'orgId' | 'usageDay' | 'model'>) => `${row.orgId}\u0000${row.usageDay}\u0000${row.model}`;
const monthKey = (orgId: string, month: string) => `${orgId}\u0000${month}`;

export function inScope(scope: VerificationScope, orgId: string, day: string): boolean {
  return (scope.orgId === undefined || scope.orgId === orgId) && (scope.month === undefined || monthOf(day) === scope.month);
}

function addRows(a: DailyModelUsage, b: DailyModelUsage): DailyModelUsage {
  return {
    ...a,
    promptTokens: a.promptTokens + b.promptTokens,
    completionTokens: a.completionTokens + b.completionTokens,
    totalTokens: a.totalTokens + b.totalTokens,
    requests: a.requests + b.requests,
    rawCost: a.rawCost.plus(b.rawCost),
    markupCost: a.markupCost.plus(b.markupCost),
  };
}

/** The stream's totals so far, fed batch by batch in stream order. */
export class ReplayedUsage {
  private readonly seen = new Set<string>();
  private readonly daily = new Map<string, DailyModelUsage>();
  private readonly users = new Map<string, { orgId: string; month: CalendarMonth; users: Set<string> }>();
  private counted = 0;
  private repeated = 0;

  /** Records counted (first of their generation id). */
  get records(): number {
    return this.counted;
  }

  /** Records dropped as repeats of a generation id counted before. */
  get duplicates(): number {
    return this.repeated;
  }

  add(entries: Iterable<OrgUsageRecord>): void {
    const { unique, duplicates } = firstOfEachGeneration(entries);
    this.repeated += duplicates.length;
    const fresh: OrgUsageRecord[] = [];
    for (const entry of unique) {
      const key = `${entry.orgId}\u0000${entry.record.generationId}`;
      if (this.seen.has(key)) {
        this.repeated += 1;
        continue;
      }
      this.seen.add(key);
      fresh.push(entry);
    }
    this.counted += fresh.length;
    const delta = foldUsage(fresh);
    for (const row of delta.daily) {
      const key = dailyKey(row);
      const previous = this.daily.get(key);
      this.daily.set(key, previous ? addRows(previous, row) : row);
    }
    for (const { orgId, month, user } of delta.monthlyUsers) {
      const key = monthKey(orgId, month);
      const bucket = this.users.get(key) ?? { orgId, month, users: new Set<string>() };
      bucket.users.add(user);
      this.users.set(key, bucket);
    }
  }

  /** What the projection must hold in `scope`, sorted like the table's key. */
  content(scope: VerificationScope = {}): ProjectionContent {
    const daily = [...this.daily.values()]
      .filter((row) => inScope(scope, row.orgId, row.usageDay))
      .sort((a, b) => compareText(dailyKey(a), dailyKey(b)));
    const monthlyUsers: MonthlyUser[] = [];
    for (const { orgId, month, users } of this.users.values()) {
      if (!inScope(scope, orgId, `${month}-01`)) continue;
      for (const user of users) monthlyUsers.push({ orgId, month, user });
    }
    monthlyUsers.sort((a, b) => compareText(a.orgId, b.orgId) || compareText(a.month, b.month) || compareText(a.user, b.user));
    return { daily, monthlyUsers };
  }
}

export type DailyField = 'prompt_tokens' | 'completion_tokens' | 'total_tokens' | 'requests' | 'raw_cost' | 'markup_cost';

export interface FieldDifference {
  readonly field: DailyField;
  readonly projected: string;
  readonly replayed: string;
}

/** One (org, day, model) where the projection disagrees with the stream. */
export interface RowDrift {
  readonly orgId: string;
  readonly usageDay: string;
  readonly model: string;
  /** `missing`: the stream has usage the projection lacks; `unexpected`: the reverse; `different`: both, unequal. */
  readonly kind: 'missing' | 'unexpected' | 'different';
  readonly differences: readonly FieldDifference[];
}

/** One org-month whose distinct users disagree (counts only: end-user ids are not printed). */
export interface UserDrift {
  readonly orgId: string;
  readonly month: CalendarMonth;
  readonly projected: number;
  readonly replayed: number;
  /** Users in the stream the projection lacks. */
  readonly missing: number;
  /** Users in the projection the stream never had. */
  readonly unexpected: number;
}

export interface ProjectionDrift {
  readonly rows: readonly RowDrift[];
  readonly users: readonly UserDrift[];
  /** Distinct (org, day, model) keys on either side. */
  readonly comparedRows: number;
  /** Distinct org-months on either side. */
  readonly comparedMonths: number;
}

const FIELDS: readonly { field: DailyField; read: (row: DailyModelUsage) => number | Usd }[] = [
  { field: 'prompt_tokens', read: (row) => row.promptTokens },
  { field: 'completion_tokens', read: (row) => row.completionTokens },
  { field: 'total_tokens', read: (row) => row.totalTokens },
  { field: 'requests', read: (row) => row.requests },
  { field: 'raw_cost', read: (row) => row.rawCost },
  { field: 'markup_cost', read: (row) => row.markupCost },
];

const ZERO_ROW = (key: Pick<DailyModelUsage, 'orgId' | 'usageDay' | 'model'>): DailyModelUsage => ({
  orgId: key.orgId,
  usageDay: key.usageDay,
  model: key.model,
  promptTokens: 0,
  completionTokens: 0,
  totalTokens: 0,
  requests: 0,
  rawCost: Usd.zero,
  markupCost: Usd.zero,
});

function sameValue(a: number | Usd, b: number | Usd): boolean {
  return typeof a === 'number' || typeof b === 'number' ? a === b : a.compare(b) === 0;
}

/** Compares the projection with the replayed stream: exact integers, exact decimals (1.50 equals 1.5). */
export function compareProjection(projected: ProjectionContent, replayed: ProjectionContent): ProjectionDrift {
  const left = new Map(projected.daily.map((row) => [dailyKey(row), row]));
  const right = new Map(replayed.daily.map((row) => [dailyKey(row), row]));
  const keys = [...new Set([...left.keys(), ...right.keys()])].sort(compareText);
  const rows: RowDrift[] = [];
  for (const key of keys) {
    const have = left.get(key);
    const want = right.get(key);
    const base = (have ?? want)!;
    const differences = FIELDS.flatMap(({ field, read }) => {
      const a = read(have ?? ZERO_ROW(base));
      const b = read(want ?? ZERO_ROW(base));
      return sameValue(a, b) ? [] : [{ field, projected: a.toString(), replayed: b.toString() }];
    });
    if (have && want && differences.length === 0) continue;
    rows.push({ orgId: base.orgId, usageDay: base.usageDay, model: base.model, kind: !have ? 'missing' : !want ? 'unexpected' : 'different', differences });
  }

  const group = (users: readonly MonthlyUser[]) => {
    const byMonth = new Map<string, { orgId: string; month: string; users: Set<string> }>();
    for (const { orgId, month, user } of users) {
      const key = monthKey(orgId, month);
      const bucket = byMonth.get(key) ?? { orgId, month, users: new Set<string>() };
      bucket.users.add(user);
      byMonth.set(key, bucket);
    }
    return byMonth;
  };
  const projectedUsers = group(projected.monthlyUsers);
  const replayedUsers = group(replayed.monthlyUsers);
  const months = [...new Set([...projectedUsers.keys(), ...replayedUsers.keys()])].sort(compareText);
  const users: UserDrift[] = [];
  for (const key of months) {
    const have = projectedUsers.get(key);
    const want = replayedUsers.get(key);
    const { orgId, month } = (have ?? want)!;
    const haveSet = have?.users ?? new Set<string>();
    const wantSet = want?.users ?? new Set<string>();
    const missing = [...wantSet].filter((user) => !haveSet.has(user)).length;
    const unexpected = [...haveSet].filter((user) => !wantSet.has(user)).length;
    if (missing === 0 && unexpected === 0) continue;
    users.push({ orgId, month, projected: haveSet.size, replayed: wantSet.size, missing, unexpected });
  }
  return { rows, users, comparedRows: keys.length, comparedMonths: months.length };
}

export function hasDrift(drift: ProjectionDrift): boolean {
  return drift.rows.length > 0 || drift.users.length > 0;
}

/** One line per drifting row or org-month, for operators. */
export function describeDrift(drift: ProjectionDrift): string[] {
  const rowLines = drift.rows.map((row) => {
    const fields = row.differences.map((d) => `${d.field} projected ${d.projected}, stream ${d.replayed}`).join('; ');
    const what = row.kind === 'missing' ? 'missing from the projection' : row.kind === 'unexpected' ? 'not in the stream' : 'differs';
    return `drift ${row.orgId} ${row.usageDay} ${row.model}: ${what}: ${fields}`;
  });
  const userLines = drift.users.map(
    (u) => `drift ${u.orgId} ${u.month} users: projected ${u.projected}, stream ${u.replayed} (${u.missing} missing, ${u.unexpected} not in the stream)`,
  );
  return [...rowLines, ...userLines];
}
