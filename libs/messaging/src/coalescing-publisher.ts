// JetStream publishes made during one turn of the event loop, sent to the server in one socket write.
//
// nats.js queues a command in its outbound buffer and flushes that buffer in a microtask. A service that
// publishes once per HTTP request publishes from a different I/O callback each time, so every publish got a
// write(2) of its own — on loopback the kernel also runs the receiving side of TCP on the sender's CPU, and these
// writes were the largest single cost of a one-record webhook (~19 % of ingest's CPU). Held until setImmediate
// (the check phase, right after the poll phase that read the requests) and then handed to js.publish in one
// synchronous loop, the publishes of every request read in that turn share one flush. Each is still its own
// js.publish with its own message id, headers, timeout and PubAck; the wait added is at most that one turn.
import type { JetStreamClient, JetStreamPublishOptions, PubAck } from 'nats';

export type JetStreamPublisher = Pick<JetStreamClient, 'publish'>;

interface Queued {
  readonly subject: string;
  readonly payload: Uint8Array;
  readonly options: Partial<JetStreamPublishOptions> | undefined;
  readonly resolve: (ack: PubAck) => void;
  readonly reject: (error: unknown) => void;
}

export class CoalescingPublisher implements JetStreamPublisher {
  private queue: Queued[] = [];
  private scheduled = false;

  constructor(private readonly js: JetStreamPublisher) {}

  publish(subject: string, payload?: Uint8Array, options?: Partial<JetStreamPublishOptions>): Promise<PubAck> {
    return new Promise<PubAck>((resolve, reject) => {
      this.queue.push({ subject, payload: payload ?? EMPTY, options, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(this.flush);
      }
    });
  }

  private readonly flush = (): void => {
    const batch = this.queue;
    this.queue = [];
    this.scheduled = false;
    for (const queued of batch) {
      try {
        this.js.publish(queued.subject, queued.payload, queued.options).then(queued.resolve, queued.reject);
      } catch (error) {
        queued.reject(error);
      }
    }
  };
}

const EMPTY = new Uint8Array(0);
