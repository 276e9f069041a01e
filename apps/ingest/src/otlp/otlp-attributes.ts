// Reading OTLP/JSON attribute values. Senders differ in how they encode the same number: OTLP/JSON writes
// int64 as a string (`{"intValue":"150"}`), some exporters write a JSON number, and some put counts or costs
// in `stringValue` or `doubleValue`. Each reader accepts every encoding that means the same value.

/** `{"key": "...", "value": {"stringValue": ...}}`, as OTLP/JSON encodes a KeyValue. */
export interface OtlpKeyValue {
  readonly key?: unknown;
  readonly value?: unknown;
}

export type Read<T> = { kind: 'absent' } | { kind: 'value'; value: T } | { kind: 'invalid'; reason: string };

const absent = { kind: 'absent' } as const;
const value = <T>(v: T): Read<T> => ({ kind: 'value', value: v });
const invalid = (reason: string): Read<never> => ({ kind: 'invalid', reason });

/** A span's attributes by key. The first occurrence of a key wins (OTLP forbids repeats). */
export class SpanAttributes {
  private readonly byKey = new Map<string, Record<string, unknown>>();

  constructor(attributes: readonly OtlpKeyValue[]) {
    for (const attribute of attributes) {
      if (typeof attribute !== 'object' || attribute === null || typeof attribute.key !== 'string') continue;
      const anyValue = attribute.value;
      if (typeof anyValue !== 'object' || anyValue === null || this.byKey.has(attribute.key)) continue;
      this.byKey.set(attribute.key, anyValue as Record<string, unknown>);
    }
  }

  /** The first of `keys` that is present, so a conventional key can fall back to an older alias. */
  firstPresent(keys: readonly string[]): string | undefined {
    return keys.find((key) => this.byKey.has(key));
  }

  /** A non-empty string; numbers are taken as their decimal text (an id sent as intValue is still an id). */
  text(key: string, maxLength: number): Read<string> {
    const anyValue = this.byKey.get(key);
    if (!anyValue) return absent;
    const raw = anyValue.stringValue ?? anyValue.intValue;
    const text = typeof raw === 'string' ? raw.trim() : typeof raw === 'number' && Number.isSafeInteger(raw) ? String(raw) : undefined;
    if (text === undefined) return invalid(`${key} must be a string`);
    if (text.length === 0) return absent;
    if (text.length > maxLength) return invalid(`${key} must be at most ${maxLength} characters`);
    return value(text);
  }

  /** A whole count from 0 to `max`, from intValue (string or number), an integral doubleValue, or digits. */
  count(key: string, max: number): Read<number> {
    const anyValue = this.byKey.get(key);
    if (!anyValue) return absent;
    const raw = anyValue.intValue ?? anyValue.doubleValue ?? anyValue.stringValue;
    const n = typeof raw === 'number' ? raw : typeof raw === 'string' && /^\s*\d{1,16}(\.0*)?\s*$/.test(raw) ? Number(raw) : NaN;
    if (!Number.isSafeInteger(n) || n < 0 || n > max) return invalid(`${key} must be an integer from 0 to ${max}`);
    return value(n);
  }

  /**
   * A USD amount for the domain's parseRawCost: a doubleValue number as is (shortest round-trip decimal),
   * a decimal string (stringValue, or a double written as a string) as text, so no precision is lost.
   */
  amount(key: string): Read<number | string> {
    const anyValue = this.byKey.get(key);
    if (!anyValue) return absent;
    const raw = anyValue.doubleValue ?? anyValue.intValue ?? anyValue.stringValue;
    if (typeof raw === 'number' || typeof raw === 'string') return value(raw);
    return invalid(`${key} must be a number or a decimal string`);
  }
}

/** Unix nanoseconds (OTLP/JSON writes fixed64 as a decimal string) → RFC 3339 instant, to the millisecond. */
export function nanosToInstant(nanos: unknown): Read<string> {
  if (nanos === undefined || nanos === null || nanos === '' || nanos === '0' || nanos === 0) return absent;
  const digits = typeof nanos === 'number' && Number.isSafeInteger(nanos) ? String(nanos) : nanos;
  // 20 digits is the whole fixed64 range; the cap also keeps BigInt parsing cheap.
  if (typeof digits !== 'string' || !/^\d{1,20}$/.test(digits)) return invalid('must be unix nanoseconds as a decimal string');
  const millis = Number(BigInt(digits) / 1_000_000n);
  const instant = new Date(millis);
  if (Number.isNaN(instant.getTime())) return invalid('is out of range');
  return value(instant.toISOString());
}
