// Watching a projection catch up with the stream, from JetStream's side: the durable consumer's ack floor
// (the aggregator acks only after the batch's transaction committed) against the stream's last sequence.
import { JetStreamManager } from 'nats';
import { progress } from './progress';

export interface CatchUp {
  /** Epoch ms of the first poll that saw the consumer acknowledge anything, and the sequence it had reached. */
  readonly firstAckAt: number;
  readonly firstAckSeq: number;
  /** Epoch ms of the first poll that saw every message of the stream acknowledged. */
  readonly doneAt: number;
  readonly lastSeq: number;
  /** False when the time ran out first (only with allowIncomplete); doneAt is then the time of giving up. */
  readonly complete: boolean;
}

export async function waitForConsumer(
  jsm: JetStreamManager,
  stream: string,
  durable: string,
  options: { timeoutMs: number; label: string; pollMs?: number; onFirstAck?: () => void; allowIncomplete?: boolean },
): Promise<CatchUp> {
  const deadline = Date.now() + options.timeoutMs;
  const lastSeq = (await jsm.streams.info(stream)).state.last_seq;
  let firstAckAt = 0;
  let firstAckSeq = 0;
  let lastReport = Date.now();
  while (Date.now() < deadline) {
    const info = await jsm.consumers.info(stream, durable).catch(() => undefined);
    const now = Date.now();
    const floor = info?.ack_floor.stream_seq ?? 0;
    if (floor > 0 && firstAckAt === 0) {
      firstAckAt = now;
      firstAckSeq = floor;
      options.onFirstAck?.();
    }
    if (info && floor >= lastSeq && info.num_pending === 0 && info.num_ack_pending === 0) return { firstAckAt: firstAckAt || now, firstAckSeq, doneAt: now, lastSeq, complete: true };
    if (now - lastReport >= 5_000) {
      progress(`${options.label}: ${floor} of ${lastSeq} messages projected`);
      lastReport = now;
    }
    await new Promise((r) => setTimeout(r, options.pollMs ?? 100));
  }
  if (options.allowIncomplete) {
    progress(`${options.label}: NOT caught up with ${lastSeq} messages within ${options.timeoutMs / 1000} s; going on`);
    return { firstAckAt, firstAckSeq, doneAt: Date.now(), lastSeq, complete: false };
  }
  throw new Error(`${options.label}: the projection did not catch up with ${lastSeq} messages within ${options.timeoutMs} ms`);
}
