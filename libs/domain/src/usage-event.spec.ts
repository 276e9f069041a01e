import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { isCalendarDay, parseRfc3339 } from './calendar';
import { decodeUsageEvent, encodeUsageEvent, isRfc3339Instant, recordFingerprint, UsageRecorded } from './usage-event';

const event: UsageRecorded = {
  type: 'UsageRecorded',
  version: 1,
  data: {
    orgId: 'acme',
    timeZone: 'Europe/Warsaw',
    records: [
      {
        generationId: 'gen-1',
        model: 'openai/o3',
        provider: 'OpenAI',
        rawCostUsd: '0.0123',
        markupRate: '1.3',
        promptTokens: 100,
        completionTokens: 50,
        occurredAt: '2026-12-04T10:00:00.000Z',
        usageDay: '2026-12-04',
        user: 'u1',
      },
    ],
  },
  metadata: { source: 'webhook', deliveryId: 'wh-1', receivedAt: '2026-12-04T10:00:01.000Z' },
};

describe('usage event codec', () => {
  it('round-trips an event', () => {
    expect(decodeUsageEvent(encodeUsageEvent(event))).toEqual({ ok: true, event });
  });

  const withRecord = (patch: object) => JSON.stringify({ ...event, data: { ...event.data, records: [{ ...event.data.records[0], ...patch }] } });
  it.each([
    ['not JSON', '{', 'payload is not JSON'],
    ['another event type', JSON.stringify({ ...event, type: 'UsageDeleted' }), 'unknown event type UsageDeleted'],
    ['a future version', JSON.stringify({ ...event, version: 2 }), 'unsupported version 2'],
    ['negative tokens', withRecord({ promptTokens: -1 }), 'data.records[0].promptTokens is invalid'],
    ['a float cost', withRecord({ rawCostUsd: 0.1 }), 'data.records[0].rawCostUsd is invalid'],
    ['a bad day', withRecord({ usageDay: '2026-13-01' }), 'data.records[0].usageDay is invalid'],
    ['a NUL in a generation id (Postgres text refuses it)', withRecord({ generationId: 'gen\u0000' }), 'data.records[0].generationId is invalid'],
    ['an unpaired surrogate in a user', withRecord({ user: 'u\ud800' }), 'data.records[0].user is invalid'],
    ['no records', JSON.stringify({ ...event, data: { ...event.data, records: [] } }), 'data.records must hold 1 to 1000 records'],
  ])('treats %s as poison', (_case, payload, reason) => {
    expect(decodeUsageEvent(payload)).toEqual({ ok: false, reason });
  });

  it('fingerprints what a record says, without exposing the user id', () => {
    const record = event.data.records[0];
    expect(recordFingerprint(record)).toBe(recordFingerprint({ ...record }));
    expect(recordFingerprint(record)).not.toBe(recordFingerprint({ ...record, rawCostUsd: '0.0124' }));
    expect(recordFingerprint(record)).not.toContain('u1');
  });

  it('keeps the fingerprint the ledger already holds (SHA-256 of the fields, base64url, 22 characters)', () => {
    const record = event.data.records[0];
    const text = JSON.stringify([record.model, record.rawCostUsd, record.promptTokens, record.completionTokens, record.occurredAt, record.user]);
    expect(recordFingerprint(record)).toBe(createHash('sha256').update(text).digest('base64url').slice(0, 22));
  });

  describe('the decoder\'s quick checks of instants and days', () => {
    // The canonical shape with any digits in it (and now and then another character), so that hours 24,
    // February 30ths, years before 0100 and stray letters are all met.
    const digit = fc.oneof({ weight: 20, arbitrary: fc.constantFrom(...'0123456789') }, { weight: 1, arbitrary: fc.constantFrom('a', ' ', '-', ':', '9') });
    const digits = (n: number) => fc.array(digit, { minLength: n, maxLength: n }).map((d) => d.join(''));
    const year = fc.oneof(digits(4), fc.constantFrom('2024', '2100', '2000', '1900', '0099', '0100'));
    const canonical = fc
      .tuple(year, digits(2), fc.oneof(digits(2), fc.constantFrom('29', '30', '31')), digits(2), digits(2), digits(2), digits(3))
      .map(([y, mo, d, h, mi, s, ms]) => `${y}-${mo}-${d}T${h}:${mi}:${s}.${ms}Z`);

    it('accepts exactly the instants parseRfc3339 accepts', () => {
      fc.assert(fc.property(fc.oneof(canonical, fc.string()), (text) => expect(isRfc3339Instant(text)).toBe(parseRfc3339(text) !== undefined)), { numRuns: 5000 });
      for (const text of ['2026-12-04T10:00:00.000Z', '2024-02-29T23:59:59.999Z', '2026-12-04T10:00:00+01:00', '2026-12-04t10:00:00.5z']) expect(isRfc3339Instant(text)).toBe(true);
      for (const text of ['2026-02-29T10:00:00.000Z', '2026-12-04T24:00:00.000Z', '0099-12-04T10:00:00.000Z', '2026-12-04T10:00:00.00aZ']) expect(isRfc3339Instant(text)).toBe(false);
    });

    it('accepts exactly the usage days isCalendarDay accepts', () => {
      const day = fc.tuple(year, digits(2), fc.oneof(digits(2), fc.constantFrom('29', '30', '31'))).map(([y, m, d]) => `${y}-${m}-${d}`);
      fc.assert(
        fc.property(fc.oneof(day, fc.string({ maxLength: 12 })), (usageDay) => {
          const decoded = decodeUsageEvent(withRecord({ usageDay }));
          expect(decoded.ok).toBe(isCalendarDay(usageDay));
        }),
        { numRuns: 3000 },
      );
    });
  });
});

