// OpenRouter Broadcast traces (OTLP/JSON) → generation inputs, the receiver-neutral form the signed webhook
// produces too (contract §3b). Each OpenRouter request arrives as one trace: a root span for the generation
// and one child span per provider attempt. Only root spans are usage; children would count attempts twice.
// The exact mapping is documented in docs/OTLP.md.
import { GenerationInput, USAGE_BOUNDS } from '@mai/domain';
import { OtlpKeyValue, Read, SpanAttributes, nanosToInstant } from './otlp-attributes';

/** A root span that maps to a generation; business rules (catalog, time window) are applied later. */
export interface GenerationSpan {
  readonly traceId: string;
  readonly spanId: string;
  readonly input: GenerationInput;
}

/** A root span that cannot be a usage record: reported in OTLP's partialSuccess, counted nowhere. */
export interface RejectedSpan {
  readonly traceId: string;
  readonly spanId: string;
  readonly reason: string;
}

export interface TraceReading {
  readonly generations: GenerationSpan[];
  readonly rejected: RejectedSpan[];
  /** Spans with a parent: provider attempts, never usage. */
  readonly childSpans: number;
  /** Child spans whose parent is not in this request (a trace linked into the caller's own); for the logs. */
  readonly childSpansWithoutParent: number;
}

export type TraceReadResult = { ok: true; reading: TraceReading } | { ok: false; error: string };

/** Attribute keys, in order of preference (see docs/OTLP.md). */
export const OTLP_KEYS = {
  generationId: 'gen_ai.response.id',
  model: ['gen_ai.response.model', 'gen_ai.request.model'],
  inputTokens: ['gen_ai.usage.input_tokens', 'gen_ai.usage.prompt_tokens'],
  outputTokens: ['gen_ai.usage.output_tokens', 'gen_ai.usage.completion_tokens'],
  cost: ['gen_ai.usage.total_cost', 'gen_ai.usage.cost'],
  provider: ['openrouter.provider_name', 'gen_ai.provider.name'],
  user: 'user.id',
} as const;

const MODEL_MAX_LENGTH = 200;

interface OtlpSpan {
  readonly traceId?: unknown;
  readonly spanId?: unknown;
  readonly parentSpanId?: unknown;
  readonly startTimeUnixNano?: unknown;
  readonly endTimeUnixNano?: unknown;
  readonly attributes?: unknown;
}

/** Reads an ExportTraceServiceRequest. Fails only when the request's structure is not OTLP/JSON. */
export function readOtlpTraces(body: unknown): TraceReadResult {
  const spans = collectSpans(body);
  if (typeof spans === 'string') return { ok: false, error: spans };

  const spansInRequest = new Set(spans.map((span) => `${String(span.traceId)}/${String(span.spanId)}`));
  const reading = { generations: [] as GenerationSpan[], rejected: [] as RejectedSpan[], childSpans: 0, childSpansWithoutParent: 0 };
  for (const span of spans) {
    if (hasParent(span)) {
      reading.childSpans++;
      if (!spansInRequest.has(`${String(span.traceId)}/${String(span.parentSpanId)}`)) reading.childSpansWithoutParent++;
      continue;
    }
    const traceId = typeof span.traceId === 'string' ? span.traceId : '';
    const spanId = typeof span.spanId === 'string' ? span.spanId : '';
    const mapped = generationOf(span, traceId);
    if (typeof mapped === 'string') reading.rejected.push({ traceId, spanId, reason: mapped });
    else reading.generations.push({ traceId, spanId, input: mapped });
  }
  if (reading.generations.length > USAGE_BOUNDS.maxRecordsPerDelivery) {
    return { ok: false, error: `the request holds ${reading.generations.length} generation spans; at most ${USAGE_BOUNDS.maxRecordsPerDelivery} are accepted per request` };
  }
  return { ok: true, reading };
}

/** Flattens resourceSpans[].scopeSpans[].spans[]; a missing level is empty, a mistyped one is an error. */
function collectSpans(body: unknown): OtlpSpan[] | string {
  if (!isObject(body)) return 'the body must be an OTLP/JSON ExportTraceServiceRequest: {"resourceSpans": [...]}';
  const spans: OtlpSpan[] = [];
  const resourceSpans = objectsAt(body, 'resourceSpans', 'resourceSpans');
  if (typeof resourceSpans === 'string') return resourceSpans;
  for (const [r, resourceSpan] of resourceSpans.entries()) {
    const scopeSpans = objectsAt(resourceSpan, 'scopeSpans', `resourceSpans[${r}].scopeSpans`);
    if (typeof scopeSpans === 'string') return scopeSpans;
    for (const [s, scopeSpan] of scopeSpans.entries()) {
      const list = objectsAt(scopeSpan, 'spans', `resourceSpans[${r}].scopeSpans[${s}].spans`);
      if (typeof list === 'string') return list;
      spans.push(...list);
    }
  }
  return spans;
}

/** The objects in `parent[key]`, or a message naming `path` when it is not an array of objects. */
function objectsAt(parent: Record<string, unknown>, key: string, path: string): Record<string, unknown>[] | string {
  const list = parent[key];
  if (list === undefined || list === null) return [];
  if (!Array.isArray(list)) return `${path} must be an array`;
  const index = list.findIndex((item) => !isObject(item));
  return index >= 0 ? `${path}[${index}] must be an object` : list;
}

/** OTLP/JSON writes "no parent" as an absent or empty id; some exporters write all zeros. */
function hasParent(span: OtlpSpan): boolean {
  return typeof span.parentSpanId === 'string' && !/^0*$/.test(span.parentSpanId);
}

/** A root span's generation, or why it cannot be one. */
function generationOf(span: OtlpSpan, traceId: string): GenerationInput | string {
  if (span.attributes !== undefined && !Array.isArray(span.attributes)) return 'attributes must be an array';
  const attributes = new SpanAttributes((span.attributes ?? []) as OtlpKeyValue[]);
  const problems: string[] = [];
  const take = <T>(read: Read<T>, missing: string): T | undefined => {
    if (read.kind === 'value') return read.value;
    problems.push(read.kind === 'invalid' ? read.reason : missing);
    return undefined;
  };
  const first = (keys: readonly string[]) => attributes.firstPresent(keys) ?? keys[0];
  const missing = (keys: readonly string[]) => `${keys.join(' or ')} is missing`;

  const responseId = attributes.text(OTLP_KEYS.generationId, USAGE_BOUNDS.generationIdMaxLength);
  const id = responseId.kind === 'absent' ? idFromTrace(traceId) : responseId;
  const generationId = take(id, 'gen_ai.response.id is missing and the span has no traceId');
  const model = take(attributes.text(first(OTLP_KEYS.model), MODEL_MAX_LENGTH), missing(OTLP_KEYS.model));
  const promptTokens = take(attributes.count(first(OTLP_KEYS.inputTokens), USAGE_BOUNDS.maxTokens), missing(OTLP_KEYS.inputTokens));
  const completionTokens = take(attributes.count(first(OTLP_KEYS.outputTokens), USAGE_BOUNDS.maxTokens), missing(OTLP_KEYS.outputTokens));
  const totalCost = take(attributes.amount(first(OTLP_KEYS.cost)), missing(OTLP_KEYS.cost));
  const createdAt = take(occurrenceOf(span), 'startTimeUnixNano (or endTimeUnixNano) is missing');
  const user = attributes.text(OTLP_KEYS.user, USAGE_BOUNDS.userMaxLength);
  if (user.kind === 'invalid') problems.push(user.reason);
  // The provider is informational (the catalog supplies a default), so an unusable one is left out, not fatal.
  const provider = attributes.text(first(OTLP_KEYS.provider), USAGE_BOUNDS.providerMaxLength);

  if (problems.length > 0) return problems.join('; ');
  return {
    id: generationId!,
    model: model!,
    providerName: provider.kind === 'value' ? provider.value : undefined,
    totalCost: totalCost!,
    promptTokens: promptTokens!,
    completionTokens: completionTokens!,
    createdAt: createdAt!,
    user: user.kind === 'value' ? user.value : undefined,
  };
}

function idFromTrace(traceId: string): Read<string> {
  if (traceId.length === 0) return { kind: 'absent' };
  if (traceId.length > USAGE_BOUNDS.generationIdMaxLength) return { kind: 'invalid', reason: `traceId must be at most ${USAGE_BOUNDS.generationIdMaxLength} characters` };
  return { kind: 'value', value: traceId };
}

/** When the generation happened: the span's start, else its end. */
function occurrenceOf(span: OtlpSpan): Read<string> {
  const start = nanosToInstant(span.startTimeUnixNano);
  if (start.kind !== 'absent') return start.kind === 'invalid' ? { kind: 'invalid', reason: `startTimeUnixNano ${start.reason}` } : start;
  const end = nanosToInstant(span.endTimeUnixNano);
  return end.kind === 'invalid' ? { kind: 'invalid', reason: `endTimeUnixNano ${end.reason}` } : end;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
