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
    const dto = toDto(record);
    const errors = validateSync(dto, { forbidUnknownValues: false, stopAtFirstError: true });
    if (errors.length > 0) {
      for (const error of errors) {
        for (const message of Object.values(error.constraints ?? {})) details.push({ index, field: error.property, message });
      }
      return;
    }
    inputs.push({
      id: dto.id,
      model: dto.model,
      providerName: dto.provider_name ?? undefined,
      totalCost: dto.total_cost,
      promptTokens: dto.native_tokens_prompt ?? dto.tokens_prompt ?? 0,
      completionTokens: dto.native_tokens_completion ?? dto.tokens_completion ?? 0,
      createdAt: dto.created_at,
      user: dto.user ?? undefined,
    });
  });
  if (details.length > 0) return { ok: false, error: `${new Set(details.map((d) => d.index)).size} of ${records.length} records are invalid; nothing was accepted`, details };
  return { ok: true, inputs };
}
