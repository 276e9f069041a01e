// Accepting a generation record: the business rules that turn what a caller sent into a UsageRecord,
// or into field-level reasons why not. Shape and type checks happen at the edge; these rules need the
// catalog, the markup schedule, the org's time zone and the clock, all passed in.
import { Catalog } from './catalog';
import { dayInZone, parseRfc3339 } from './calendar';
import { MarkupSchedule, markupRateAt } from './markup';
import { parseRawCost } from './money';
import { UsageRecord, isStorableText } from './usage-event';

export const MAX_RECORD_AGE_DAYS = 35;
export const MAX_CLOCK_SKEW_MS = 5 * 60 * 1000;

/** A generation as received, after type checks, in the receiver-neutral form. */
export interface GenerationInput {
  readonly id: string;
  readonly model: string;
  readonly providerName?: string;
  readonly totalCost: unknown;
  readonly promptTokens: number;
  readonly completionTokens: number;
  readonly createdAt: string;
  readonly user?: string;
}

export interface FieldIssue {
  readonly field: string;
  readonly message: string;
}

export interface AcceptanceContext {
  readonly catalog: Catalog;
  readonly markup: MarkupSchedule;
  readonly timeZone: string;
  readonly now: Date;
}

export type AcceptanceResult = { ok: true; record: UsageRecord } | { ok: false; issues: FieldIssue[] };

/** Is an occurrence time inside the accepted window: at most 35 days old and at most 5 minutes ahead? */
export function occurrenceWindowIssue(occurredAt: Date, now: Date): string | undefined {
  const ageMs = now.getTime() - occurredAt.getTime();
  if (ageMs > MAX_RECORD_AGE_DAYS * 86_400_000) return `is more than ${MAX_RECORD_AGE_DAYS} days old`;
  if (-ageMs > MAX_CLOCK_SKEW_MS) return 'is more than 5 minutes in the future';
  return undefined;
}

export function acceptGeneration(input: GenerationInput, context: AcceptanceContext): AcceptanceResult {
  const issues: FieldIssue[] = [];
  const text: [string, string | undefined][] = [['id', input.id], ['provider_name', input.providerName], ['user', input.user]];
  for (const [field, value] of text) {
    if (value !== undefined && !isStorableText(value)) issues.push({ field, message: 'must not contain NUL characters or unpaired surrogates' });
  }
  const model = context.catalog.find(input.model);
  if (!model) issues.push({ field: 'model', message: `unknown model "${input.model.slice(0, 140)}": not in the catalog` });

  const cost = parseRawCost(input.totalCost);
  if (!cost.ok) issues.push({ field: 'total_cost', message: cost.reason });

  const occurredAt = parseRfc3339(input.createdAt);
  if (!occurredAt) {
    issues.push({ field: 'created_at', message: 'must be an RFC 3339 timestamp with a zone, e.g. 2026-12-04T10:15:00Z' });
  } else {
    const windowIssue = occurrenceWindowIssue(occurredAt, context.now);
    if (windowIssue) issues.push({ field: 'created_at', message: windowIssue });
  }

  if (issues.length > 0 || !model || !cost.ok || !occurredAt) return { ok: false, issues };
  return {
    ok: true,
    record: {
      generationId: input.id,
      model: model.id,
      provider: input.providerName ?? model.provider,
      rawCostUsd: cost.usd.toString(),
      markupRate: markupRateAt(context.markup, occurredAt).toString(),
      promptTokens: input.promptTokens,
      completionTokens: input.completionTokens,
      occurredAt: occurredAt.toISOString(),
      usageDay: dayInZone(occurredAt, context.timeZone),
      user: input.user ?? null,
    },
  };
}
