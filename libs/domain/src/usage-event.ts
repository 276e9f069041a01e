// The one event of the usage log. Everything a replay needs to rebuild the projection exactly travels in it:
// the raw cost as a decimal string, the markup rate in force, the tokens, and the org's usage day.
import { hash } from 'node:crypto';
import { isCalendarDay, parseRfc3339 } from './calendar';
import { isOrgId } from './organization';
import { MODEL_ID_PATTERN } from './catalog';

export const USAGE_EVENT_VERSION = 1 as const;

/** Field bounds shared by every receiver (webhook DTOs, OTLP mapping) and by the event decoder. */
export const USAGE_BOUNDS = {
  generationIdMaxLength: 128,
  userMaxLength: 256,
  providerMaxLength: 128,
  /** Per generation and direction; above any context window sold today, far below 2^53. */
  maxTokens: 100_000_000,
  maxRecordsPerDelivery: 1000,
} as const;

export type UsageSource = 'webhook' | 'otlp';

export interface UsageRecord {
  /** OpenRouter generation id: the idempotency key within the org. */
  readonly generationId: string;
  readonly model: string;
  readonly provider: string;
  /** USD before markup, canonical decimal string. */
  readonly rawCostUsd: string;
  /** The markup rate in force at `occurredAt`, decimal string. */
  readonly markupRate: string;
  readonly promptTokens: number;
  readonly completionTokens: number;
  /** ISO instant of the generation. */
  readonly occurredAt: string;
  /** `occurredAt` as a calendar day in the org's time zone. */
  readonly usageDay: string;
  readonly user: string | null;
}

export interface UsageRecorded {
  readonly type: 'UsageRecorded';
  readonly version: typeof USAGE_EVENT_VERSION;
  readonly data: {
    readonly orgId: string;
    readonly timeZone: string;
    readonly records: readonly UsageRecord[];
  };
  readonly metadata: {
    readonly source: UsageSource;
    /** The delivery this event came from (webhook-id, or an OTLP request hash); also the stream's Nats-Msg-Id suffix. */
    readonly deliveryId: string;
    readonly receivedAt: string;
  };
}

/** Every event the usage stream can carry. New types join this union; folds must handle each. */
export type UsageEvent = UsageRecorded;

export type DecodeResult = { ok: true; event: UsageEvent } | { ok: false; reason: string };

const isNonNegativeInteger = (value: unknown, max: number): value is number =>
  typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 && value <= max;
const isDecimalString = (value: unknown): value is string =>
  typeof value === 'string' && value.length <= 64 && /^\d+(\.\d+)?$/.test(value);
const isBoundedString = (value: unknown, max: number): value is string =>
  typeof value === 'string' && value.length >= 1 && value.length <= max && isStorableText(value);

const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * Text PostgreSQL stores as sent: no NUL (text columns refuse it, failing the whole batch that carries it) and
 * no unpaired UTF-16 surrogate (encoded as U+FFFD, so two different ids would become one ledger key).
 */
export function isStorableText(text: string): boolean {
  return !UNSTORABLE.test(text);
}

function recordProblem(record: unknown): string | undefined {
  if (typeof record !== 'object' || record === null) return 'record is not an object';
  const r = record as Record<string, unknown>;
  if (!isBoundedString(r.generationId, USAGE_BOUNDS.generationIdMaxLength)) return 'generationId';
  if (typeof r.model !== 'string' || !MODEL_ID_PATTERN.test(r.model)) return 'model';
  if (!isBoundedString(r.provider, USAGE_BOUNDS.providerMaxLength)) return 'provider';
  if (!isDecimalString(r.rawCostUsd)) return 'rawCostUsd';
  if (!isDecimalString(r.markupRate) || Number(r.markupRate) <= 0) return 'markupRate';
  if (!isNonNegativeInteger(r.promptTokens, USAGE_BOUNDS.maxTokens)) return 'promptTokens';
  if (!isNonNegativeInteger(r.completionTokens, USAGE_BOUNDS.maxTokens)) return 'completionTokens';
  if (typeof r.occurredAt !== 'string' || !isRfc3339Instant(r.occurredAt)) return 'occurredAt';
  if (typeof r.usageDay !== 'string' || !(r.usageDay.length === 10 ? isDayAt(r.usageDay, 0) : isCalendarDay(r.usageDay))) return 'usageDay';
  if (r.user !== null && !isBoundedString(r.user, USAGE_BOUNDS.userMaxLength)) return 'user';
  return undefined;
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Digits from `from` to `to` (exclusive) as a number, or -1 when any is not a digit. */
function digitsAt(text: string, from: number, to: number): number {
  let value = 0;
  for (let i = from; i < to; i++) {
    const digit = text.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) return -1;
    value = value * 10 + digit;
  }
  return value;
}

/**
 * `YYYY-MM-DD` at `at` a real date, years 0100 to 9999: what `isCalendarDay` decides, read with `charCodeAt`
 * instead of a regular expression (the decoder checks two per record).
 */
function isDayAt(text: string, at: number): boolean {
  if (text.charCodeAt(at + 4) !== 45 || text.charCodeAt(at + 7) !== 45) return false;
  const year = digitsAt(text, at, at + 4);
  const month = digitsAt(text, at + 5, at + 7);
  const day = digitsAt(text, at + 8, at + 10);
  if (year < 100 || month < 1 || month > 12 || day < 1) return false;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return day <= (month === 2 && leap ? 29 : DAYS_IN_MONTH[month - 1]);
}

/**
 * Whether `parseRfc3339` accepts the text. The form ingest writes (`Date.toISOString()`:
 * `YYYY-MM-DDTHH:MM:SS.sssZ`) is checked character by character, without a regular expression or a Date;
 * anything else goes through `parseRfc3339` itself.
 */
export function isRfc3339Instant(text: string): boolean {
  if (text.length === 24 && text.charCodeAt(10) === 84 && text.charCodeAt(13) === 58 && text.charCodeAt(16) === 58 && text.charCodeAt(19) === 46 && text.charCodeAt(23) === 90) {
    const hour = digitsAt(text, 11, 13);
    const minute = digitsAt(text, 14, 16);
    const second = digitsAt(text, 17, 19);
    return isDayAt(text, 0) && hour >= 0 && hour <= 23 && minute >= 0 && minute <= 59 && second >= 0 && second <= 59 && digitsAt(text, 20, 23) >= 0;
  }
  return parseRfc3339(text) !== undefined;
}

/**
 * Decodes and checks a message from the usage stream. Anything that fails here is poison: it can never be
 * projected, so the consumer parks it on the dead-letter subject instead of retrying it.
 */
export function decodeUsageEvent(payload: Uint8Array | string): DecodeResult {
  let parsed: unknown;
  try {
    // A view of the payload's bytes, not a copy of them.
    parsed = JSON.parse(typeof payload === 'string' ? payload : Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength).toString('utf8'));
  } catch {
    return { ok: false, reason: 'payload is not JSON' };
  }
  if (typeof parsed !== 'object' || parsed === null) return { ok: false, reason: 'payload is not an object' };
  const event = parsed as { type?: unknown; version?: unknown; data?: any; metadata?: any };
  if (event.type !== 'UsageRecorded') return { ok: false, reason: `unknown event type ${String(event.type)}` };
  if (event.version !== USAGE_EVENT_VERSION) return { ok: false, reason: `unsupported version ${String(event.version)}` };
  const data = event.data;
  if (typeof data !== 'object' || data === null || !isOrgId(data.orgId)) return { ok: false, reason: 'data.orgId' };
  if (typeof data.timeZone !== 'string') return { ok: false, reason: 'data.timeZone' };
  if (!Array.isArray(data.records) || data.records.length === 0 || data.records.length > USAGE_BOUNDS.maxRecordsPerDelivery) {
    return { ok: false, reason: 'data.records must hold 1 to 1000 records' };
  }
  for (let index = 0; index < data.records.length; index++) {
    const problem = recordProblem(data.records[index]);
    if (problem) return { ok: false, reason: `data.records[${index}].${problem} is invalid` };
  }
  const metadata = event.metadata;
  if (typeof metadata !== 'object' || metadata === null) return { ok: false, reason: 'metadata' };
  if (metadata.source !== 'webhook' && metadata.source !== 'otlp') return { ok: false, reason: 'metadata.source' };
  if (!isBoundedString(metadata.deliveryId, 256)) return { ok: false, reason: 'metadata.deliveryId' };
  if (typeof metadata.receivedAt !== 'string' || !parseRfc3339(metadata.receivedAt)) return { ok: false, reason: 'metadata.receivedAt' };
  return { ok: true, event: parsed as UsageEvent };
}

export function encodeUsageEvent(event: UsageEvent): Uint8Array {
  return Buffer.from(JSON.stringify(event), 'utf8');
}

/**
 * A stable fingerprint of what a record says, to notice a generation id re-sent with different fields.
 * Hashed, so the ledger holds no end-user ids. One-shot `crypto.hash` (no Hash object per record); the same
 * digest as before, so fingerprints already in the ledger still compare.
 */
export function recordFingerprint(record: UsageRecord): string {
  const text = JSON.stringify([record.model, record.rawCostUsd, record.promptTokens, record.completionTokens, record.occurredAt, record.user]);
  return hash('sha256', text, 'base64url').slice(0, 22);
}
