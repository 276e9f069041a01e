import { createHash } from 'node:crypto';
import { decodeUsageEvent, encodeUsageEvent, recordFingerprint, UsageRecorded } from './usage-event';

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
});
