// One dashboard's server-sent-events connection: `event: usage` when its org's numbers changed (bursts
// coalesced), a heartbeat comment so proxies keep it open, and an end no later than the token's expiry.
import type { ServerResponse } from 'node:http';

export const HEARTBEAT_MS = 15_000;
/** Changes this close together become one event: a dashboard refetches once, still well within a second. */
export const COALESCE_MS = 100;
/** Longest life of one connection; the client reconnects (with a fresh token) when it ends. */
export const MAX_STREAM_MS = 60 * 60_000;
/** A client this far behind is not reading; it is dropped instead of buffered without bound. */
const MAX_BUFFERED_BYTES = 64 * 1024;
const RECONNECT_MS = 3_000;

export class UsageEventStream {
  private readonly timers: NodeJS.Timeout[] = [];
  private pending?: NodeJS.Timeout;
  private closed = false;
  private sequence = 0;
  private readonly closeListeners: (() => void)[] = [];

  constructor(
    private readonly response: ServerResponse,
    private readonly orgId: string,
    endsAt: Date,
  ) {
    response.once('close', () => this.close());
    const lifetime = Math.max(0, Math.min(endsAt.getTime() - Date.now(), MAX_STREAM_MS));
    this.timers.push(setTimeout(() => this.close(), lifetime));
    this.timers.push(setInterval(() => this.write(': heartbeat\n\n'), HEARTBEAT_MS));
  }

  open(): void {
    this.response.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-store',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no', // no proxy buffering: events must arrive as they happen
    });
    this.response.socket?.setNoDelay(true);
    this.write(`retry: ${RECONNECT_MS}\n: connected\n\n`);
  }

  /** The org's numbers changed: tell the dashboard (once per burst). */
  usageChanged(): void {
    if (this.closed || this.pending) return;
    this.pending = setTimeout(() => {
      this.pending = undefined;
      this.sequence += 1;
      this.write(`id: ${this.sequence}\nevent: usage\ndata: ${JSON.stringify({ org: this.orgId, at: new Date().toISOString() })}\n\n`);
    }, COALESCE_MS);
  }

  onClose(listener: () => void): void {
    if (this.closed) listener();
    else this.closeListeners.push(listener);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const timer of this.timers) clearTimeout(timer);
    if (this.pending) clearTimeout(this.pending);
    if (!this.response.writableEnded) this.response.end();
    for (const listener of this.closeListeners.splice(0)) listener();
  }

  private write(chunk: string): void {
    if (this.closed) return;
    if (this.response.writableLength > MAX_BUFFERED_BYTES) {
      this.response.destroy();
      this.close();
      return;
    }
    this.response.write(chunk);
  }
}
