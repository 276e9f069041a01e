import type { DailyModelUsage } from './api';
import { labelStep, MODEL_PALETTE, modelColors, niceTicks, seriesFromRows, stackByDay } from './chart';

const row = (date: string, model_name: string, total_tokens: number, markup_cost: number | null = total_tokens / 1000): DailyModelUsage => ({
  date,
  model_name,
  display_name: model_name.toUpperCase(),
  provider: 'Vendor',
  total_tokens,
  total_requests: 1,
  raw_cost: markup_cost === null ? null : markup_cost / 1.3,
  markup_cost,
  cost_pln: null,
});

describe('stackByDay', () => {
  const rows = [row('2026-12-01', 'a', 100), row('2026-12-01', 'b', 50), row('2026-12-03', 'b', 20)];
  const series = [
    { key: 'a', label: 'A', color: '#a' },
    { key: 'b', label: 'B', color: '#b' },
  ];

  it('stacks segments bottom-up in series order, with an empty bar for a day without usage', () => {
    const days = stackByDay(rows, ['2026-12-01', '2026-12-02', '2026-12-03'], series, 'tokens');
    expect(days.map((d) => d.total)).toEqual([150, 0, 20]);
    expect(days[0]!.segments.map((s) => [s.key, s.y0, s.y1])).toEqual([
      ['a', 0, 100],
      ['b', 100, 150],
    ]);
    expect(days[1]!.segments).toEqual([]);
    expect(days[2]!.segments.map((s) => [s.key, s.y0, s.y1])).toEqual([['b', 0, 20]]);
  });

  it('stacks cost when asked, treating withheld cost as zero', () => {
    const days = stackByDay([row('2026-12-01', 'a', 100, 0.5), row('2026-12-01', 'b', 100, null)], ['2026-12-01'], series, 'cost');
    expect(days[0]!.total).toBe(0.5);
    expect(days[0]!.segments.map((s) => s.key)).toEqual(['a']);
  });
});

describe('seriesFromRows', () => {
  it('lists used models, largest first, with their colors and names', () => {
    const rows = [row('2026-12-01', 'small', 10), row('2026-12-01', 'big', 100), row('2026-12-02', 'small', 10)];
    const series = seriesFromRows(rows, 'tokens', new Map([['big', '#1']]), new Map([['big', 'Big']]));
    expect(series.map((s) => [s.key, s.label])).toEqual([
      ['big', 'Big'],
      ['small', 'small'],
    ]);
    expect(series[0]!.color).toBe('#1');
  });
});

describe('modelColors', () => {
  it('gives each model a stable color from the sorted catalog, whatever the input order', () => {
    const a = modelColors(['x/b', 'x/a', 'x/c']);
    const b = modelColors(['x/c', 'x/a', 'x/b', 'x/a']);
    expect([...a.entries()]).toEqual([...b.entries()]);
    expect(a.get('x/a')).toBe(MODEL_PALETTE[0]);
  });

  it('has twelve distinct colors for the twelve catalog models', () => {
    expect(new Set(MODEL_PALETTE).size).toBe(12);
  });
});

describe('niceTicks', () => {
  it('rounds the axis up to a nice value', () => {
    expect(niceTicks(4_961_924, 4)).toEqual([0, 2_000_000, 4_000_000, 6_000_000]);
    expect(niceTicks(100, 4)).toEqual([0, 25, 50, 75, 100]);
    expect(niceTicks(0.37, 4)).toEqual([0, 0.1, 0.2, 0.3, 0.4]);
  });

  it('draws a unit axis when there is nothing to show', () => {
    expect(niceTicks(0)).toEqual([0, 1]);
  });
});

describe('labelStep', () => {
  it('labels every day when they fit, else every n-th', () => {
    expect(labelStep(7, 10)).toBe(1);
    expect(labelStep(30, 10)).toBe(3);
    expect(labelStep(366, 12)).toBe(60);
  });
});
