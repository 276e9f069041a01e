// Usage events as ingest would have published them, built directly (no HTTP), for the message-layer ceiling
// and the projection backlog. Records are what acceptGeneration makes of a random generation, built without
// its decimal parsing so that a million of them take seconds, not minutes (checked against it in the ceiling).
import { isDeepStrictEqual } from 'node:util';
import { Catalog, DEFAULT_CATALOG, USAGE_EVENT_VERSION, UsageRecord, UsageRecorded, acceptGeneration } from '@mai/domain';

const MODELS = DEFAULT_CATALOG;
const THREE_DAYS_MS = 3 * 86_400_000;

/** A record happening within the last three days in UTC, with costs up to 0.05 USD at pico-dollar precision. */
export function benchRecord(random: () => number, generationId: string, now: number): UsageRecord {
  const model = MODELS[Math.floor(random() * MODELS.length)];
  const occurredAt = new Date(now - Math.floor(random() * THREE_DAYS_MS)).toISOString();
  const cost = (Math.floor(random() * 50_000_000_000) / 1e12).toFixed(12).replace(/\.?0+$/, '');
  return {
    generationId,
    model: model.id,
    provider: model.provider,
    rawCostUsd: cost === '' ? '0' : cost,
    markupRate: '1.3',
    promptTokens: Math.floor(random() * 4000),
    completionTokens: Math.floor(random() * 1000),
    occurredAt,
    usageDay: occurredAt.slice(0, 10),
    user: `user-${Math.floor(random() * 20)}`,
  };
}

export function usageEvent(orgId: string, deliveryId: string, records: readonly UsageRecord[], receivedAt = new Date().toISOString()): UsageRecorded {
  return {
    type: 'UsageRecorded',
    version: USAGE_EVENT_VERSION,
    data: { orgId, timeZone: 'UTC', records },
    metadata: { source: 'webhook', deliveryId, receivedAt },
  };
}

/** Throws unless ingest's own acceptance rules turn the equivalent webhook record into exactly `record`. */
export function assertAsIngestWouldRecord(record: UsageRecord): void {
  const accepted = acceptGeneration(
    {
      id: record.generationId,
      model: record.model,
      totalCost: record.rawCostUsd,
      promptTokens: record.promptTokens,
      completionTokens: record.completionTokens,
      createdAt: record.occurredAt,
      user: record.user ?? undefined,
    },
    { catalog: new Catalog(DEFAULT_CATALOG), markup: [{ effectiveFrom: '2000-01-01T00:00:00.000Z', rate: '1.3' }], timeZone: 'UTC', now: new Date() },
  );
  if (!accepted.ok || !isDeepStrictEqual({ ...accepted.record }, { ...record })) {
    throw new Error(`bench records drifted from what ingest records: ${JSON.stringify(accepted)} vs ${JSON.stringify(record)}`);
  }
}
