import { formatDuration, formatReplayProgress, measureReplay } from './replay-progress';

describe('measureReplay', () => {
  const range = { firstSeq: 1, headSeq: 1000 };
  const start = { at: 0, seq: 0, records: 0 };

  it('nothing read yet: 0 %, no rate, no ETA', () => {
    expect(measureReplay(range, start, [])).toEqual({
      fraction: 0,
      messagesDone: 0,
      messagesTotal: 1000,
      records: 0,
      recordsPerSecond: 0,
      messagesPerSecond: 0,
      etaMs: undefined,
      elapsedMs: 0,
    });
  });

  it('rate from the samples, ETA from what is left at that rate', () => {
    const progress = measureReplay(range, start, [{ at: 2000, seq: 250, records: 25_000 }]);
    expect(progress.fraction).toBe(0.25);
    expect(progress.messagesPerSecond).toBe(125);
    expect(progress.recordsPerSecond).toBe(12_500);
    expect(progress.etaMs).toBe(6000); // 750 messages at 125/s
  });

  it('follows the recent rate, not the average since the start', () => {
    const samples = [
      { at: 10_000, seq: 100, records: 100 }, // slow start: 10 msgs/s
      { at: 20_000, seq: 200, records: 200 },
      { at: 25_000, seq: 700, records: 700 }, // then 100 msgs/s
    ];
    const progress = measureReplay(range, start, samples);
    expect(progress.messagesPerSecond).toBeCloseTo(500 / 5, 5);
    expect(progress.etaMs).toBeCloseTo(3000, 5);
  });

  it('a replay that starts mid-stream counts from its own first sequence', () => {
    const progress = measureReplay({ firstSeq: 501, headSeq: 1000 }, { at: 0, seq: 500, records: 0 }, [{ at: 1000, seq: 750, records: 2500 }]);
    expect(progress.fraction).toBe(0.5);
    expect(progress.messagesDone).toBe(250);
    expect(progress.records).toBe(2500);
  });

  it('done is 100 % with nothing left, even past a head that moved on', () => {
    const progress = measureReplay(range, start, [{ at: 1000, seq: 1200, records: 1200 }]);
    expect(progress.fraction).toBe(1);
    expect(progress.etaMs).toBe(0);
  });

  it('an empty range has no fraction', () => {
    expect(measureReplay({ firstSeq: 1, headSeq: 0 }, start, []).fraction).toBeUndefined();
  });
});

describe('formatting', () => {
  it('durations', () => {
    expect(formatDuration(0)).toBe('0:00');
    expect(formatDuration(61_400)).toBe('1:01');
    expect(formatDuration(3_723_000)).toBe('1:02:03');
  });

  it('a progress line with bar, share, counts, rate and ETA', () => {
    const line = formatReplayProgress(measureReplay({ firstSeq: 1, headSeq: 1000 }, { at: 0, seq: 0, records: 0 }, [{ at: 2000, seq: 250, records: 25_000 }]), 8);
    expect(line).toBe('[##------]   25.0%  250/1,000 msgs  25,000 events  12,500 events/s  ETA 0:06');
  });

  it('an unknown rate shows no ETA', () => {
    expect(formatReplayProgress(measureReplay({ firstSeq: 1, headSeq: 10 }, { at: 0, seq: 0, records: 0 }, []), 4)).toContain('ETA --:--');
  });
});
