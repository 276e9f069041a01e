// Which days a dashboard report covers: `start`/`end` (inclusive, in the org's zone) or a month, defaulted to
// "this month" by the org's own calendar and validated into a clear reason when they make no sense.
import { CalendarDay, CalendarMonth, daysInclusive, firstDayOfMonth, isCalendarDay, isCalendarMonth, lastDayOfMonth, monthOf } from './calendar';

/** A range longer than this is refused: a year, plus the leap day. */
export const MAX_REPORT_RANGE_DAYS = 366;
/** Months before the Unix epoch cannot hold usage and do not survive JavaScript's two-digit-year rules. */
const EARLIEST_REPORT_YEAR = 1970;

export interface DateRange {
  readonly start: CalendarDay;
  readonly end: CalendarDay;
}

export interface ReportMonth {
  readonly month: CalendarMonth;
  /** The whole month, 1st to its last day. */
  readonly range: DateRange;
  /** Days from the 1st to today, or to the month's end once it is over; 0 for a month still to come. */
  readonly daysElapsed: number;
}

export type PeriodResult<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: string };

const invalid = <T>(error: string): PeriodResult<T> => ({ ok: false, error });

/**
 * Reads `start`/`end` as sent. Each missing (or empty, as in `?start=&end=`) bound takes its default on its own:
 * `start` the 1st of the current month, `end` today (both in the org's zone, which `today` already is).
 */
export function resolveDateRange(query: { start?: string; end?: string }, today: CalendarDay): PeriodResult<DateRange> {
  const start = query.start || firstDayOfMonth(monthOf(today));
  const end = query.end || today;
  if (!isReportDay(start)) return invalid(`start must be a date written YYYY-MM-DD, got "${start.slice(0, 40)}"`);
  if (!isReportDay(end)) return invalid(`end must be a date written YYYY-MM-DD, got "${end.slice(0, 40)}"`);
  if (start > end) return invalid(`start (${start}) must not be after end (${end})`);
  const days = daysInclusive(start, end);
  if (days > MAX_REPORT_RANGE_DAYS) return invalid(`the range covers ${days} days; at most ${MAX_REPORT_RANGE_DAYS} are allowed`);
  return { ok: true, value: { start, end } };
}

/** Reads `month` (YYYY-MM), defaulting (when missing or empty) to the month `today` is in. */
export function resolveReportMonth(month: string | undefined, today: CalendarDay): PeriodResult<ReportMonth> {
  const chosen = month || monthOf(today);
  if (!isCalendarMonth(chosen) || Number(chosen.slice(0, 4)) < EARLIEST_REPORT_YEAR) {
    return invalid(`month must be written YYYY-MM, got "${chosen.slice(0, 40)}"`);
  }
  const range = { start: firstDayOfMonth(chosen), end: lastDayOfMonth(chosen) };
  const currentMonth = monthOf(today);
  const daysElapsed = chosen < currentMonth ? daysInclusive(range.start, range.end) : chosen === currentMonth ? daysInclusive(range.start, today) : 0;
  return { ok: true, value: { month: chosen, range, daysElapsed } };
}

function isReportDay(text: string): boolean {
  return isCalendarDay(text) && Number(text.slice(0, 4)) >= EARLIEST_REPORT_YEAR;
}
