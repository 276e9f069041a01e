// Receiving one OTLP export for an org: read the generation spans, pass them through the shared usage intake
// in partial mode (spans that break a business rule are left out, like spans that lack a model, tokens or
// cost), and say which spans were not counted. Infrastructure errors from the intake propagate (503/429).
import { Injectable } from '@nestjs/common';
import { createLogger } from '@mai/platform';
import { UsageIntake } from '../intake/usage-intake';
import { ingestMetrics } from '../intake/ingest-metrics';
import { RejectedSpan, readOtlpTraces } from './otlp-spans';
import { otlpDeliveryId } from './otlp-body';

export type TraceIntakeResult =
  | { kind: 'stored'; accepted: number; duplicates: number; rejected: RejectedSpan[] }
  | { kind: 'malformed'; error: string };

/** The domain names fields as the webhook does; a span's sender knows them by these names. */
const SPAN_FIELD: Record<string, string> = { model: 'model', total_cost: 'cost', created_at: 'span start time' };

const log = createLogger('ingest').child({ component: 'otlp' });

@Injectable()
export class TraceIntake {
  constructor(private readonly intake: UsageIntake) {}

  async receive(organization: { orgId: string; timeZone: string }, body: Buffer): Promise<TraceIntakeResult> {
    let parsed: unknown;
    try {
      // An empty export (OpenRouter's connection test sends one) is a request with no spans.
      const text = body.toString('utf8');
      parsed = text.trim() === '' ? {} : JSON.parse(text);
    } catch (error) {
      return { kind: 'malformed', error: `malformed JSON: ${(error as Error).message}` };
    }
    const read = readOtlpTraces(parsed);
    if (!read.ok) return { kind: 'malformed', error: read.error };
    const { generations, childSpans, childSpansWithoutParent } = read.reading;
    const rejected = [...read.reading.rejected];
    if (rejected.length > 0) ingestMetrics.records.inc({ source: 'otlp', outcome: 'rejected' }, rejected.length);
    if (childSpansWithoutParent > 0) {
      // A caller that links OpenRouter's trace into its own (trace.parent_span_id) gives the generation span a
      // parent we never see; such spans are not counted, and this is the place an operator can notice it.
      log.warn({ orgId: organization.orgId, childSpansWithoutParent }, 'spans with a parent outside the request were not counted as generations');
    }

    let accepted = 0;
    let duplicates = 0;
    if (generations.length > 0) {
      const result = await this.intake.submit({
        orgId: organization.orgId,
        timeZone: organization.timeZone,
        source: 'otlp',
        deliveryId: otlpDeliveryId(body),
        inputs: generations.map((generation) => generation.input),
        acceptance: 'partial',
      });
      const issues = result.kind === 'accepted' ? result.rejected : result.details;
      for (const [index, generation] of generations.entries()) {
        const reasons = issues.filter((issue) => issue.index === index).map((issue) => `${SPAN_FIELD[issue.field] ?? issue.field}: ${issue.message}`);
        if (reasons.length > 0) rejected.push({ traceId: generation.traceId, spanId: generation.spanId, reason: reasons.join('; ') });
      }
      if (result.kind === 'accepted') ({ accepted, duplicates } = result);
    }
    if (rejected.length > 0) {
      log.info({ orgId: organization.orgId, rejectedSpans: rejected.length, firstReason: rejected[0].reason }, 'generation spans rejected');
    }
    log.debug({ orgId: organization.orgId, generations: generations.length, childSpans, accepted, duplicates }, 'otlp export received');
    return { kind: 'stored', accepted, duplicates, rejected };
  }
}
