// A long-running JetStream pull consumer that hands messages to a handler in batches. Messages are buffered
// as they arrive and drained by a single worker, so batches grow under load (throughput) and shrink to one
// message when idle (latency), and handlers never overlap. Any failure tears the consumer down, returns the
// unprocessed messages to the stream (nak) and starts again after a backoff: the handler's own idempotence
// (the projection ledger) makes the redelivery harmless.
import { AckPolicy, DeliverPolicy, JetStreamClient, JetStreamManager, JsMsg, nanos } from 'nats';

export interface BatchConsumerOptions {
  readonly js: JetStreamClient;
  readonly jsm: JetStreamManager;
  readonly stream: string;
  readonly durable: string;
  readonly filterSubject: string;
  readonly maxBatch: number;
  /** The handler must settle (ack/term) every message it returns normally for; throwing naks the batch. */
  readonly handle: (messages: JsMsg[]) => Promise<void>;
  readonly onError: (error: unknown, attempt: number) => void;
  readonly signal: AbortSignal;
  /** How long the server waits for an ack before redelivering. */
  readonly ackWaitMs?: number;
}

const BACKOFF_MS = [100, 250, 500, 1_000, 2_000, 5_000];
const PULL_EXPIRES_MS = 5_000;

export async function ensureDurableConsumer(jsm: JetStreamManager, options: Pick<BatchConsumerOptions, 'stream' | 'durable' | 'filterSubject' | 'ackWaitMs' | 'maxBatch'>): Promise<void> {
  const config = {
    durable_name: options.durable,
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
    filter_subject: options.filterSubject,
    ack_wait: nanos(options.ackWaitMs ?? 30_000),
    max_ack_pending: Math.max(options.maxBatch * 4, 1_000),
    max_deliver: -1,
  };
  try {
    await jsm.consumers.info(options.stream, options.durable);
    await jsm.consumers.update(options.stream, options.durable, { ack_wait: config.ack_wait, max_ack_pending: config.max_ack_pending });
  } catch (error) {
    if (!/consumer not found/i.test(String((error as Error).message))) throw error;
    await jsm.consumers.add(options.stream, config);
  }
}

export async function runBatchConsumer(options: BatchConsumerOptions): Promise<void> {
  let attempt = 0;
  while (!options.signal.aborted) {
    const buffer: JsMsg[] = [];
    let wake: () => void = () => undefined;
    let closed = false;
    try {
      await ensureDurableConsumer(options.jsm, options);
      const consumer = await options.js.consumers.get(options.stream, options.durable);
      const messages = await consumer.consume({
        max_messages: options.maxBatch * 2,
        // A pull request lives on the consumer's leader. When that server dies (a cluster node lost), the request
        // dies with it and the client notices only when two idle heartbeats (expires / 2 apart) go missing: 5 s
        // keeps that stall to about 5 s; the default 30 s would idle this instance for 30 s.
        expires: PULL_EXPIRES_MS,
        // Only buffers: the callback is synchronous, the single worker below does the async work.
        callback: (message) => {
          buffer.push(message);
          wake();
        },
      });
      void messages.closed().then(() => {
        closed = true;
        wake();
      });
      const stop = () => messages.stop();
      options.signal.addEventListener('abort', stop, { once: true });
      try {
        while (!options.signal.aborted && !closed) {
          if (buffer.length === 0) {
            await new Promise<void>((resolve) => {
              wake = resolve;
              if (buffer.length > 0 || closed || options.signal.aborted) resolve();
            });
            wake = () => undefined;
            continue;
          }
          const batch = buffer.splice(0, options.maxBatch);
          try {
            await options.handle(batch);
          } catch (error) {
            buffer.unshift(...batch);
            throw error;
          }
          attempt = 0;
        }
      } finally {
        options.signal.removeEventListener('abort', stop);
        messages.stop();
      }
      // The subscription ended without an error (shutdown, or the server dropped it): hand back what is left.
      for (const message of buffer.splice(0)) message.nak();
    } catch (error) {
      if (options.signal.aborted) break;
      options.onError(error, ++attempt);
      const delay = BACKOFF_MS[Math.min(attempt - 1, BACKOFF_MS.length - 1)];
      // Give the messages back now rather than after ack_wait, with a delay so a broken dependency is not hammered.
      for (const message of buffer.splice(0)) message.nak(delay);
      await sleep(delay, options.signal);
    }
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    }, { once: true });
  });
}
