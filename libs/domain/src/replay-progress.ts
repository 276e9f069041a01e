// How far a replay of the usage stream has got, how fast it goes and when it will be done. Pure: the caller
// samples the clock and the position and renders the result.

/** A point in a replay: at time `at` (ms), the last stream sequence read and the usage records read so far. */
export interface ReplaySample {
  readonly at: number;
  readonly seq: number;
  readonly records: number;
}

export interface ReplayProgress {
  /** Share of the stream range done, 0…1; undefined when the range is empty. */
  readonly fraction: number | undefined;
  readonly messagesDone: number;
  readonly messagesTotal: number;
  readonly records: number;
  /** Over the recent window (the overall average until the window has two samples). */
  readonly recordsPerSecond: number;
  readonly messagesPerSecond: number;
  /** Time left at the recent rate; undefined while the rate is unknown. */
  readonly etaMs: number | undefined;
  readonly elapsedMs: number;
}

/** How much history the rate looks at: long enough to smooth batches out, short enough to follow changes. */
export const RATE_WINDOW_MS = 10_000;

/**
 * `firstSeq` is the first sequence of the range, `headSeq` its end (the stream head as last known);
 * `start` is the sample before anything was read, `samples` the later ones in time order.
 */
export function measureReplay(range: { firstSeq: number; headSeq: number }, start: ReplaySample, samples: readonly ReplaySample[]): ReplayProgress {
  const last = samples.at(-1) ?? start;
  const span = Math.max(0, range.headSeq - range.firstSeq + 1);
  const done = Math.min(span, Math.max(0, last.seq - range.firstSeq + 1));
  const windowStart = [start, ...samples].find((sample) => sample.at >= last.at - RATE_WINDOW_MS && sample.at < last.at) ?? start;
  const seconds = (last.at - windowStart.at) / 1000;
  const recordsPerSecond = seconds > 0 ? (last.records - windowStart.records) / seconds : 0;
  const messagesPerSecond = seconds > 0 ? Math.max(0, last.seq - windowStart.seq) / seconds : 0;
  const remaining = span - done;
  return {
    fraction: span === 0 ? undefined : done / span,
    messagesDone: done,
    messagesTotal: span,
    records: last.records - start.records,
    recordsPerSecond,
    messagesPerSecond,
    etaMs: remaining === 0 ? 0 : messagesPerSecond > 0 ? (remaining / messagesPerSecond) * 1000 : undefined,
    elapsedMs: last.at - start.at,
  };
}

/** `h:mm:ss`, or `m:ss` under an hour. */
export function formatDuration(ms: number): string {
  const total = Math.max(0, Math.round(ms / 1000));
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = String(total % 60).padStart(2, '0');
  return hours > 0 ? `${hours}:${String(minutes).padStart(2, '0')}:${seconds}` : `${minutes}:${seconds}`;
}

const grouped = (n: number) => Math.round(n).toLocaleString('en-US');

/** `[#########-----------]  45.0%  4,500/10,000 msgs  450,000 events  41,230 events/s  ETA 0:13` */
export function formatReplayProgress(progress: ReplayProgress, barWidth = 24): string {
  const fraction = progress.fraction ?? 1;
  const filled = Math.round(fraction * barWidth);
  const bar = `[${'#'.repeat(filled)}${'-'.repeat(barWidth - filled)}]`;
  const percent = `${(fraction * 100).toFixed(1).padStart(5)}%`;
  const eta = progress.etaMs === undefined ? 'ETA --:--' : `ETA ${formatDuration(progress.etaMs)}`;
  return [
    bar,
    percent,
    `${grouped(progress.messagesDone)}/${grouped(progress.messagesTotal)} msgs`,
    `${grouped(progress.records)} events`,
    `${grouped(progress.recordsPerSecond)} events/s`,
    eta,
  ].join('  ');
}
