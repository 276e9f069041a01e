// Reads the usage stream in order from a position, for rebuilds and verification. An ephemeral pull consumer
// without acks: nothing durable is left behind (the server forgets it a minute after the reader goes away, even
// after a SIGKILL), and the live aggregator's durable consumer is never touched. Bounded fetches keep memory
// flat however far behind the reader is; a gap in delivery (a message lost on the wire) re-creates the consumer
// from the last message read, as nats.js's ordered consumer does.
import { randomBytes } from 'node:crypto';
import { AckPolicy, Consumer, ConsumerConfig, DeliverPolicy, JetStreamClient, JetStreamManager, JsMsg, NatsConnection, connect, nanos } from 'nats';

export interface StreamStart {
  /** First stream sequence to read (default 1: the whole stream). */
  readonly seq?: number;
  /** Or the first message stored at or after this instant. */
  readonly time?: Date;
}

export interface StreamLink {
  readonly js: JetStreamClient;
  readonly jsm: JetStreamManager;
  close(): Promise<void>;
}

/** The CLI's NATS connection: fails fast when the server is not there, rides out short blips afterwards. */
export async function connectToStreams(natsUrl: string): Promise<StreamLink> {
  let connection: NatsConnection;
  try {
    connection = await connect({ servers: natsUrl.split(','), name: 'mai-usage-cli', timeout: 5_000, maxReconnectAttempts: 30, reconnectTimeWait: 1_000 });
  } catch (error) {
    throw new Error(`cannot reach NATS at ${natsUrl}: ${(error as Error).message}`);
  }
  return {
    js: connection.jetstream(),
    jsm: await connection.jetstreamManager(),
    close: async () => {
      if (!connection.isClosed()) await connection.drain().catch(() => connection.close());
    },
  };
}

export class UsageStreamReader {
  private consumer?: Consumer;
  private consumerName?: string;
  private deliverSeq = 0;
  private last = 0;

  private constructor(
    private readonly link: StreamLink,
    private readonly stream: string,
    private readonly filterSubject: string,
    private readonly start: StreamStart,
  ) {}

  static async open(link: StreamLink, options: { stream: string; filterSubject: string; start: StreamStart }): Promise<UsageStreamReader> {
    const reader = new UsageStreamReader(link, options.stream, options.filterSubject, options.start);
    await reader.createConsumer();
    return reader;
  }

  /** Stream sequence of the last message read; 0 before the first. */
  get lastSeq(): number {
    return this.last;
  }

  /** Messages after the last one read, as the server counts them now. */
  async pending(): Promise<number> {
    const info = await this.link.jsm.consumers.info(this.stream, this.consumerName!);
    if (info.delivered.consumer_seq > this.deliverSeq) {
      // Delivered but never received (a fetch ended while they were on the wire): read them again.
      await this.createConsumer();
      return (await this.link.jsm.consumers.info(this.stream, this.consumerName!)).num_pending;
    }
    return info.num_pending;
  }

  /** Up to `max` messages in stream order; fewer when the stream has fewer, none after `expiresMs` of nothing. */
  async read(max: number, expiresMs = 2_000): Promise<JsMsg[]> {
    const messages: JsMsg[] = [];
    let gap = false;
    const batch = await this.consumer!.fetch({ max_messages: Math.max(1, max), expires: expiresMs });
    for await (const message of batch) {
      if (gap) continue;
      if (message.info.deliverySequence !== this.deliverSeq + 1) {
        gap = true;
        continue;
      }
      this.deliverSeq = message.info.deliverySequence;
      this.last = message.seq;
      messages.push(message);
    }
    if (gap) await this.createConsumer();
    return messages;
  }

  async close(): Promise<void> {
    if (this.consumerName) await this.link.jsm.consumers.delete(this.stream, this.consumerName).catch(() => undefined);
    this.consumerName = undefined;
  }

  private async createConsumer(): Promise<void> {
    await this.close();
    const name = `replay_${randomBytes(6).toString('hex')}`;
    const position: Partial<ConsumerConfig> =
      this.last === 0 && this.start.time
        ? { deliver_policy: DeliverPolicy.StartTime, opt_start_time: this.start.time.toISOString() }
        : { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: this.last > 0 ? this.last + 1 : Math.max(1, this.start.seq ?? 1) };
    await this.link.jsm.consumers.add(this.stream, {
      name,
      ack_policy: AckPolicy.None,
      filter_subject: this.filterSubject,
      inactive_threshold: nanos(60_000),
      mem_storage: true,
      num_replicas: 1,
      ...position,
    });
    this.consumer = await this.link.js.consumers.get(this.stream, name);
    this.consumerName = name;
    this.deliverSeq = 0;
  }
}
