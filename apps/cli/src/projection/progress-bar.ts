// A replay's progress on stderr: redrawn in place on a terminal, a plain line every few seconds otherwise
// (logs, CI, tests). The figures come from the pure `measureReplay`.
import { RATE_WINDOW_MS, ReplaySample, formatReplayProgress, measureReplay } from '@mai/domain';

export class ProgressBar {
  private readonly start: ReplaySample;
  private samples: ReplaySample[] = [];
  private lastDraw = 0;
  private drawn = false;
  private drawnSeq?: number;

  constructor(
    private readonly label: string,
    private range: { firstSeq: number; headSeq: number },
    private readonly out: NodeJS.WriteStream = process.stderr,
    private readonly now: () => number = Date.now,
  ) {
    this.start = { at: now(), seq: range.firstSeq - 1, records: 0 };
  }

  /** After each batch: the last sequence read, the records read so far, and the head as now known. */
  update(seq: number, records: number, headSeq?: number): void {
    const at = this.now();
    if (headSeq !== undefined && headSeq > this.range.headSeq) this.range = { ...this.range, headSeq };
    this.samples.push({ at, seq, records });
    this.samples = this.samples.filter((sample) => sample.at >= at - RATE_WINDOW_MS * 1.5);
    if (at - this.lastDraw >= (this.out.isTTY ? 200 : 5_000)) this.draw(at);
  }

  /** The final figures, and a line break after an in-place bar. */
  finish(): void {
    const last = this.samples.at(-1)?.seq;
    if (this.out.isTTY || !this.drawn || last !== this.drawnSeq) this.draw(this.now());
    if (this.out.isTTY && this.drawn) this.out.write('\n');
  }

  private draw(at: number): void {
    this.lastDraw = at;
    this.drawn = true;
    this.drawnSeq = this.samples.at(-1)?.seq;
    const line = `${this.label} ${formatReplayProgress(measureReplay(this.range, this.start, this.samples))}`;
    this.out.write(this.out.isTTY ? `\r${line}\u001b[K` : `${line}\n`);
  }
}
