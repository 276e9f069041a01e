// The one path by which usage enters the log, whichever receiver it came through (signed webhook or OTLP):
// apply the business rules to every record, reject the whole delivery if any record fails (or, for OTLP,
// leave the failing records out and report them), and publish the rest to JetStream, answering only after
// the stream has acknowledged it.
import { Inject, Injectable } from '@nestjs/common';
import { ServiceConfig, subjectsFor } from '@mai/config';
import { GenerationInput, UsageRecord, UsageRecorded, UsageSource, USAGE_EVENT_VERSION, acceptGeneration } from '@mai/domain';
import { CoalescingPublisher, NatsLink, publishUsageEvent } from '@mai/messaging';
import { NatsConnection, PricingClient, SERVICE_CONFIG } from '@mai/platform';
import { ingestMetrics } from './ingest-metrics';

export interface IntakeIssue {
  readonly index: number;
  readonly field: string;
  readonly message: string;
}

export type IntakeResult =
  | { kind: 'accepted'; accepted: number; duplicates: number; rejected: IntakeIssue[] }
  | { kind: 'rejected'; error: string; details: IntakeIssue[] };

/** The stream or pricing cannot be reached: nothing was stored, the sender should retry (503). */
export class IntakeUnavailableError extends Error {}
/** Too many publishes are waiting for acknowledgement: the sender should back off (429). */
export class IntakeOverloadedError extends Error {}

export interface Delivery {
  readonly orgId: string;
  readonly timeZone: string;
  readonly source: UsageSource;
  /** Stable across retries of the same delivery (webhook-id, or a hash of the OTLP body). */
  readonly deliveryId: string;
  readonly inputs: readonly GenerationInput[];
  /**
   * 'all-or-nothing' (default, the webhook): one invalid record rejects the whole delivery. 'partial' (OTLP,
   * whose answer can report rejected spans): invalid records are left out and listed in `rejected`.
   */
  readonly acceptance?: 'all-or-nothing' | 'partial';
}

/** Enough to keep two cores busy; beyond it, waiting adds latency without adding throughput. */
const MAX_IN_FLIGHT_PUBLISHES = 2_000;
const PUBLISH_TIMEOUT_MS = 5_000;

@Injectable()
export class UsageIntake {
  private inFlight = 0;
  private readonly subjects;
  /** The JetStream client of the current connection, made once (not per delivery), behind the write coalescing. */
  private publisher?: { readonly link: NatsLink; readonly js: CoalescingPublisher };

  constructor(
    @Inject(SERVICE_CONFIG) private readonly config: ServiceConfig,
    private readonly nats: NatsConnection,
    private readonly pricing: PricingClient,
  ) {
    this.subjects = subjectsFor(config);
  }

  async submit(delivery: Delivery, now = new Date()): Promise<IntakeResult> {
    const link = this.nats.current();
    if (!link || !link.isConnected()) throw new IntakeUnavailableError('the usage stream is unreachable');
    let pricing;
    try {
      pricing = await this.pricing.current();
    } catch (error) {
      throw new IntakeUnavailableError(`the model catalog is unavailable: ${(error as Error).message}`);
    }

    const records: UsageRecord[] = [];
    const details: IntakeIssue[] = [];
    const context = { catalog: pricing.catalog, markup: pricing.markup, timeZone: delivery.timeZone, now };
    delivery.inputs.forEach((input, index) => {
      const result = acceptGeneration(input, context);
      if (result.ok) records.push(result.record);
      else details.push(...result.issues.map((issue) => ({ index, ...issue })));
    });
    const partial = delivery.acceptance === 'partial';
    if (details.length > 0 && !partial) {
      ingestMetrics.records.inc({ source: delivery.source, outcome: 'rejected' }, delivery.inputs.length);
      const invalid = new Set(details.map((d) => d.index)).size;
      return { kind: 'rejected', error: `${invalid} of ${delivery.inputs.length} records are invalid; nothing was accepted`, details };
    }
    if (details.length > 0) ingestMetrics.records.inc({ source: delivery.source, outcome: 'rejected' }, delivery.inputs.length - records.length);
    if (records.length === 0) return { kind: 'accepted', accepted: 0, duplicates: 0, rejected: details };

    // The same generation twice in one delivery: the first stands, the rest are duplicates.
    const seen = new Set<string>();
    const unique = records.filter((record) => !seen.has(record.generationId) && seen.add(record.generationId));
    const repeated = records.length - unique.length;

    if (this.inFlight >= MAX_IN_FLIGHT_PUBLISHES) throw new IntakeOverloadedError('too many deliveries are waiting to be stored');
    const event: UsageRecorded = {
      type: 'UsageRecorded',
      version: USAGE_EVENT_VERSION,
      data: { orgId: delivery.orgId, timeZone: delivery.timeZone, records: unique },
      metadata: { source: delivery.source, deliveryId: delivery.deliveryId, receivedAt: now.toISOString() },
    };
    this.inFlight++;
    ingestMetrics.inFlight.inc();
    const stopTimer = ingestMetrics.publishSeconds.startTimer();
    try {
      const outcome = await publishUsageEvent(
        this.publisherFor(link),
        {
          subject: this.subjects.usageRecorded(delivery.orgId),
          streamName: this.config.usageStream,
          maxPayload: link.connection.info?.max_payload ?? 1024 * 1024,
          timeoutMs: PUBLISH_TIMEOUT_MS,
        },
        event,
      );
      ingestMetrics.records.inc({ source: delivery.source, outcome: 'accepted' }, outcome.stored);
      ingestMetrics.records.inc({ source: delivery.source, outcome: 'duplicate' }, outcome.duplicates + repeated);
      return { kind: 'accepted', accepted: outcome.stored, duplicates: outcome.duplicates + repeated, rejected: details };
    } catch (error) {
      throw new IntakeUnavailableError((error as Error).message);
    } finally {
      stopTimer();
      this.inFlight--;
      ingestMetrics.inFlight.dec();
    }
  }

  private publisherFor(link: NatsLink): CoalescingPublisher {
    if (this.publisher?.link !== link) this.publisher = { link, js: new CoalescingPublisher(link.connection.jetstream()) };
    return this.publisher.js;
  }
}
