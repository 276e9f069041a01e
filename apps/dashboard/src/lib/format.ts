// Locale-aware formatting of tokens, money and dates. Pure: the locale is always a parameter.
import { isoDateToUtcDate, type IsoDate, type IsoMonth } from './dateRange';

export type Locale = 'en' | 'pl';
export const LOCALES: readonly Locale[] = ['en', 'pl'];

/** Shown wherever a value is unknown or withheld (e.g. costs for `role: member`). */
export const MISSING = '—';

const INTL_LOCALE: Record<Locale, string> = { en: 'en-US', pl: 'pl-PL' };

export function intlLocale(locale: Locale): string {
  return INTL_LOCALE[locale];
}

type Numberish = number | null | undefined;

function isNumber(v: Numberish): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}

const cache = new Map<string, Intl.NumberFormat>();
function numberFormat(locale: string, options: Intl.NumberFormatOptions): Intl.NumberFormat {
  const key = `${locale}|${JSON.stringify(options)}`;
  let nf = cache.get(key);
  if (!nf) {
    nf = new Intl.NumberFormat(locale, options);
    cache.set(key, nf);
  }
  return nf;
}

/** Whole numbers: `15,750` (en), `15 750` (pl). */
export function formatInteger(value: Numberish, locale: Locale): string {
  if (!isNumber(value)) return MISSING;
  return numberFormat(INTL_LOCALE[locale], { maximumFractionDigits: 0 }).format(value);
}

/** Short axis labels: `16K` (en), `16 tys.` (pl). */
export function formatCompact(value: number, locale: Locale): string {
  return numberFormat(INTL_LOCALE[locale], { notation: 'compact', maximumFractionDigits: 1 }).format(value);
}

/**
 * USD is the billing currency and is always written the way the provider's invoice writes it, in either
 * language: `$0.125`, `$1,234.50`. Below a dollar up to four decimals, because per-model costs are often
 * fractions of a cent (`$0.0962`); below $0.0001 two significant digits (`$0.000023`) so a tiny cost never
 * reads as zero; from a dollar up, cents.
 */
export function formatUsd(value: Numberish): string {
  if (!isNumber(value)) return MISSING;
  const abs = Math.abs(value);
  let options: Intl.NumberFormatOptions;
  if (abs === 0 || abs >= 1) options = { minimumFractionDigits: 2, maximumFractionDigits: 2 };
  else if (abs < 0.0001) options = { maximumSignificantDigits: 2 };
  else options = { minimumFractionDigits: 2, maximumFractionDigits: 4 };
  return numberFormat('en-US', { style: 'currency', currency: 'USD', ...options }).format(value);
}

/**
 * PLN as the API computed it (`cost_pln`, already rounded half-up to grosze): the locale's decimal separator and
 * the `zł` suffix in both languages — `0.50 zł` (en), `0,50 zł` (pl).
 */
export function formatPln(value: Numberish, locale: Locale): string {
  if (!isNumber(value)) return MISSING;
  const n = numberFormat(INTL_LOCALE[locale], { minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(value);
  return `${n}\u00a0zł`;
}

/** An exchange rate with its four NBP decimals: `3.6521` / `3,6521`. */
export function formatRate(value: Numberish, locale: Locale): string {
  if (!isNumber(value)) return MISSING;
  return numberFormat(INTL_LOCALE[locale], { minimumFractionDigits: 4, maximumFractionDigits: 4 }).format(value);
}

export function formatPercent(fraction: number, locale: Locale): string {
  return numberFormat(INTL_LOCALE[locale], { style: 'percent', maximumFractionDigits: 1 }).format(fraction);
}

export type DateStyle = 'axis' | 'short' | 'medium' | 'long';

const DATE_OPTIONS: Record<DateStyle, Intl.DateTimeFormatOptions> = {
  axis: { day: 'numeric', month: 'short' },
  short: { day: 'numeric', month: 'short', year: 'numeric' },
  medium: { weekday: 'short', day: 'numeric', month: 'short', year: 'numeric' },
  long: { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' },
};

/** An org-calendar day (`YYYY-MM-DD`) in the reader's language: `Dec 3, 2026` / `3 gru 2026`. */
export function formatDate(date: IsoDate | null | undefined, locale: Locale, style: DateStyle = 'short'): string {
  if (!date) return MISSING;
  try {
    return new Intl.DateTimeFormat(INTL_LOCALE[locale], { ...DATE_OPTIONS[style], timeZone: 'UTC' }).format(isoDateToUtcDate(date));
  } catch {
    return date;
  }
}

/** `December 2026` / `grudzień 2026`. */
export function formatMonth(month: IsoMonth, locale: Locale): string {
  try {
    return new Intl.DateTimeFormat(INTL_LOCALE[locale], { month: 'long', year: 'numeric', timeZone: 'UTC' }).format(
      isoDateToUtcDate(`${month}-01`),
    );
  } catch {
    return month;
  }
}

/** `Dec 1 – Dec 4, 2026` style range label, using Intl's own range formatting. */
export function formatDateRange(start: IsoDate, end: IsoDate, locale: Locale): string {
  try {
    const dtf = new Intl.DateTimeFormat(INTL_LOCALE[locale], { ...DATE_OPTIONS.short, timeZone: 'UTC' });
    return dtf.formatRange(isoDateToUtcDate(start), isoDateToUtcDate(end));
  } catch {
    return `${start} – ${end}`;
  }
}
