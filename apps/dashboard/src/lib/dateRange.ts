// Calendar-day arithmetic for the range picker. Dates are `YYYY-MM-DD` strings in the org's time zone, as the
// API speaks them; all arithmetic happens on UTC midnights so no local DST shift can move a day.

export type IsoDate = string;
export type IsoMonth = string;

export interface DateRange {
  readonly start: IsoDate;
  readonly end: IsoDate;
}

export const RANGE_PRESETS = ['this-month', 'last-month', 'last-7-days', 'last-30-days'] as const;
export type RangePreset = (typeof RANGE_PRESETS)[number];
export type RangeChoice = RangePreset | 'custom';

/** The API refuses ranges longer than this (section 5 of the contract). */
export const MAX_RANGE_DAYS = 366;

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DAY_MS = 86_400_000;

export function isIsoDate(value: string): boolean {
  const m = ISO_DATE.exec(value);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(y, mo - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d;
}

function toUtcMs(date: IsoDate): number {
  const m = ISO_DATE.exec(date);
  if (!m || !isIsoDate(date)) throw new RangeError(`not a YYYY-MM-DD date: ${date}`);
  return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
}

function fromUtcMs(ms: number): IsoDate {
  return new Date(ms).toISOString().slice(0, 10);
}

/** A JS Date for an ISO day at UTC midnight, for Intl formatting with `timeZone: 'UTC'`. */
export function isoDateToUtcDate(date: IsoDate): Date {
  return new Date(toUtcMs(date));
}

/** Today's calendar date in the given IANA zone (falls back to UTC for an unknown zone). */
export function todayInZone(now: Date, timeZone: string): IsoDate {
  let parts: Intl.DateTimeFormatPart[];
  try {
    parts = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(now);
  } catch {
    return now.toISOString().slice(0, 10);
  }
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return `${get('year')}-${get('month')}-${get('day')}`;
}

export function addDays(date: IsoDate, days: number): IsoDate {
  return fromUtcMs(toUtcMs(date) + days * DAY_MS);
}

/** Number of calendar days from start to end, both included (1 for a single day). */
export function daysInclusive(range: DateRange): number {
  return Math.round((toUtcMs(range.end) - toUtcMs(range.start)) / DAY_MS) + 1;
}

export function monthOf(date: IsoDate): IsoMonth {
  return date.slice(0, 7);
}

export function firstOfMonth(date: IsoDate): IsoDate {
  return `${monthOf(date)}-01`;
}

export function lastOfMonth(date: IsoDate): IsoDate {
  const ms = toUtcMs(firstOfMonth(date));
  const d = new Date(ms);
  return fromUtcMs(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0));
}

/** Every day of the range in order; the chart draws one slot per day, including days without usage. */
export function eachDay(range: DateRange): IsoDate[] {
  const days: IsoDate[] = [];
  const end = toUtcMs(range.end);
  for (let ms = toUtcMs(range.start); ms <= end; ms += DAY_MS) days.push(fromUtcMs(ms));
  return days;
}

export function presetRange(preset: RangePreset, today: IsoDate): DateRange {
  switch (preset) {
    case 'this-month':
      return { start: firstOfMonth(today), end: today };
    case 'last-month': {
      const lastDayOfPrevious = addDays(firstOfMonth(today), -1);
      return { start: firstOfMonth(lastDayOfPrevious), end: lastDayOfPrevious };
    }
    case 'last-7-days':
      return { start: addDays(today, -6), end: today };
    case 'last-30-days':
      return { start: addDays(today, -29), end: today };
    default: {
      const unknown: never = preset;
      throw new Error(`unknown preset ${String(unknown)}`);
    }
  }
}

/** Which preset a range equals today, or 'custom'. */
export function detectPreset(range: DateRange, today: IsoDate): RangeChoice {
  for (const preset of RANGE_PRESETS) {
    const r = presetRange(preset, today);
    if (r.start === range.start && r.end === range.end) return preset;
  }
  return 'custom';
}

export type RangeProblem = 'invalid-date' | 'start-after-end' | 'too-long';

/** The same checks the API makes (it answers 400 to each), so the picker can say so before asking. */
export function validateRange(range: DateRange): RangeProblem | null {
  if (!isIsoDate(range.start) || !isIsoDate(range.end)) return 'invalid-date';
  if (range.start > range.end) return 'start-after-end';
  if (daysInclusive(range) > MAX_RANGE_DAYS) return 'too-long';
  return null;
}

/** The month the summary cards describe: the month of the range's last day. */
export function summaryMonthFor(range: DateRange): IsoMonth {
  return monthOf(range.end);
}
