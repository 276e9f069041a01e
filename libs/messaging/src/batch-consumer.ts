// A long-running JetStream pull consumer that hands messages to a handler in batches. Messages are buffered as
// they arrive; a single worker takes them one at a time into the batch being built (the caller's `add` decodes
// and folds each) and hands a batch to the handler when it is full or as soon as the previous one has finished.
// So the next batch is built while the handler commits the one before (CPU and database overlap), batches grow
// under load (throughput) and shrink to what has arrived when idle (latency), a batch is bounded by records as
// well as messages (memory, and how long a record can wait behind one), and handlers never overlap. Any failure
// tears the consumer down, returns the unsettled messages to the stream (nak) and starts again after a backoff:
// the handler's own idempotence (the projection ledger) makes the redelivery harmless.
import { AckPolicy, DeliverPolicy, JetStreamClient, JetStreamManager, JsMsg, nanos } from 'nats';

export interface BatchConsumerOptions<B> {
  readonly js: JetStreamClient;
  readonly jsm: JetStreamManager;
  readonly stream: string;
  readonly durable: string;
  readonly filterSubject: string;
  /** Most messages per batch. */
  readonly maxBatch: number;
  /** Most weight (usage records) per batch: a batch closes once it reaches this. */
  readonly maxWeight?: number;
  /** Most messages pulled ahead of the worker (the client's buffer); default `maxBatch`. */
  readonly pullMessages?: number;
  /** A new, empty batch. */
  readonly open: () => B;
  /** Takes one message into the batch (synchronously: decode, fold); returns the message's weight. */
  readonly add: (batch: B, message: JsMsg) => number;
  /**
   * Finishes a full batch's work ahead of its turn (serializing what the handler will send), called while the
   * batch before is still being handled, so that work overlaps it rather than delaying the next transaction.
   */
  readonly seal?: (batch: B) => void;
  /** The handler must settle (ack/term) every message of a batch it returns normally for; throwing naks the batch. */
  readonly handle: (batch: B, messages: JsMsg[]) => Promise<void>;
  readonly onError: (error: unknown, attempt: number) => void;
  readonly signal: AbortSignal;
  /** How long the server waits for an ack before redelivering. */
  readonly ackWaitMs?: number;
  /**
   * Most messages delivered and not yet acknowledged, over all instances sharing the durable consumer: what
   * bounds the messages an instance holds (the client pulls again as soon as messages arrive).
   */
  readonly maxAckPending?: number;
}

const BACKOFF_MS = [100, 250, 500, 1_000, 2_000, 5_000];
const PULL_EXPIRES_MS = 5_000;

export async function ensureDurableConsumer(jsm: JetStreamManager, options: Pick<BatchConsumerOptions<unknown>, 'stream' | 'durable' | 'filterSubject' | 'ackWaitMs' | 'maxBatch' | 'maxAckPending'>): Promise<void> {
  const config = {
    durable_name: options.durable,
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
    filter_subject: options.filterSubject,
    ack_wait: nanos(options.ackWaitMs ?? 30_000),
    max_ack_pending: options.maxAckPending ?? Math.max(options.maxBatch * 4, 1_000),
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

interface Building<B> {
  readonly batch: B;
  readonly messages: JsMsg[];
  weight: number;
  sealed?: boolean;
}

export async function runBatchConsumer<B>(options: BatchConsumerOptions<B>): Promise<void> {
  const maxWeight = options.maxWeight ?? Number.POSITIVE_INFINITY;
  let attempt = 0;
  while (!options.signal.aborted) {
    // Pulled and not yet taken into a batch; taken from `head` on (a queue without O(n) shifts).
    let buffer: JsMsg[] = [];
    let head = 0;
    let building: Building<B> | undefined;
    // The batch being handled: at most one at a time.
    let inFlight: { messages: JsMsg[]; done: boolean; error?: unknown } | undefined;
    let wake: () => void = () => undefined;
    let closed = false;
    const unsettled = () => [...(inFlight?.messages ?? []), ...(building?.messages ?? []), ...buffer.slice(head)];
    try {
      await ensureDurableConsumer(options.jsm, options);
      const consumer = await options.js.consumers.get(options.stream, options.durable);
      const messages = await consumer.consume({
        max_messages: options.pullMessages ?? options.maxBatch,
        // A pull request lives on the consumer's leader. When that server dies (a cluster node lost), the request
        // dies with it and the client notices only when two idle heartbeats (expires / 2 apart) go missing: 5 s
        // keeps that stall to about 5 s; the default 30 s would idle this instance for 30 s.
        expires: PULL_EXPIRES_MS,
        // Only buffers: the callback is synchronous, the single worker below does the work.
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
      const full = (b: Building<B>) => b.messages.length >= options.maxBatch || b.weight >= maxWeight;
      try {
        while (!options.signal.aborted && !closed) {
          // Take what has arrived into the batch being built, up to its bounds.
          // Stops early when the batch in flight has finished: the database is idle, and the next batch goes now.
          while (head < buffer.length && !(building && (full(building) || inFlight?.done))) {
            const message = buffer[head];
            buffer[head++] = undefined as unknown as JsMsg; // taken: the batch holds it now, not the queue
            building ??= { batch: options.open(), messages: [], weight: 0 };
            building.messages.push(message);
            building.weight += options.add(building.batch, message);
            // While a batch is in its transaction, let its database replies through between messages, so the
            // database never waits for this loop to finish building the next batch.
            if (inFlight && !inFlight.done) await yieldToEventLoop();
          }
          if (building && !building.sealed && full(building) && inFlight && !inFlight.done && options.seal) {
            options.seal(building.batch);
            building.sealed = true;
          }
          if (head > 64 && head * 2 > buffer.length) {
            buffer = buffer.slice(head);
            head = 0;
          }
          if (inFlight?.done) {
            const failed = inFlight;
            inFlight = undefined;
            if (failed.error !== undefined) throw failed.error;
            attempt = 0;
          }
          if (!inFlight && building) {
            const batch = building;
            building = undefined;
            const handling: { messages: JsMsg[]; done: boolean; error?: unknown } = { messages: batch.messages, done: false };
            inFlight = handling;
            options.handle(batch.batch, batch.messages).then(
              () => undefined,
              (error: unknown) => (handling.error = error ?? new Error('batch handler failed')),
            ).finally(() => {
              handling.done = true;
              wake();
            });
            continue;
          }
          // Wait for a message (unless the next batch is full already) or for the batch in flight to finish.
          await new Promise<void>((resolve) => {
            wake = resolve;
            const more = head < buffer.length && !(building && full(building));
            if (more || inFlight?.done || closed || options.signal.aborted) resolve();
          });
          wake = () => undefined;
        }
      } finally {
        options.signal.removeEventListener('abort', stop);
        messages.stop();
        // Let the batch in flight finish (it commits and acks, or fails and is naked below).
        while (inFlight && !inFlight.done) {
          await new Promise<void>((resolve) => {
            wake = resolve;
            if (inFlight?.done) resolve();
          });
        }
        if (inFlight?.error !== undefined) {
          const { error } = inFlight;
          inFlight = undefined;
          // eslint-disable-next-line no-unsafe-finally
          if (!options.signal.aborted) throw error;
        }
        inFlight = undefined;
      }
      // The subscription ended without an error (shutdown, or the server dropped it): hand back what is left.
      for (const message of unsettled()) message.nak();
    } catch (error) {
      const left = unsettled();
      if (options.signal.aborted) {
        for (const message of left) message.nak();
        break;
      }
      options.onError(error, ++attempt);
      const delay = BACKOFF_MS[Math.min(attempt - 1, BACKOFF_MS.length - 1)];
      // Give the messages back now rather than after ack_wait, with a delay so a broken dependency is not hammered.
      // (A message the handler already settled ignores the nak.)
      for (const message of left) message.nak(delay);
      await sleep(delay, options.signal);
    }
  }
}

function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
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
