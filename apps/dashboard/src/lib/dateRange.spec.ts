import {
  addDays,
  daysInclusive,
  detectPreset,
  eachDay,
  isIsoDate,
  lastOfMonth,
  presetRange,
  summaryMonthFor,
  todayInZone,
  validateRange,
} from './dateRange';

describe('presetRange', () => {
  it('this month runs from the 1st to today', () => {
    expect(presetRange('this-month', '2026-12-04')).toEqual({ start: '2026-12-01', end: '2026-12-04' });
    expect(presetRange('this-month', '2026-12-01')).toEqual({ start: '2026-12-01', end: '2026-12-01' });
  });

  it('last month is the whole previous calendar month', () => {
    expect(presetRange('last-month', '2026-12-04')).toEqual({ start: '2026-11-01', end: '2026-11-30' });
    expect(presetRange('last-month', '2026-03-31')).toEqual({ start: '2026-02-01', end: '2026-02-28' });
  });

  it('last month crosses the year boundary in January', () => {
    expect(presetRange('last-month', '2027-01-15')).toEqual({ start: '2026-12-01', end: '2026-12-31' });
  });

  it('last month knows leap years', () => {
    expect(presetRange('last-month', '2028-03-01')).toEqual({ start: '2028-02-01', end: '2028-02-29' });
  });

  it('last 7 days is seven days ending today', () => {
    const range = presetRange('last-7-days', '2026-12-04');
    expect(range).toEqual({ start: '2026-11-28', end: '2026-12-04' });
    expect(daysInclusive(range)).toBe(7);
  });

  it('last 30 days is thirty days ending today, across a month boundary', () => {
    const range = presetRange('last-30-days', '2026-03-01');
    expect(range).toEqual({ start: '2026-01-31', end: '2026-03-01' });
    expect(daysInclusive(range)).toBe(30);
  });

  it('is unaffected by daylight-saving changes (Europe switches on 2026-03-29 and 2026-10-25)', () => {
    expect(presetRange('last-7-days', '2026-03-31')).toEqual({ start: '2026-03-25', end: '2026-03-31' });
    expect(presetRange('last-7-days', '2026-10-27')).toEqual({ start: '2026-10-21', end: '2026-10-27' });
  });
});

describe('detectPreset', () => {
  it('recognizes a range that equals a preset today', () => {
    expect(detectPreset({ start: '2026-11-01', end: '2026-11-30' }, '2026-12-04')).toBe('last-month');
    expect(detectPreset({ start: '2026-11-28', end: '2026-12-04' }, '2026-12-04')).toBe('last-7-days');
  });

  it('calls anything else custom', () => {
    expect(detectPreset({ start: '2026-11-02', end: '2026-11-30' }, '2026-12-04')).toBe('custom');
  });
});

describe('validateRange', () => {
  it('accepts a normal range, including a single day', () => {
    expect(validateRange({ start: '2026-12-01', end: '2026-12-04' })).toBeNull();
    expect(validateRange({ start: '2026-12-04', end: '2026-12-04' })).toBeNull();
  });

  it('refuses what the API refuses', () => {
    expect(validateRange({ start: '', end: '2026-12-04' })).toBe('invalid-date');
    expect(validateRange({ start: '2026-02-30', end: '2026-03-04' })).toBe('invalid-date');
    expect(validateRange({ start: '2026-12-05', end: '2026-12-04' })).toBe('start-after-end');
    expect(validateRange({ start: '2025-12-01', end: '2026-12-04' })).toBe('too-long');
  });

  it('allows exactly 366 days', () => {
    expect(validateRange({ start: '2025-12-04', end: '2026-12-04' })).toBeNull(); // 366 days inclusive
    expect(validateRange({ start: '2025-12-03', end: '2026-12-04' })).toBe('too-long');
  });
});

describe('calendar helpers', () => {
  it('validates ISO dates strictly', () => {
    expect(isIsoDate('2026-12-04')).toBe(true);
    expect(isIsoDate('2026-13-01')).toBe(false);
    expect(isIsoDate('2026-2-01')).toBe(false);
    expect(isIsoDate('2028-02-29')).toBe(true);
    expect(isIsoDate('2026-02-29')).toBe(false);
  });

  it('adds days across months and years', () => {
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(addDays('2026-03-01', -1)).toBe('2026-02-28');
  });

  it('lists every day of a range', () => {
    expect(eachDay({ start: '2026-11-29', end: '2026-12-02' })).toEqual(['2026-11-29', '2026-11-30', '2026-12-01', '2026-12-02']);
  });

  it('finds the last day of a month', () => {
    expect(lastOfMonth('2026-02-10')).toBe('2026-02-28');
    expect(lastOfMonth('2026-12-01')).toBe('2026-12-31');
  });

  it('summarizes the month of the range end', () => {
    expect(summaryMonthFor({ start: '2026-11-05', end: '2026-12-04' })).toBe('2026-12');
    expect(summaryMonthFor({ start: '2026-11-01', end: '2026-11-30' })).toBe('2026-11');
  });

  it('reads today in the org’s zone, not the machine’s', () => {
    const lateEvening = new Date('2026-12-04T23:30:00Z');
    expect(todayInZone(lateEvening, 'UTC')).toBe('2026-12-04');
    expect(todayInZone(lateEvening, 'Europe/Warsaw')).toBe('2026-12-05');
    expect(todayInZone(lateEvening, 'America/Los_Angeles')).toBe('2026-12-04');
    expect(todayInZone(lateEvening, 'Not/AZone')).toBe('2026-12-04');
  });
});
