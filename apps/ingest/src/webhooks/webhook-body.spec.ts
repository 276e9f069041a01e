import 'reflect-metadata';
import fc from 'fast-check';
import { USAGE_BOUNDS } from '@mai/domain';
import { plainlyValid, readWebhookBody, recordIssues } from './webhook-body';

const valid = {
  id: 'gen-1',
  model: 'openai/gpt-4o-mini',
  total_cost: '0.0015',
  native_tokens_prompt: 120,
  native_tokens_completion: 30,
  created_at: '2026-12-04T10:15:00Z',
  user: 'user-7',
};
const read = (body: unknown) => readWebhookBody(Buffer.from(JSON.stringify(body)));

describe('readWebhookBody', () => {
  it('maps a plainly valid record without asking class-validator, exactly as through the DTO', () => {
    expect(plainlyValid(valid)).toBe(true);
    expect(read({ data: [valid, { ...valid, id: 'gen-2', provider_name: 'OpenAI', user: undefined }] })).toEqual({
      ok: true,
      inputs: [
        { id: 'gen-1', model: valid.model, providerName: undefined, totalCost: '0.0015', promptTokens: 120, completionTokens: 30, createdAt: valid.created_at, user: 'user-7' },
        { id: 'gen-2', model: valid.model, providerName: 'OpenAI', totalCost: '0.0015', promptTokens: 120, completionTokens: 30, createdAt: valid.created_at, user: undefined },
      ],
    });
  });

  it('falls back to tokens_prompt / tokens_completion only when the native counts are absent or null', () => {
    const fallback = { ...valid, native_tokens_prompt: null, native_tokens_completion: undefined, tokens_prompt: 5, tokens_completion: 6 };
    expect(plainlyValid(fallback)).toBe(true);
    expect(read(fallback)).toMatchObject({ ok: true, inputs: [{ promptTokens: 5, completionTokens: 6 }] });
    expect(plainlyValid({ ...valid, tokens_prompt: 'ignored while the native count is there' })).toBe(true);
  });

  it('leaves every doubtful record to class-validator, which words the issues as before', () => {
    const doubtful: Record<string, unknown>[] = [
      { ...valid, id: '' },
      { ...valid, id: 'x'.repeat(USAGE_BOUNDS.generationIdMaxLength + 1) },
      { ...valid, model: 42 },
      { ...valid, total_cost: null },
      { ...valid, native_tokens_prompt: 1.5 },
      { ...valid, native_tokens_completion: -1 },
      { ...valid, native_tokens_prompt: undefined },
      { ...valid, created_at: 'x'.repeat(41) },
      { ...valid, user: '' },
      { ...valid, provider_name: 7 },
    ];
    for (const record of doubtful) {
      expect(plainlyValid(record)).toBe(false);
      expect(recordIssues(record).length).toBeGreaterThan(0);
    }
    expect(read({ data: [valid, { ...valid, native_tokens_prompt: 1.5 }] })).toEqual({
      ok: false,
      error: '1 of 2 records are invalid; nothing was accepted',
      details: [{ index: 1, field: 'native_tokens_prompt', message: `native_tokens_prompt must be an integer from 0 to ${USAGE_BOUNDS.maxTokens}` }],
    });
  });

  it('still accepts, through class-validator, text that is short enough only when counted in characters (emoji)', () => {
    const emoji = { ...valid, user: '🙂'.repeat(USAGE_BOUNDS.userMaxLength) }; // 512 UTF-16 units, 256 characters
    expect(plainlyValid(emoji)).toBe(false);
    expect(read(emoji)).toMatchObject({ ok: true, inputs: [{ user: emoji.user }] });
  });

  it('never says yes to a record the DTO refuses (random records, valid and not)', () => {
    // Mostly plausible values, so that many records are plainly valid; then edge cases and junk of every type.
    const text = (max: number) =>
      fc.oneof(fc.string({ unit: 'binary', maxLength: max + 2 }), fc.string({ unit: 'grapheme', maxLength: 4 }), fc.constantFrom('', '\uFE0F', 'a\uFE0F', '\uD83D', '🙂', 'x'.repeat(max), 'x'.repeat(max + 1)));
    const junk = fc.oneof(fc.constant(null), fc.constant(undefined), fc.boolean(), fc.double(), fc.object({ maxDepth: 1 }), fc.array(fc.integer(), { maxLength: 2 }));
    const field = (plausible: fc.Arbitrary<unknown>, edge: fc.Arbitrary<unknown>) =>
      fc.oneof({ weight: 12, arbitrary: plausible }, { weight: 1, arbitrary: edge }, { weight: 1, arbitrary: junk });
    const string = (max: number) => field(fc.string({ minLength: 1, maxLength: max }), text(max));
    const optional = (max: number) => fc.oneof(fc.constant(undefined), string(max));
    const count = field(fc.integer({ min: 0, max: USAGE_BOUNDS.maxTokens }), fc.oneof(fc.constantFrom(-1, -0, 0.5, USAGE_BOUNDS.maxTokens, USAGE_BOUNDS.maxTokens + 1), fc.double(), fc.string({ maxLength: 3 })));
    const record = fc.record({
      id: string(USAGE_BOUNDS.generationIdMaxLength),
      model: string(200),
      provider_name: optional(USAGE_BOUNDS.providerMaxLength),
      total_cost: field(fc.oneof(fc.double(), fc.string({ maxLength: 8 })), fc.constantFrom('', '-1', 'NaN')),
      native_tokens_prompt: fc.oneof(fc.constant(undefined), count),
      native_tokens_completion: fc.oneof(fc.constant(undefined), count),
      tokens_prompt: fc.oneof(fc.constant(undefined), count),
      tokens_completion: fc.oneof(fc.constant(undefined), count),
      created_at: field(fc.string({ maxLength: 40 }), text(40)),
      user: optional(USAGE_BOUNDS.userMaxLength),
    });
    let saidYes = 0;
    fc.assert(
      fc.property(record, (candidate) => {
        if (!plainlyValid(candidate)) return;
        saidYes++;
        expect(recordIssues(candidate)).toEqual([]);
      }),
      { numRuns: 3_000 },
    );
    expect(saidYes).toBeGreaterThan(300); // the property was exercised, not vacuously true
  });
});
