import fc from 'fast-check';
// node-postgres' own serialization of a JS array parameter: what arrayLiteral must reproduce exactly.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { prepareValue } = require('pg/lib/utils') as { prepareValue: (value: unknown) => string };
import { arrayLiteral } from './usage-projection';

describe('arrayLiteral', () => {
  it('writes what node-postgres sends for the same array, quotes and backslashes included', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.string(), fc.constantFrom('a"b', 'c\\d', '\\"', 'NULL', '{x,y}', ' sp ', ''), fc.integer())), (values) => {
        expect(arrayLiteral(values)).toBe(prepareValue(values));
      }),
    );
  });

  it('writes an empty array as {}', () => {
    expect(arrayLiteral([])).toBe('{}');
  });

  it('escapes only inside the element that needs it', () => {
    expect(arrayLiteral(['gen-1', 'say "hi"', 'back\\slash', 7])).toBe('{"gen-1","say \\"hi\\"","back\\\\slash","7"}');
  });
});
