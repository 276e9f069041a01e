// Reading a webhook body: the three accepted shapes (bare record, {data: record}, {data: [records]}),
// then per-record type checks with class-validator. Every problem becomes a {index, field, message} detail.
import { validateSync } from 'class-validator';
import { FieldIssue, GenerationInput, USAGE_BOUNDS } from '@mai/domain';
import { GenerationRecordDto } from './generation-record.dto';

/** The fields GenerationRecordDto checks; nothing else of a record is ever read. */
const DTO_FIELDS = ['id', 'model', 'provider_name', 'total_cost', 'native_tokens_prompt', 'native_tokens_completion', 'tokens_prompt', 'tokens_completion', 'created_at', 'user'] as const;

/**
 * The record's known fields on a DTO instance, copied as they are. Not class-transformer's plainToInstance: it
 * walks every nested value, so a field holding an object nested 10 000 deep (a 50 KB body) overflowed the
 * stack and the webhook answered 500 instead of 400.
 */
function toDto(record: object): GenerationRecordDto {
  const dto = new GenerationRecordDto();
  for (const field of DTO_FIELDS) if (Object.hasOwn(record, field)) Object.assign(dto, { [field]: (record as Record<string, unknown>)[field] });
  return dto;
}

export interface RecordIssue extends FieldIssue {
  readonly index: number;
}

export type BodyReadResult =
  | { ok: true; inputs: GenerationInput[] }
  | { ok: false; error: string; details: RecordIssue[] };

function extractRecords(body: unknown): unknown[] | string {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return 'the body must be a generation record, {"data": record} or {"data": [records]}';
  }
  const data = (body as { data?: unknown }).data;
  if (data === undefined) return [body];
  if (Array.isArray(data)) {
    if (data.length === 0) return 'data must hold at least one record';
    if (data.length > USAGE_BOUNDS.maxRecordsPerDelivery) return `data holds ${data.length} records; at most ${USAGE_BOUNDS.maxRecordsPerDelivery} are accepted per request`;
    return data;
  }
  if (typeof data === 'object' && data !== null) return [data];
  return 'data must be a generation record or an array of them';
}

/** class-validator over the DTO: the authority on what is valid, and the wording of every issue. */
function validatedFields(record: object, index: number, details: RecordIssue[]): GenerationRecordDto | undefined {
  const dto = toDto(record);
  const errors = validateSync(dto, { forbidUnknownValues: false, stopAtFirstError: true });
  if (errors.length === 0) return dto;
  for (const error of errors) {
    for (const message of Object.values(error.constraints ?? {})) details.push({ index, field: error.property, message });
  }
  return undefined;
}

// validator.js's isLength (behind @Length) counts a surrogate pair or an emoji presentation sequence as one
// character, so its length lies between half of String.length and String.length: a non-empty string no longer
// than `max` UTF-16 units passes @Length(1, max). (A longer one may too; class-validator decides those.)
const isText = (value: unknown, max: number): boolean => typeof value === 'string' && value.length >= 1 && value.length <= max;
const isTokenCount = (value: unknown): boolean => typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= USAGE_BOUNDS.maxTokens;
const isAbsent = (value: unknown): boolean => value === undefined || value === null;

/**
 * A quick yes to records that GenerationRecordDto's rules plainly accept, field by field as its decorators say
 * (class-validator costs ~15 µs a record, most of a 100-record webhook's time). Only a yes is trusted: it must
 * never accept what the DTO refuses (webhook-body.spec.ts checks this on random records); a no sends the record
 * to class-validator, which decides and words the issues.
 */
export function plainlyValid(record: Record<string, unknown>): boolean {
  return (
    isText(record.id, USAGE_BOUNDS.generationIdMaxLength) &&
    isText(record.model, 200) &&
    (isAbsent(record.provider_name) || isText(record.provider_name, USAGE_BOUNDS.providerMaxLength)) &&
    (typeof record.total_cost === 'number' || typeof record.total_cost === 'string') &&
    (isAbsent(record.native_tokens_prompt) ? isTokenCount(record.tokens_prompt) : isTokenCount(record.native_tokens_prompt)) &&
    (isAbsent(record.native_tokens_completion) ? isTokenCount(record.tokens_completion) : isTokenCount(record.native_tokens_completion)) &&
    typeof record.created_at === 'string' &&
    record.created_at.length <= 40 &&
    (isAbsent(record.user) || isText(record.user, USAGE_BOUNDS.userMaxLength))
  );
}

/** The issues class-validator finds in one record (none: the DTO accepts it). */
export function recordIssues(record: object): RecordIssue[] {
  const details: RecordIssue[] = [];
  validatedFields(record, 0, details);
  return details;
}

export function readWebhookBody(raw: Buffer): BodyReadResult {
  let body: unknown;
  try {
    body = JSON.parse(raw.toString('utf8'));
  } catch (error) {
    return { ok: false, error: `malformed JSON: ${(error as Error).message}`, details: [] };
  }
  const records = extractRecords(body);
  if (typeof records === 'string') return { ok: false, error: records, details: [] };

  const details: RecordIssue[] = [];
  const inputs: GenerationInput[] = [];
  records.forEach((record, index) => {
    if (typeof record !== 'object' || record === null || Array.isArray(record)) {
      details.push({ index, field: '', message: 'a record must be a JSON object' });
      return;
    }
    const fields = plainlyValid(record as Record<string, unknown>) ? (record as GenerationRecordDto) : validatedFields(record, index, details);
    if (!fields) return;
    inputs.push({
      id: fields.id,
      model: fields.model,
      providerName: fields.provider_name ?? undefined,
      totalCost: fields.total_cost,
      promptTokens: fields.native_tokens_prompt ?? fields.tokens_prompt ?? 0,
      completionTokens: fields.native_tokens_completion ?? fields.tokens_completion ?? 0,
      createdAt: fields.created_at,
      user: fields.user ?? undefined,
    });
  });
  if (details.length > 0) return { ok: false, error: `${new Set(details.map((d) => d.index)).size} of ${records.length} records are invalid; nothing was accepted`, details };
  return { ok: true, inputs };
}
