import { formatCompact, formatDate, formatDateRange, formatInteger, formatMonth, formatPln, formatRate, formatUsd, MISSING } from './format';

// Intl separates groups and units with (narrow) no-break spaces; the specs read better with plain ones.
const plain = (s: string) => s.replace(/[\u00a0\u202f]/g, ' ');

describe('formatInteger', () => {
  it('groups thousands the English way', () => {
    expect(formatInteger(15750, 'en')).toBe('15,750');
    expect(formatInteger(105313657, 'en')).toBe('105,313,657');
  });

  it('groups thousands the Polish way', () => {
    expect(plain(formatInteger(15750, 'pl'))).toBe('15 750');
    expect(plain(formatInteger(105313657, 'pl'))).toBe('105 313 657');
  });

  it('shows a dash for a missing value', () => {
    expect(formatInteger(null, 'en')).toBe(MISSING);
    expect(formatInteger(undefined, 'pl')).toBe(MISSING);
    expect(formatInteger(Number.NaN, 'en')).toBe(MISSING);
  });
});

describe('formatUsd', () => {
  it('writes the contract example as $0.125', () => {
    expect(formatUsd(0.125)).toBe('$0.125');
  });

  it('keeps up to four decimals below a dollar, at least two', () => {
    expect(formatUsd(0.0961538)).toBe('$0.0962');
    expect(formatUsd(0.5)).toBe('$0.50');
    expect(formatUsd(0.0001)).toBe('$0.0001');
  });

  it('keeps two significant digits for costs below $0.0001 so they never read as zero', () => {
    expect(formatUsd(0.0000234)).toBe('$0.000023');
    expect(formatUsd(0.000000001)).toBe('$0.000000001');
  });

  it('shows cents from a dollar up, with grouping', () => {
    expect(formatUsd(1.3722)).toBe('$1.37');
    expect(formatUsd(172.60614124)).toBe('$172.61');
    expect(formatUsd(1234.5)).toBe('$1,234.50');
  });

  it('writes zero as $0.00 and a withheld cost as a dash', () => {
    expect(formatUsd(0)).toBe('$0.00');
    expect(formatUsd(null)).toBe(MISSING);
  });
});

describe('formatPln', () => {
  it('uses the locale decimal separator and the zł suffix', () => {
    expect(plain(formatPln(0.5, 'en'))).toBe('0.50 zł');
    expect(plain(formatPln(0.5, 'pl'))).toBe('0,50 zł');
    expect(plain(formatPln(0.46, 'pl'))).toBe('0,46 zł');
  });

  it('groups large amounts per locale', () => {
    expect(plain(formatPln(12345.6, 'en'))).toBe('12,345.60 zł');
    expect(plain(formatPln(12345.6, 'pl'))).toBe('12 345,60 zł');
  });

  it('shows the value the API sent, without re-rounding it differently', () => {
    expect(plain(formatPln(630.37, 'en'))).toBe('630.37 zł');
  });

  it('shows a dash for a withheld cost', () => {
    expect(formatPln(null, 'pl')).toBe(MISSING);
  });
});

describe('formatRate', () => {
  it('shows the four NBP decimals in the locale style', () => {
    expect(formatRate(3.6521, 'en')).toBe('3.6521');
    expect(formatRate(3.6521, 'pl')).toBe('3,6521');
    expect(formatRate(4, 'en')).toBe('4.0000');
  });
});

describe('formatCompact', () => {
  it('abbreviates axis values', () => {
    expect(formatCompact(2_000_000, 'en')).toBe('2M');
    expect(formatCompact(500_000, 'en')).toBe('500K');
    expect(plain(formatCompact(2_000_000, 'pl'))).toBe('2 mln');
  });
});

describe('dates', () => {
  it('formats an org-calendar day without shifting it by the reader’s zone', () => {
    expect(formatDate('2026-12-03', 'en')).toBe('Dec 3, 2026');
    expect(plain(formatDate('2026-12-03', 'pl'))).toBe('3 gru 2026');
    expect(formatDate('2026-01-01', 'en', 'axis')).toBe('Jan 1');
  });

  it('formats months in each language', () => {
    expect(formatMonth('2026-12', 'en')).toBe('December 2026');
    expect(formatMonth('2026-12', 'pl')).toBe('grudzień 2026');
  });

  it('formats ranges compactly', () => {
    expect(plain(formatDateRange('2026-12-01', '2026-12-04', 'en'))).toMatch(/^Dec 1\s?–\s?4, 2026$/);
    expect(plain(formatDateRange('2026-11-05', '2026-12-04', 'en'))).toMatch(/^Nov 5\s?–\s?Dec 4, 2026$/);
  });

  it('shows a dash for no date', () => {
    expect(formatDate(null, 'en')).toBe(MISSING);
  });
});
