// Calendar days in an organization's time zone. A "day" is a plain `YYYY-MM-DD` string: it names a date on
// the org's wall calendar, not an instant, so date arithmetic below is done on UTC midnights where no zone
// rules can interfere.

export type CalendarDay = string; // YYYY-MM-DD
export type CalendarMonth = string; // YYYY-MM

const dayFormatters = new Map<string, Intl.DateTimeFormat>();

function dayFormatter(timeZone: string): Intl.DateTimeFormat {
  let formatter = dayFormatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hourCycle: 'h23',
    });
    dayFormatters.set(timeZone, formatter);
  }
  return formatter;
}

export function isValidTimeZone(timeZone: string): boolean {
  if (typeof timeZone !== 'string' || timeZone.length === 0 || timeZone.length > 64) return false;
  try {
    dayFormatter(timeZone);
    return true;
  } catch {
    return false;
  }
}

const US_DATE = /^(\d{2})\/(\d{2})\/(\d{4})$/;

/**
 * The calendar day on the org's wall clock at `instant`: the day a usage event belongs to. Read from the en-US
 * text ("MM/DD/YYYY"), half the cost of formatToParts (it runs for every record ingest accepts); anything else
 * (a year outside 1000–9999) is read from the parts.
 */
export function dayInZone(instant: Date, timeZone: string): CalendarDay {
  const formatter = dayFormatter(timeZone);
  const text = formatter.format(instant);
  const match = text.length === 10 ? US_DATE.exec(text) : null;
  if (match) return `${match[3]}-${match[1]}-${match[2]}`;
  const parts = formatter.formatToParts(instant);
  const part = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? '';
  return `${part('year')}-${part('month')}-${part('day')}`;
}

const DAY_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;
const MONTH_PATTERN = /^(\d{4})-(\d{2})$/;

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * True for a real date written `YYYY-MM-DD` (rejects 2026-02-30), years 0100 to 9999 (earlier ones never were
 * accepted: Date.UTC reads 0–99 as 1900–1999). Plain arithmetic on the proleptic Gregorian calendar, as Date
 * uses: it runs for every record of every event the projection decodes.
 */
export function isCalendarDay(text: string): text is CalendarDay {
  const match = DAY_PATTERN.exec(text);
  if (!match) return false;
  const year = Number(match[1]);
  const month = Number(match[2]);
  const day = Number(match[3]);
  if (year < 100 || month < 1 || month > 12 || day < 1) return false;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return day <= (month === 2 && leap ? 29 : DAYS_IN_MONTH[month - 1]);
}

export function isCalendarMonth(text: string): text is CalendarMonth {
  const match = MONTH_PATTERN.exec(text);
  return match !== null && Number(match[2]) >= 1 && Number(match[2]) <= 12;
}

function toUtcMidnight(day: CalendarDay): number {
  return Date.parse(`${day}T00:00:00Z`);
}

export function addDays(day: CalendarDay, days: number): CalendarDay {
  return new Date(toUtcMidnight(day) + days * 86_400_000).toISOString().slice(0, 10);
}

/** Days from `start` to `end`, both inclusive (1 when they are equal). */
export function daysInclusive(start: CalendarDay, end: CalendarDay): number {
  return Math.round((toUtcMidnight(end) - toUtcMidnight(start)) / 86_400_000) + 1;
}

export function monthOf(day: CalendarDay): CalendarMonth {
  return day.slice(0, 7);
}

export function firstDayOfMonth(month: CalendarMonth): CalendarDay {
  return `${month}-01`;
}

export function lastDayOfMonth(month: CalendarMonth): CalendarDay {
  const [year, monthNumber] = month.split('-').map(Number);
  return new Date(Date.UTC(year, monthNumber, 0)).toISOString().slice(0, 10);
}

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$/;

/** Parses an RFC 3339 timestamp strictly (a zone offset is required); sub-millisecond digits are dropped. */
export function parseRfc3339(text: string): Date | undefined {
  if (typeof text !== 'string' || text.length > 40) return undefined;
  const match = RFC3339.exec(text);
  if (!match) return undefined;
  const [, year, month, day, hour, minute, second] = match;
  if (!isCalendarDay(`${year}-${month}-${day}`)) return undefined;
  if (Number(hour) > 23 || Number(minute) > 59 || Number(second) > 59) return undefined;
  const instant = new Date(text.toUpperCase());
  return Number.isNaN(instant.getTime()) ? undefined : instant;
}
