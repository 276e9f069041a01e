import {
  HeldRate,
  NBP_RETRY_AFTER_MS,
  NbpUsdRate,
  RATE_FRESH_MS,
  afterNbpAnswer,
  bookingDayIssue,
  bookingRateFor,
  bookingWindow,
  currentRateStep,
  isBookingFinal,
  rateAgeSeconds,
} from './exchange-rate';
import { Rate } from './money';

const now = new Date('2026-12-04T12:00:00Z');
const ago = (ms: number) => new Date(now.getTime() - ms);
const fallback = Rate.of('4.0');
const rate = (effectiveDate: string, mid: string): NbpUsdRate => ({ effectiveDate, mid: Rate.of(mid) });
const held = (confirmedAt?: Date): HeldRate => ({ ...rate('2026-12-03', '3.6521'), confirmedAt });
const plain = (step: ReturnType<typeof currentRateStep>) =>
  step.action === 'serve'
    ? { action: step.action, usdPln: step.quote.usdPln.toString(), source: step.quote.source, effectiveDate: step.quote.effectiveDate }
    : { action: step.action, usdPln: step.otherwise.usdPln.toString(), source: step.otherwise.source, effectiveDate: step.otherwise.effectiveDate };

describe('currentRateStep: which rate to serve, and whether to ask NBP first', () => {
  it('serves a rate NBP confirmed under 4 h ago as NBP\'s, without asking again', () => {
    expect(plain(currentRateStep({ held: held(ago(RATE_FRESH_MS - 1)) }, fallback, now))).toEqual({
      action: 'serve', usdPln: '3.6521', source: 'nbp', effectiveDate: '2026-12-03',
    });
  });

  it('asks NBP once the rate is 4 h old, keeping the last good rate as the answer should NBP fail', () => {
    expect(plain(currentRateStep({ held: held(ago(RATE_FRESH_MS)) }, fallback, now))).toEqual({
      action: 'ask-nbp', usdPln: '3.6521', source: 'cache', effectiveDate: '2026-12-03',
    });
  });

  it('asks NBP when it has never answered, with the configured fallback as the answer should it fail', () => {
    expect(plain(currentRateStep({}, fallback, now))).toEqual({ action: 'ask-nbp', usdPln: '4', source: 'fallback', effectiveDate: null });
  });

  it('treats a rate known only from a date-range lookup as the last good rate, never as fresh', () => {
    expect(plain(currentRateStep({ held: held(undefined) }, fallback, now))).toMatchObject({ action: 'ask-nbp', source: 'cache' });
  });

  it('answers at once from the cache or the fallback while NBP failed recently', () => {
    const failed = ago(NBP_RETRY_AFTER_MS - 1);
    expect(plain(currentRateStep({ held: held(ago(RATE_FRESH_MS + 1)), lastFailureAt: failed }, fallback, now))).toMatchObject({ action: 'serve', source: 'cache' });
    expect(plain(currentRateStep({ lastFailureAt: failed }, fallback, now))).toMatchObject({ action: 'serve', source: 'fallback', usdPln: '4' });
    expect(plain(currentRateStep({ lastFailureAt: ago(NBP_RETRY_AFTER_MS) }, fallback, now))).toMatchObject({ action: 'ask-nbp' });
  });

  it('still serves a fresh rate as NBP\'s even while NBP is failing', () => {
    expect(plain(currentRateStep({ held: held(ago(1000)), lastFailureAt: ago(10) }, fallback, now))).toMatchObject({ action: 'serve', source: 'nbp' });
  });
});

describe('afterNbpAnswer', () => {
  it('holds the answer, confirmed now', () => {
    expect(afterNbpAnswer(undefined, rate('2026-12-04', '3.61'), now)).toEqual({ ...rate('2026-12-04', '3.61'), confirmedAt: now });
  });

  it('never steps back to an older table than one already held', () => {
    const newer = { ...rate('2026-12-04', '3.61'), confirmedAt: ago(RATE_FRESH_MS * 2) };
    expect(afterNbpAnswer(newer, rate('2026-12-03', '3.65'), now)).toEqual({ ...rate('2026-12-04', '3.61'), confirmedAt: now });
  });
});

describe('rateAgeSeconds', () => {
  it('counts from the last confirmation, and is infinite with no rate at all', () => {
    expect(rateAgeSeconds(held(ago(90_000)), now)).toBe(90);
    expect(rateAgeSeconds(held(undefined), now)).toBe(36 * 3600); // since 2026-12-03T00:00Z
    expect(rateAgeSeconds(undefined, now)).toBe(Number.POSITIVE_INFINITY);
  });
});

describe('the booking rate for a day: the last table A published strictly before it', () => {
  // NBP tables around a weekend and Polish Independence Day (Wed 11 Nov 2026 has no table).
  const tables = [rate('2026-11-06', '3.70'), rate('2026-11-09', '3.71'), rate('2026-11-10', '3.72'), rate('2026-11-12', '3.73'), rate('2026-11-13', '3.74')];

  it.each([
    ['a working day takes the previous working day\'s table', '2026-11-10', '2026-11-09'],
    ['the day after a holiday takes the table before the holiday', '2026-11-12', '2026-11-10'],
    ['a holiday takes the previous working day\'s table', '2026-11-11', '2026-11-10'],
    ['Monday takes Friday\'s table', '2026-11-09', '2026-11-06'],
    ['Saturday takes Friday\'s table', '2026-11-14', '2026-11-13'],
    ['Sunday takes Friday\'s table too', '2026-11-15', '2026-11-13'],
  ])('%s (%s → %s)', (_case, day, effectiveDate) => {
    expect(bookingRateFor(day, tables)?.effectiveDate).toBe(effectiveDate);
  });

  it('never uses the table dated the day itself, and finds none when all are later', () => {
    expect(bookingRateFor('2026-11-13', tables)?.effectiveDate).toBe('2026-11-12');
    expect(bookingRateFor('2026-11-06', tables)).toBeUndefined();
    expect(bookingRateFor('2026-11-10', [])).toBeUndefined();
  });

  it('does not depend on the order NBP lists the tables in', () => {
    expect(bookingRateFor('2026-11-14', [...tables].reverse())?.mid.toString()).toBe('3.74');
  });

  it('asks NBP for the 14 days before the day, across month and year ends', () => {
    expect(bookingWindow('2026-11-12')).toEqual({ start: '2026-10-29', end: '2026-11-11' });
    expect(bookingWindow('2027-01-01')).toEqual({ start: '2026-12-18', end: '2026-12-31' });
    expect(bookingWindow('2002-01-05')).toEqual({ start: '2002-01-02', end: '2002-01-04' }); // NBP's API starts there
  });

  it('can be asked for any real day from NBP\'s second table to tomorrow in Warsaw', () => {
    expect(bookingDayIssue('2026-12-05', now)).toBeUndefined();
    expect(bookingDayIssue('2002-01-03', now)).toBeUndefined();
    expect(bookingDayIssue('2026-12-06', now)).toMatch(/2026-12-05 or earlier/);
    expect(bookingDayIssue('2002-01-02', now)).toMatch(/after 2002-01-02/);
    expect(bookingDayIssue('2026-02-30', now)).toMatch(/YYYY-MM-DD/);
    expect(bookingDayIssue(20261204, now)).toMatch(/YYYY-MM-DD/);
  });

  it('is final from the start of the day in Warsaw: every table before it is published by then', () => {
    // 23:30 UTC on 3 Dec is already 4 Dec in Warsaw (UTC+1).
    const lateEvening = new Date('2026-12-03T23:30:00Z');
    expect(isBookingFinal('2026-12-04', lateEvening)).toBe(true);
    expect(isBookingFinal('2026-12-05', lateEvening)).toBe(false);
    expect(isBookingFinal('2026-11-30', lateEvening)).toBe(true);
  });
});
