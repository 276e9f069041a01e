import { MAX_REPORT_RANGE_DAYS, resolveDateRange, resolveReportMonth } from './usage-report-period';

describe('resolveDateRange', () => {
  const today = '2026-12-04';

  it('defaults to the current month, 1st to today', () => {
    expect(resolveDateRange({}, today)).toEqual({ ok: true, value: { start: '2026-12-01', end: '2026-12-04' } });
  });

  it('treats empty parameters (`?start=&end=`) as missing', () => {
    expect(resolveDateRange({ start: '', end: '' }, today)).toEqual({ ok: true, value: { start: '2026-12-01', end: '2026-12-04' } });
  });

  it('defaults each missing bound on its own', () => {
    expect(resolveDateRange({ start: '2026-11-20' }, today)).toEqual({ ok: true, value: { start: '2026-11-20', end: today } });
    expect(resolveDateRange({ end: '2026-12-02' }, today)).toEqual({ ok: true, value: { start: '2026-12-01', end: '2026-12-02' } });
  });

  it('takes an explicit range, a single day, and a range in the future', () => {
    expect(resolveDateRange({ start: '2026-01-01', end: '2026-12-31' }, today)).toMatchObject({ ok: true });
    expect(resolveDateRange({ start: '2026-12-04', end: '2026-12-04' }, today)).toMatchObject({ ok: true });
    expect(resolveDateRange({ start: '2027-01-01', end: '2027-01-31' }, today)).toMatchObject({ ok: true });
  });

  it.each([
    ['2026-13-01', 'start'],
    ['2026-02-30', 'start'],
    ['2026-2-3', 'start'],
    ['20261201', 'start'],
    ['2026-12-01T00:00:00Z', 'start'],
    [' 2026-12-01', 'start'],
    ['0099-01-01', 'start'],
    ['yesterday', 'start'],
  ])('refuses the malformed date %p', (start, bound) => {
    const result = resolveDateRange({ start, end: today }, today);
    expect(result).toEqual({ ok: false, error: expect.stringContaining(`${bound} must be a date written YYYY-MM-DD`) });
  });

  it('refuses a malformed end', () => {
    expect(resolveDateRange({ start: '2026-12-01', end: '2026-12-32' }, today)).toEqual({ ok: false, error: expect.stringMatching(/^end must be/) });
  });

  it('refuses start after end, including a defaulted end', () => {
    expect(resolveDateRange({ start: '2026-12-05', end: '2026-12-04' }, today)).toEqual({ ok: false, error: expect.stringMatching(/must not be after/) });
    expect(resolveDateRange({ start: '2026-12-05' }, today)).toMatchObject({ ok: false });
    expect(resolveDateRange({ end: '2026-11-30' }, today)).toMatchObject({ ok: false });
  });

  it('allows exactly 366 days and refuses 367', () => {
    expect(MAX_REPORT_RANGE_DAYS).toBe(366);
    expect(resolveDateRange({ start: '2024-01-01', end: '2024-12-31' }, today)).toMatchObject({ ok: true }); // leap year, 366 days
    expect(resolveDateRange({ start: '2025-12-04', end: '2026-12-04' }, today)).toMatchObject({ ok: true }); // 366 days across no leap day
    expect(resolveDateRange({ start: '2025-12-03', end: '2026-12-04' }, today)).toEqual({ ok: false, error: 'the range covers 367 days; at most 366 are allowed' });
  });
});

describe('resolveReportMonth', () => {
  it('defaults to the current month with the days elapsed up to today', () => {
    expect(resolveReportMonth(undefined, '2026-12-04')).toEqual({
      ok: true,
      value: { month: '2026-12', range: { start: '2026-12-01', end: '2026-12-31' }, daysElapsed: 4 },
    });
  });

  it('counts a whole past month, including February of a leap year', () => {
    expect(resolveReportMonth('2026-11', '2026-12-04')).toMatchObject({ ok: true, value: { daysElapsed: 30, range: { end: '2026-11-30' } } });
    expect(resolveReportMonth('2024-02', '2026-12-04')).toMatchObject({ ok: true, value: { daysElapsed: 29, range: { end: '2024-02-29' } } });
    expect(resolveReportMonth('2025-02', '2026-12-04')).toMatchObject({ ok: true, value: { daysElapsed: 28 } });
  });

  it('counts 1 on the 1st and the whole month on its last day', () => {
    expect(resolveReportMonth('2026-12', '2026-12-01')).toMatchObject({ ok: true, value: { daysElapsed: 1 } });
    expect(resolveReportMonth('2026-12', '2026-12-31')).toMatchObject({ ok: true, value: { daysElapsed: 31 } });
  });

  it('treats an empty month as missing', () => {
    expect(resolveReportMonth('', '2026-12-04')).toMatchObject({ ok: true, value: { month: '2026-12', daysElapsed: 4 } });
  });

  it('has no elapsed days for a month still to come', () => {
    expect(resolveReportMonth('2027-01', '2026-12-31')).toMatchObject({ ok: true, value: { daysElapsed: 0 } });
  });

  it.each(['2026-13', '2026-00', '2026-1', '2026/12', '202612', '2026-12-01', ' ', '0001-01', '1969-12'])('refuses %p', (month) => {
    expect(resolveReportMonth(month, '2026-12-04')).toEqual({ ok: false, error: expect.stringMatching(/^month must be written YYYY-MM/) });
  });
});
