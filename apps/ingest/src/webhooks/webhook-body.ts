// Reading a webhook body: the three accepted shapes (bare record, {data: record}, {data: [records]}),
// then per-record type checks with class-validator. Every problem becomes a {index, field, message} detail.
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { FieldIssue, GenerationInput, USAGE_BOUNDS } from '@mai/domain';
import { GenerationRecordDto } from './generation-record.dto';

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
    const dto = plainToInstance(GenerationRecordDto, record, { enableImplicitConversion: false });
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
