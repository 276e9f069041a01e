// fast-check arbitraries for webhook bodies that must be refused: a valid generation record with one field
// broken at a boundary or of the wrong type, and bodies broken as a whole (shapes, nesting, sizes, bytes).
// Every value generated here is invalid under contract §3, so the only right answer is a 4xx.
import fc from 'fast-check';
import { DEFAULT_CATALOG, USAGE_BOUNDS } from '@mai/domain';

const CATALOG_IDS = new Set(DEFAULT_CATALOG.map((model) => model.id));
const DAY_MS = 86_400_000;

/** A record the webhook accepts, happening `ageMs` ago. */
export function validRecord(id: string, ageMs = 60_000): Record<string, unknown> {
  return {
    id,
    model: 'openai/gpt-4o-mini',
    total_cost: '0.0015',
    native_tokens_prompt: 120,
    native_tokens_completion: 30,
    created_at: new Date(Date.now() - ageMs).toISOString(),
    user: 'user-1',
  };
}

/** JSON values that are not strings. */
const notString = fc.oneof(
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.boolean(),
  fc.array(fc.string(), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.string({ maxLength: 5 }), { maxKeys: 3 }),
);
/** JSON values that are not numbers. */
const notNumber = fc.oneof(fc.string({ maxLength: 20 }), fc.boolean(), fc.array(fc.integer(), { maxLength: 3 }), fc.dictionary(fc.string({ maxLength: 5 }), fc.integer(), { maxKeys: 3 }));
/** Text no store should take as sent: a NUL or an unpaired UTF-16 surrogate, anywhere in a string. */
const unstorable = fc
  .tuple(fc.string({ maxLength: 20, unit: 'grapheme' }), fc.constantFrom('\u0000', '\ud800', '\udfff', '\udbff\u0041'), fc.string({ maxLength: 20, unit: 'grapheme' }))
  .map(([a, bad, b]) => `${a}${bad}${b}`);
const tooLong = (max: number) => fc.string({ minLength: max + 1, maxLength: max + 64, unit: 'grapheme-ascii' });
/** Something nested up to 2 000 levels deep, built as a value (deeper ones are built as text, in brokenBody). */
const nested = fc.integer({ min: 2, max: 2_000 }).map((depth) => {
  let value: unknown = 1;
  for (let i = 0; i < depth; i++) value = i % 2 ? [value] : { a: value };
  return value;
});

const tokenCount = fc.oneof(
  fc.integer({ max: -1 }),
  fc.integer({ min: USAGE_BOUNDS.maxTokens + 1 }),
  fc.double({ min: 0.0001, max: 1e6, noNaN: true }).filter((n) => !Number.isInteger(n)),
  fc.constantFrom(1e308, -1e308, Number.MAX_SAFE_INTEGER + 2, 2 ** 64),
  fc.integer({ min: 0, max: 1000 }).map(String),
  notNumber,
  nested,
);

/** One field of a record set to something invalid: [field, value]. */
export const brokenField: fc.Arbitrary<[string, unknown]> = fc.oneof(
  fc.tuple(fc.constant('id'), fc.oneof(fc.constant(''), tooLong(USAGE_BOUNDS.generationIdMaxLength), notString, unstorable, nested, fc.constant(null))),
  fc.tuple(
    fc.constant('model'),
    fc.oneof(
      fc.string({ maxLength: 80, unit: 'grapheme' }).filter((s) => !CATALOG_IDS.has(s)),
      fc.constantFrom('OPENAI/O3', 'openai/o3 ', ' openai/o3', 'openai/o3\u0000', 'openai\u2215o3', 'ｏpenai/o3'),
      notString,
      nested,
    ),
  ),
  fc.tuple(
    fc.constant('total_cost'),
    fc.oneof(
      fc.constantFrom(1e308, -1e-9, -1, 10_000.000001, Number.MAX_VALUE, -0.5, '1e5', '1E-3', 'NaN', 'Infinity', '-Infinity', '', ' ', '0x10', '1,5', '+1', '.5', '5.', '١٢٣', '0.1.2', '-0.000000001', '10000.0000000001'),
      fc.double({ min: 10_000.001, max: 1e300, noNaN: true }),
      fc.string({ minLength: 65, maxLength: 200, unit: 'grapheme-ascii' }).map((s) => `0.${s.replace(/\D/g, '1')}`),
      fc.string({ maxLength: 30, unit: 'grapheme' }).filter((s) => !/^\s*-?\d+(\.\d+)?\s*$/.test(s)),
      fc.boolean(),
      fc.constant(null),
      fc.array(fc.integer(), { maxLength: 2 }),
      nested,
    ),
  ),
  fc.tuple(fc.constantFrom('native_tokens_prompt', 'native_tokens_completion'), tokenCount),
  fc.tuple(
    fc.constant('created_at'),
    fc.oneof(
      fc.integer({ min: 36, max: 20_000 }).map((days) => new Date(Date.now() - days * DAY_MS - 60_000).toISOString()),
      fc.integer({ min: 6, max: 10_000 }).map((minutes) => new Date(Date.now() + minutes * 60_000).toISOString()),
      fc.constantFrom('2026-02-30T00:00:00Z', '2026-12-04T24:00:00Z', '2026-12-04T10:60:00Z', '2026-12-04T10:00:61Z', '2026-12-04T10:00:00', '2026-12-04', '0000-01-01T00:00:00Z', '9999-12-31T23:59:59Z', 'yesterday', ''),
      fc.string({ maxLength: 60, unit: 'grapheme' }),
      fc.integer().map((n) => n),
      tooLong(40),
      fc.boolean(),
      nested,
    ),
  ),
  fc.tuple(fc.constant('user'), fc.oneof(fc.constant(''), tooLong(USAGE_BOUNDS.userMaxLength), fc.integer(), fc.boolean(), fc.array(fc.string(), { maxLength: 2 }), unstorable, nested)),
  fc.tuple(fc.constant('provider_name'), fc.oneof(fc.constant(''), tooLong(USAGE_BOUNDS.providerMaxLength), fc.integer(), fc.boolean(), unstorable, nested)),
).filter(([field, value]) => !(field === 'created_at' && typeof value === 'string' && isAcceptedTimestamp(value)));

/** A body whose overall shape is wrong, as JSON text. */
export const brokenBody: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('null', 'true', '42', '"text"', '[]', '{}', '{"data":null}', '{"data":"x"}', '{"data":7}', '{"data":[]}', '{"data":[null]}', '{"data":[1,"x",[]]}', '{"data":{}}', '{"data":[[]]}'),
  fc.constantFrom('NaN', 'Infinity', '{"total_cost":NaN}', '{"data":[{"total_cost":Infinity}]}', '{"a":1,}', "{'id':'x'}", '{"data":[', '', ' ', '\u0000', '\ufeff{}'),
  fc.integer({ min: 2, max: 60_000 }).map((depth) => `{"data":${'['.repeat(depth)}${']'.repeat(depth)}}`),
  fc.integer({ min: 2, max: 60_000 }).map((depth) => `${'{"data":'.repeat(depth)}{}${'}'.repeat(depth)}`),
  fc
    .tuple(fc.constantFrom('id', 'model', 'total_cost', 'native_tokens_prompt', 'created_at', 'user', 'provider_name'), fc.integer({ min: 5_000, max: 100_000 }))
    .map(([field, depth]) => {
      const record = JSON.stringify(validRecord('deep'));
      return `{"data":[${record.slice(0, -1)},"${field}":${'{"a":['.repeat(depth)}1${']}'.repeat(depth)}}]}`;
    }),
  fc.integer({ min: 1001, max: 1200 }).map((n) => JSON.stringify({ data: Array.from({ length: n }, (_, i) => validRecord(`bulk-${i}`)) })),
  fc.jsonValue({ maxDepth: 4 }).map((value) => JSON.stringify(value)).filter((text) => !text.includes('"id"')),
);

function isAcceptedTimestamp(text: string): boolean {
  const at = Date.parse(text);
  return /Z|[+-]\d{2}:\d{2}$/.test(text) && Number.isFinite(at) && at > Date.now() - 34 * DAY_MS && at < Date.now() + 4 * 60_000;
}
