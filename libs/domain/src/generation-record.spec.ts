import { Catalog, DEFAULT_CATALOG } from './catalog';
import { AcceptanceContext, GenerationInput, acceptGeneration } from './generation-record';

const now = new Date('2026-12-04T12:00:00.000Z');
const context: AcceptanceContext = {
  catalog: new Catalog(DEFAULT_CATALOG),
  markup: [
    { effectiveFrom: '1970-01-01T00:00:00.000Z', rate: '1.3' },
    { effectiveFrom: '2026-12-01T00:00:00.000Z', rate: '1.25' },
  ],
  timeZone: 'Europe/Warsaw',
  now,
};
const input = (overrides: Partial<GenerationInput> = {}): GenerationInput => ({
  id: 'gen-1',
  model: 'anthropic/claude-sonnet-4',
  totalCost: 0.0961538,
  promptTokens: 10,
  completionTokens: 5,
  createdAt: '2026-12-04T11:00:00Z',
  ...overrides,
});

describe('acceptGeneration', () => {
  it('turns a valid generation into a usage record with the org\'s day, the catalog provider and the markup in force', () => {
    const result = acceptGeneration(input({ createdAt: '2026-12-04T23:30:00+00:00', user: 'alice' }), { ...context, now: new Date('2026-12-04T23:31:00Z') });
    expect(result).toEqual({
      ok: true,
      record: {
        generationId: 'gen-1',
        model: 'anthropic/claude-sonnet-4',
        provider: 'Anthropic',
        rawCostUsd: '0.0961538',
        markupRate: '1.25',
        promptTokens: 10,
        completionTokens: 5,
        occurredAt: '2026-12-04T23:30:00.000Z',
        usageDay: '2026-12-05', // already the 5th in Warsaw
        user: 'alice',
      },
    });
  });

  it('uses the markup in force when the generation happened, not when it arrived', () => {
    const result = acceptGeneration(input({ createdAt: '2026-11-30T23:59:59Z' }), context);
    expect(result.ok && result.record.markupRate).toBe('1.3');
  });

  it('keeps the provider the sender names', () => {
    const result = acceptGeneration(input({ providerName: 'Google Vertex' }), context);
    expect(result.ok && result.record.provider).toBe('Google Vertex');
  });

  it('reports every problem of a record at once', () => {
    expect(acceptGeneration(input({ model: 'meta/llama-1', totalCost: -1, createdAt: 'soon' }), context)).toEqual({
      ok: false,
      issues: [
        { field: 'model', message: 'unknown model "meta/llama-1": not in the catalog' },
        { field: 'total_cost', message: 'must not be negative' },
        { field: 'created_at', message: 'must be an RFC 3339 timestamp with a zone, e.g. 2026-12-04T10:15:00Z' },
      ],
    });
  });

  it.each([
    ['a NUL in the id', { id: 'gen-\u0000-1' }, 'id'],
    ['an unpaired surrogate in the id', { id: 'gen-\ud800' }, 'id'],
    ['a NUL in the user', { user: 'bob\u0000' }, 'user'],
    ['a lone low surrogate in the provider', { providerName: '\udc00Vertex' }, 'provider_name'],
  ])('refuses %s: Postgres cannot store it as sent', (_case, overrides, field) => {
    expect(acceptGeneration(input(overrides), context)).toEqual({ ok: false, issues: [{ field, message: 'must not contain NUL characters or unpaired surrogates' }] });
  });

  it('accepts any well-formed Unicode, astral characters included', () => {
    expect(acceptGeneration(input({ id: 'gen-zażółć-😀', user: 'użytkownik 🚀' }), context).ok).toBe(true);
  });

  it.each([
    ['exactly 35 days old', new Date(now.getTime() - 35 * 86_400_000).toISOString(), true],
    ['35 days and a second old', new Date(now.getTime() - 35 * 86_400_000 - 1000).toISOString(), false],
    ['5 minutes ahead', new Date(now.getTime() + 5 * 60_000).toISOString(), true],
    ['6 minutes ahead', new Date(now.getTime() + 6 * 60_000).toISOString(), false],
  ])('a record %s is accepted: %s', (_case, createdAt, accepted) => {
    expect(acceptGeneration(input({ createdAt }), context).ok).toBe(accepted);
  });
});
