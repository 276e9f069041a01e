// Publishes usage events to JetStream and reports only what the stream acknowledged.
import { headers } from 'nats';
import { UsageRecord, UsageRecorded, encodeUsageEvent } from '@mai/domain';
import type { JetStreamPublisher } from './coalescing-publisher';

export interface PublishOutcome {
  /** Records in messages the stream stored now. */
  readonly stored: number;
  /** Records in messages the stream already had (same Nats-Msg-Id inside the duplicate window). */
  readonly duplicates: number;
}

export class StreamUnavailableError extends Error {}

/**
 * Publishes one event, split into several messages only when it would exceed the server's max payload.
 * Message ids derive from the delivery id, so a retried delivery maps to the same ids and is dropped.
 */
export async function publishUsageEvent(
  js: JetStreamPublisher,
  options: { subject: string; streamName: string; maxPayload: number; timeoutMs: number },
  event: UsageRecorded,
): Promise<PublishOutcome> {
  const parts = splitToFit(event, options.maxPayload - 1024);
  const acks = await Promise.all(
    parts.map(async (part, index) => {
      const msgID = parts.length === 1 ? `${event.data.orgId}:${event.metadata.deliveryId}` : `${event.data.orgId}:${event.metadata.deliveryId}#${index + 1}/${parts.length}`;
      const h = headers();
      h.set('Usage-Event-Version', String(event.version));
      try {
        const ack = await js.publish(options.subject, part.payload, {
          msgID,
          headers: h,
          expect: { streamName: options.streamName },
          timeout: options.timeoutMs,
        });
        return { records: part.records, duplicate: ack.duplicate };
      } catch (error) {
        throw new StreamUnavailableError(`the usage stream did not acknowledge the publish: ${(error as Error).message}`);
      }
    }),
  );
  return acks.reduce(
    (sum, ack) => (ack.duplicate ? { ...sum, duplicates: sum.duplicates + ack.records } : { ...sum, stored: sum.stored + ack.records }),
    { stored: 0, duplicates: 0 },
  );
}

function splitToFit(event: UsageRecorded, limit: number): { payload: Uint8Array; records: number }[] {
  const payload = encodeUsageEvent(event);
  if (payload.byteLength <= limit || event.data.records.length === 1) return [{ payload, records: event.data.records.length }];
  const half = Math.ceil(event.data.records.length / 2);
  const withRecords = (records: readonly UsageRecord[]): UsageRecorded => ({ ...event, data: { ...event.data, records } });
  return [...splitToFit(withRecords(event.data.records.slice(0, half)), limit), ...splitToFit(withRecords(event.data.records.slice(half)), limit)];
}
