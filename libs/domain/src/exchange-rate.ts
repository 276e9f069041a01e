// USD→PLN from NBP table A (contract §7): which rate to serve and with what source, when to ask NBP again,
// and the booking rate for a day under the Polish accounting rule. Pure: the clock, the rates we hold and
// what NBP answered all come in as parameters.
import { CalendarDay, addDays, dayInZone, isCalendarDay } from './calendar';
import { Rate } from './money';

/** `nbp`: NBP's own answer; `cache`: the last good rate, NBP failing; `fallback`: the configured rate. */
export type UsdPlnSource = 'nbp' | 'cache' | 'fallback';

/** NBP's USD mid rate from one table A. */
export interface NbpUsdRate {
  readonly effectiveDate: CalendarDay;
  readonly mid: Rate;
}

/** The newest rate we hold, and when NBP last answered our "current rate" question. */
export interface HeldRate extends NbpUsdRate {
  /** Undefined when the rate came from a date-range lookup, never from the current-rate endpoint. */
  readonly confirmedAt?: Date;
}

export interface UsdPlnQuote {
  readonly usdPln: Rate;
  readonly source: UsdPlnSource;
  /** The NBP table's effective date; null for the configured fallback. */
  readonly effectiveDate: CalendarDay | null;
}

/** How long NBP may take to answer (contract §7). */
export const NBP_TIMEOUT_MS = 5_000;
/** How long a rate NBP gave us stays current (contract §7). */
export const RATE_FRESH_MS = 4 * 3_600_000;
/** After NBP failed, callers get the cache at once for this long instead of each waiting on NBP again. */
export const NBP_RETRY_AFTER_MS = 30_000;
/**
 * The longest a caller waits for an answer that needs NBP. Below the callers' own 5 s timeout, so they always
 * get an answer; a slower NBP reply still lands in the cache for the next caller.
 */
export const REPLY_BUDGET_MS = 3_000;
/** Days before the booking day searched for the last table; NBP never goes this long without one. */
export const BOOKING_LOOKBACK_DAYS = 14;
/** NBP publishes by Warsaw's calendar. */
export const NBP_TIME_ZONE = 'Europe/Warsaw';
/** The first table A NBP's API serves. */
export const NBP_FIRST_TABLE_DATE: CalendarDay = '2002-01-02';

export const quoteFromNbp = (rate: NbpUsdRate): UsdPlnQuote => ({ usdPln: rate.mid, source: 'nbp', effectiveDate: rate.effectiveDate });

/** What to serve without NBP: the last good rate if we ever had one, else the configured fallback. */
export function quoteWithoutNbp(lastGood: NbpUsdRate | undefined, fallback: Rate): UsdPlnQuote {
  return lastGood
    ? { usdPln: lastGood.mid, source: 'cache', effectiveDate: lastGood.effectiveDate }
    : { usdPln: fallback, source: 'fallback', effectiveDate: null };
}

export function isFresh(held: HeldRate | undefined, now: Date): boolean {
  return held?.confirmedAt !== undefined && now.getTime() - held.confirmedAt.getTime() < RATE_FRESH_MS;
}

/** NBP failed less than NBP_RETRY_AFTER_MS ago: don't make another caller wait on it yet. */
export function isBackingOff(lastFailureAt: Date | undefined, now: Date): boolean {
  return lastFailureAt !== undefined && now.getTime() - lastFailureAt.getTime() < NBP_RETRY_AFTER_MS;
}

export interface CurrentRateState {
  readonly held?: HeldRate;
  readonly lastFailureAt?: Date;
}

export type CurrentRateStep =
  | { readonly action: 'serve'; readonly quote: UsdPlnQuote }
  /** Ask NBP; `otherwise` is the answer when NBP fails or is slower than the reply budget. */
  | { readonly action: 'ask-nbp'; readonly otherwise: UsdPlnQuote };

/** The current USD→PLN rate: served from what we hold while fresh, else asked of NBP unless it just failed. */
export function currentRateStep(state: CurrentRateState, fallback: Rate, now: Date): CurrentRateStep {
  if (state.held && isFresh(state.held, now)) return { action: 'serve', quote: quoteFromNbp(state.held) };
  const otherwise = quoteWithoutNbp(state.held, fallback);
  return isBackingOff(state.lastFailureAt, now) ? { action: 'serve', quote: otherwise } : { action: 'ask-nbp', otherwise };
}

/** What we hold after NBP answered with its current rate at `now`: the newer table, confirmed now. */
export function afterNbpAnswer(held: HeldRate | undefined, answer: NbpUsdRate, now: Date): HeldRate {
  const newer = held && held.effectiveDate > answer.effectiveDate ? held : answer;
  return { effectiveDate: newer.effectiveDate, mid: newer.mid, confirmedAt: now };
}

/**
 * Seconds since NBP last confirmed the rate we hold (or since its effective date, when only a date-range
 * lookup gave it to us); +Inf when we hold none and serve the fallback.
 */
export function rateAgeSeconds(held: HeldRate | undefined, now: Date): number {
  if (!held) return Number.POSITIVE_INFINITY;
  const since = held.confirmedAt?.getTime() ?? Date.parse(`${held.effectiveDate}T00:00:00Z`);
  return Math.max(0, (now.getTime() - since) / 1000);
}

/** The date range to ask NBP for when looking up the booking rate of `day`: the days before it. */
export function bookingWindow(day: CalendarDay): { start: CalendarDay; end: CalendarDay } {
  const start = addDays(day, -BOOKING_LOOKBACK_DAYS);
  return { start: start < NBP_FIRST_TABLE_DATE ? NBP_FIRST_TABLE_DATE : start, end: addDays(day, -1) };
}

/**
 * Why a booking rate cannot be asked for `day`, if so: it must be a real date after NBP's first table and no
 * later than tomorrow in Warsaw (nobody books usage further ahead, and a far-off day has no answer yet).
 */
export function bookingDayIssue(day: unknown, now: Date): string | undefined {
  if (typeof day !== 'string' || !isCalendarDay(day)) return 'day must be a date written YYYY-MM-DD';
  if (day <= NBP_FIRST_TABLE_DATE) return `day must be after ${NBP_FIRST_TABLE_DATE}, NBP's first table A`;
  const tomorrow = addDays(dayInZone(now, NBP_TIME_ZONE), 1);
  if (day > tomorrow) return `day must be ${tomorrow} or earlier: no table before it is published yet`;
  return undefined;
}

/**
 * The booking rate for `day` (Polish accounting rule): the last table A published before that day, i.e. the
 * greatest effective date strictly earlier than `day`. A table dated `day` itself never counts.
 */
export function bookingRateFor<T extends NbpUsdRate>(day: CalendarDay, rates: readonly T[]): T | undefined {
  let booked: T | undefined;
  for (const rate of rates) {
    if (rate.effectiveDate < day && (!booked || rate.effectiveDate > booked.effectiveDate)) booked = rate;
  }
  return booked;
}

/**
 * Whether the booking rate of `day` can no longer change: every table dated before `day` is published once
 * `day` has begun in Warsaw. Final answers are kept for good; a later day's answer is provisional.
 */
export function isBookingFinal(day: CalendarDay, now: Date): boolean {
  return day <= dayInZone(now, NBP_TIME_ZONE);
}
