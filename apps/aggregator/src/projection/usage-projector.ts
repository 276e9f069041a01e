// Consumes the USAGE stream and projects it into the daily tables, one transaction per batch, acking only
// after the commit. Poison messages are parked on the dead-letter subject and never block the stream.
import { hostname } from 'node:os';
import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { JsMsg, headers as natsHeaders } from 'nats';
import { ServiceConfig, subjectsFor } from '@mai/config';
import { decodeUsageEvent } from '@mai/domain';
import { runBatchConsumer } from '@mai/messaging';
import { BatchOutcome, StreamedUsageEvent, UsageBatch, UsageProjectionWriter } from '@mai/persistence';
import { NatsConnection, PostgresConnection, SERVICE_CONFIG, createLogger } from '@mai/platform';
import { aggregatorMetrics } from './aggregator-metrics';
import { faultInjector } from './fault-injection';

/** The durable consumer's name; a second name replays the whole stream independently (e.g. into a fresh database). */
export const PROJECTOR_DURABLE = process.env.AGGREGATOR_DURABLE || 'aggregator';
/**
 * Names this instance's checkpoint row (instances sharing the durable consumer each advance their own, so
 * they never wait on one row). The pod name in Kubernetes; host and pid where several run on one host.
 */
export const PROJECTOR_INSTANCE = process.env.AGGREGATOR_INSTANCE || `${hostname()}:${process.pid}`;
const MAX_BATCH = Number(process.env.AGGREGATOR_MAX_BATCH ?? 1000);
/**
 * Most usage records per batch (one transaction), whatever the messages carry: bounds the memory a batch holds
 * and how long a record waits behind the batch ahead of it (~10 000 records commit in a few hundred ms).
 */
const MAX_RECORDS = Number(process.env.AGGREGATOR_MAX_RECORDS ?? 10_000);
/**
 * Messages delivered and not yet acknowledged (the stream's flow control): what this process buffers at most,
 * ~8 MB of 100-record messages at 300, i.e. three 10 000-record batches (the one in flight, the one being built
 * and one more). Shared by all instances on the durable consumer. (The client pulls again as soon as messages
 * arrive, so nothing else bounds the buffer.)
 */
const MAX_ACK_PENDING = Number(process.env.AGGREGATOR_MAX_ACK_PENDING ?? 300);
/**
 * How long the server waits for an ack before redelivering: the time a crashed instance's in-flight batch
 * waits before another instance takes it. Batches commit in milliseconds, so 10 s is ample headroom.
 */
const ACK_WAIT_MS = Number(process.env.AGGREGATOR_ACK_WAIT_MS ?? 10_000);

@Injectable()
export class UsageProjector implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = createLogger('aggregator').child({ component: 'projector' });
  private readonly stop = new AbortController();
  private readonly subjects;
  private readonly injectFault = faultInjector();
  private batches = 0;
  private running?: Promise<void>;

  constructor(
    @Inject(SERVICE_CONFIG) private readonly config: ServiceConfig,
    private readonly postgres: PostgresConnection,
    private readonly nats: NatsConnection,
  ) {
    this.subjects = subjectsFor(config);
  }

  onApplicationBootstrap(): void {
    this.running = this.run();
  }

  private async run(): Promise<void> {
    await this.postgres.whenReady();
    const { js, jsm } = await this.nats.jetstream();
    const writer = new UsageProjectionWriter(this.postgres.pool, undefined, PROJECTOR_INSTANCE);
    const forgotten = await writer.forgetIdleInstances().catch(() => 0);
    this.log.info({ stream: this.config.usageStream, durable: PROJECTOR_DURABLE, instance: PROJECTOR_INSTANCE, forgotten, maxBatch: MAX_BATCH }, 'projecting usage');
    await runBatchConsumer({
      js,
      jsm,
      stream: this.config.usageStream,
      durable: PROJECTOR_DURABLE,
      filterSubject: this.subjects.usageRecordedAll,
      maxBatch: MAX_BATCH,
      maxWeight: MAX_RECORDS,
      pullMessages: Math.max(1, Math.min(MAX_BATCH, Math.floor(MAX_ACK_PENDING / 2))),
      maxAckPending: MAX_ACK_PENDING,
      ackWaitMs: ACK_WAIT_MS,
      signal: this.stop.signal,
      onError: (error, attempt) => {
        aggregatorMetrics.failures.inc();
        this.log.error({ err: error, attempt }, 'batch failed; messages returned to the stream');
      },
      // Decoding, deduplicating, fingerprinting and folding happen here, message by message, while the batch
      // before is in its transaction.
      open: () => new PendingBatch(),
      add: (batch, message) => batch.add(message),
      seal: (batch) => batch.usage.seal(),
      handle: (batch) => this.project(writer, batch),
    });
  }

  private async project(writer: UsageProjectionWriter, batch: PendingBatch): Promise<void> {
    const stopTimer = aggregatorMetrics.batchSeconds.startTimer();
    const batchNumber = ++this.batches;
    for (const { message, reason } of batch.poison) await this.deadLetter(message, reason);
    const settled = batch.messages;
    let outcome: BatchOutcome;
    let parked = new Set<JsMsg>();
    try {
      outcome = await writer.applyBatch(batch.usage, () => this.injectFault('crash-before-commit', batchNumber));
    } catch (error) {
      // A record Postgres refuses would fail every batch that carries it, forever: find the messages it refuses
      // by projecting them one at a time, and park those. Anything else (a lost connection, a timeout) goes back
      // to the consumer loop, which returns the batch to the stream and backs off.
      if (!isRefusedContent(error)) throw error;
      ({ outcome, parked } = await this.projectOneByOne(writer, batch.usage.events, settled));
    }
    this.injectFault('crash-after-commit', batchNumber);
    for (const message of settled) if (!parked.has(message)) message.ack();

    aggregatorMetrics.batchSize.observe(settled.length + batch.poison.length);
    aggregatorMetrics.records.inc({ outcome: 'projected' }, outcome.projected);
    aggregatorMetrics.records.inc({ outcome: 'duplicate' }, outcome.duplicates);
    if (batch.usage.events.length > 0) aggregatorMetrics.checkpoint.set(batch.usage.maxSeq);
    if (outcome.conflicts.length > 0) {
      aggregatorMetrics.conflicts.inc(outcome.conflicts.length);
      this.log.warn({ conflicts: outcome.conflicts.slice(0, 20), count: outcome.conflicts.length }, 'generation ids re-sent with different fields; the first version stands');
    }
    const connection = this.nats.current()?.connection;
    for (const orgId of outcome.orgsChanged) connection?.publish(this.subjects.projected(orgId));
    stopTimer();
  }

  /** Each message in its own transaction; those Postgres refuses are dead-lettered. `messages[i]` carried `decoded[i]`. */
  private async projectOneByOne(writer: UsageProjectionWriter, decoded: readonly StreamedUsageEvent[], messages: JsMsg[]): Promise<{ outcome: BatchOutcome; parked: Set<JsMsg> }> {
    const parked = new Set<JsMsg>();
    const outcomes: BatchOutcome[] = [];
    for (const [index, entry] of decoded.entries()) {
      try {
        outcomes.push(await writer.applyBatch([entry]));
      } catch (error) {
        if (!isRefusedContent(error)) throw error;
        await this.deadLetter(messages[index], `Postgres refused it: ${(error as Error).message}`);
        parked.add(messages[index]);
      }
    }
    const outcome: BatchOutcome = {
      projected: outcomes.reduce((sum, o) => sum + o.projected, 0),
      duplicates: outcomes.reduce((sum, o) => sum + o.duplicates, 0),
      conflicts: outcomes.flatMap((o) => o.conflicts),
      orgsChanged: [...new Set(outcomes.flatMap((o) => o.orgsChanged))],
    };
    return { outcome, parked };
  }

  private async deadLetter(message: JsMsg, reason: string): Promise<void> {
    const { js } = await this.nats.jetstream();
    const orgToken = message.subject.split('.').pop() ?? 'unknown';
    const h = natsHeaders();
    h.set('Dead-Letter-Reason', reason.slice(0, 512));
    h.set('Original-Subject', message.subject);
    h.set('Original-Stream-Seq', String(message.seq));
    await js.publish(this.subjects.deadLetter(orgToken), message.data, { headers: h, msgID: `dlq:${this.config.usageStream}:${message.seq}` });
    message.term();
    aggregatorMetrics.deadLetters.inc();
    this.log.error({ streamSeq: message.seq, subject: message.subject, reason }, 'poison message parked on the dead-letter subject');
  }

  async onApplicationShutdown(): Promise<void> {
    this.stop.abort();
    await this.running?.catch(() => undefined);
  }
}

/** A batch being built: the decoded events (`messages[i]` carried `usage.events[i]`) and the poison messages. */
class PendingBatch {
  readonly usage = new UsageBatch();
  readonly messages: JsMsg[] = [];
  readonly poison: { message: JsMsg; reason: string }[] = [];

  /** Decodes and takes one message; its weight is the records it carries. */
  add(message: JsMsg): number {
    const result = decodeUsageEvent(message.data);
    if (!result.ok) {
      this.poison.push({ message, reason: result.reason });
      return 1;
    }
    this.usage.add(message.seq, result.event);
    this.messages.push(message);
    return result.event.data.records.length;
  }
}

/** SQLSTATE classes 22 (data exception) and 23 (integrity constraint violation): the content, not the connection. */
function isRefusedContent(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^2[23][0-9A-Z]{3}$/.test(code);
}
