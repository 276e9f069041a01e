import fc from 'fast-check';
import { addDays, dayInZone, daysInclusive, isCalendarDay, isValidTimeZone, lastDayOfMonth, parseRfc3339 } from './calendar';

const at = (iso: string) => new Date(iso);

describe('dayInZone: the usage day of an instant on the org\'s wall calendar', () => {
  it.each([
    // Europe/Warsaw is UTC+1 in winter: local midnight is 23:00 UTC the day before.
    ['2026-12-04T22:59:59.999Z', 'Europe/Warsaw', '2026-12-04'],
    ['2026-12-04T23:00:00.000Z', 'Europe/Warsaw', '2026-12-05'],
    // America/New_York is UTC-5 in winter.
    ['2026-12-05T04:59:59.999Z', 'America/New_York', '2026-12-04'],
    ['2026-12-05T05:00:00.000Z', 'America/New_York', '2026-12-05'],
    ['2026-12-04T23:59:59.999Z', 'UTC', '2026-12-04'],
    ['2026-12-05T00:00:00.000Z', 'UTC', '2026-12-05'],
    // Month and year ends.
    ['2026-12-31T22:59:59.999Z', 'Europe/Warsaw', '2026-12-31'],
    ['2026-12-31T23:00:00.000Z', 'Europe/Warsaw', '2027-01-01'],
    ['2027-03-01T04:59:59.999Z', 'America/New_York', '2027-02-28'],
    // Summer time: Warsaw is UTC+2, New York UTC-4.
    ['2026-07-14T21:59:59.999Z', 'Europe/Warsaw', '2026-07-14'],
    ['2026-07-14T22:00:00.000Z', 'Europe/Warsaw', '2026-07-15'],
    ['2026-07-15T03:59:59.999Z', 'America/New_York', '2026-07-14'],
    ['2026-07-15T04:00:00.000Z', 'America/New_York', '2026-07-15'],
  ])('%s in %s is %s', (instant, zone, day) => {
    expect(dayInZone(at(instant), zone)).toBe(day);
  });

  it('keeps DST switch days whole: Warsaw 2026-03-29 lasts 23 h, 2026-10-25 lasts 25 h', () => {
    // Spring forward: local 00:00 = 23:00Z the day before; next midnight 22:00Z (23 h later).
    expect(dayInZone(at('2026-03-28T22:59:59.999Z'), 'Europe/Warsaw')).toBe('2026-03-28');
    expect(dayInZone(at('2026-03-28T23:00:00.000Z'), 'Europe/Warsaw')).toBe('2026-03-29');
    expect(dayInZone(at('2026-03-29T21:59:59.999Z'), 'Europe/Warsaw')).toBe('2026-03-29');
    expect(dayInZone(at('2026-03-29T22:00:00.000Z'), 'Europe/Warsaw')).toBe('2026-03-30');
    // Fall back: local 00:00 = 22:00Z the day before; next midnight 23:00Z (25 h later).
    expect(dayInZone(at('2026-10-24T22:00:00.000Z'), 'Europe/Warsaw')).toBe('2026-10-25');
    expect(dayInZone(at('2026-10-25T22:59:59.999Z'), 'Europe/Warsaw')).toBe('2026-10-25');
    expect(dayInZone(at('2026-10-25T23:00:00.000Z'), 'Europe/Warsaw')).toBe('2026-10-26');
  });

  it('reads the same day as the formatter\'s parts, in every zone the runtime knows, at any instant', () => {
    const zones = Intl.supportedValuesOf('timeZone');
    const fromParts = (instant: Date, timeZone: string) => {
      const parts = new Intl.DateTimeFormat('en-US', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hourCycle: 'h23' }).formatToParts(instant);
      const part = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? '';
      return `${part('year')}-${part('month')}-${part('day')}`;
    };
    fc.assert(
      fc.property(fc.constantFrom(...zones), fc.date({ min: new Date('1900-01-01T00:00:00Z'), max: new Date('2200-12-31T23:59:59.999Z'), noInvalidDate: true }), (zone, instant) => {
        expect(dayInZone(instant, zone)).toBe(fromParts(instant, zone));
      }),
      { numRuns: 3_000 },
    );
  });

  it('handles New York\'s DST switches (2026-03-08 and 2026-11-01)', () => {
    expect(dayInZone(at('2026-03-08T04:59:59.999Z'), 'America/New_York')).toBe('2026-03-07');
    expect(dayInZone(at('2026-03-09T03:59:59.999Z'), 'America/New_York')).toBe('2026-03-08');
    expect(dayInZone(at('2026-03-09T04:00:00.000Z'), 'America/New_York')).toBe('2026-03-09');
    expect(dayInZone(at('2026-11-02T04:59:59.999Z'), 'America/New_York')).toBe('2026-11-01');
    expect(dayInZone(at('2026-11-02T05:00:00.000Z'), 'America/New_York')).toBe('2026-11-02');
  });
});

describe('calendar arithmetic on plain days', () => {
  it('adds days across month, year and leap-day boundaries', () => {
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(addDays('2028-02-28', 1)).toBe('2028-02-29');
    expect(addDays('2026-03-01', -1)).toBe('2026-02-28');
    expect(addDays('2026-03-28', 2)).toBe('2026-03-30'); // DST never shifts a plain day
  });

  it('counts inclusive ranges and month ends', () => {
    expect(daysInclusive('2026-12-01', '2026-12-04')).toBe(4);
    expect(daysInclusive('2026-01-01', '2026-12-31')).toBe(365);
    expect(lastDayOfMonth('2028-02')).toBe('2028-02-29');
    expect(lastDayOfMonth('2026-02')).toBe('2026-02-28');
    expect(lastDayOfMonth('2026-12')).toBe('2026-12-31');
  });

  it('validates days and zones', () => {
    expect(isCalendarDay('2026-02-29')).toBe(false);
    expect(isCalendarDay('2028-02-29')).toBe(true);
    expect(isCalendarDay('2026-1-01')).toBe(false);
    expect(isCalendarDay('2000-02-29')).toBe(true);
    expect(isCalendarDay('2100-02-29')).toBe(false);
    expect(isCalendarDay('0099-01-01')).toBe(false);
    expect(isValidTimeZone('Europe/Warsaw')).toBe(true);
    expect(isValidTimeZone('Mars/Olympus')).toBe(false);
  });
});

describe('isCalendarDay', () => {
  it('agrees with a round trip through Date on every shape of YYYY-MM-DD', () => {
    const throughDate = (text: string) => {
      const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
      return match !== null && new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]))).toISOString().slice(0, 10) === text;
    };
    const pad = (n: number, width: number) => String(n).padStart(width, '0');
    const day = fc.tuple(fc.integer({ min: 0, max: 9999 }), fc.integer({ min: 0, max: 13 }), fc.integer({ min: 0, max: 32 })).map(([y, m, d]) => `${pad(y, 4)}-${pad(m, 2)}-${pad(d, 2)}`);
    fc.assert(
      fc.property(fc.oneof(day, fc.string({ maxLength: 12 })), (text) => expect(isCalendarDay(text)).toBe(throughDate(text))),
      { numRuns: 20_000 },
    );
  });
});

describe('parseRfc3339', () => {
  it.each([
    ['2026-12-04T10:15:00Z', '2026-12-04T10:15:00.000Z'],
    ['2026-12-04T10:15:00.123456789Z', '2026-12-04T10:15:00.123Z'],
    ['2026-12-04T11:15:00+01:00', '2026-12-04T10:15:00.000Z'],
    ['2026-12-04t10:15:00z', '2026-12-04T10:15:00.000Z'],
  ])('reads %s', (text, iso) => {
    expect(parseRfc3339(text)?.toISOString()).toBe(iso);
  });

  it.each(['2026-12-04T10:15:00', '2026-12-04', 'yesterday', '2026-02-30T10:00:00Z', '2026-12-04T24:00:00Z', '1733300000'])('rejects %s', (text) => {
    expect(parseRfc3339(text)).toBeUndefined();
  });
});
