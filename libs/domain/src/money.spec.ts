import fc from 'fast-check';
import { Rate, Usd, parseRawCost, sumUsd } from './money';

describe('money', () => {
  it('sums 100 000 random micro-costs to exactly the integer sum of their nano-dollar values', () => {
    const random = fc.sample(fc.integer({ min: 0, max: 5_000_000 }), { numRuns: 100_000, seed: 42 });
    const exactNanos = random.reduce((sum, nanos) => sum + BigInt(nanos), 0n);
    const total = sumUsd(random.map((nanos) => Usd.of((nanos / 1e9).toFixed(9))));
    const expected = `${exactNanos / 1_000_000_000n}.${(exactNanos % 1_000_000_000n).toString().padStart(9, '0')}`;
    expect(total.toFixed(9)).toBe(expected);
    // The float sum of the same numbers drifts: this is the bug exact money prevents.
    const floatSum = random.reduce((sum, nanos) => sum + nanos / 1e9, 0);
    expect(floatSum.toFixed(12)).not.toBe(total.toFixed(12));
  });

  it('is independent of summation order', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 10_000_000_000 }), { maxLength: 50 }), (picos) => {
        const amounts = picos.map((p) => Usd.of((p / 1e12).toFixed(12)));
        expect(sumUsd(amounts).toString()).toBe(sumUsd([...amounts].reverse()).toString());
      }),
    );
  });

  it('applies the markup exactly: 0.0961538 × 1.3 = 0.12499994', () => {
    expect(Usd.of('0.0961538').times(Rate.of('1.3')).toString()).toBe('0.12499994');
  });

  it('rounds PLN half-up to the grosz from the exact amount', () => {
    expect(Usd.of('0.125').toPln(Rate.of('3.6521'))).toBe('0.46'); // 0.4565125
    expect(Usd.of('0.5').toPln(Rate.of('4.01'))).toBe('2.01'); // 2.005 exactly → up
    expect(Usd.of('0.1').toPln(Rate.of('4.05'))).toBe('0.41'); // 0.405, which a float rounds down
  });

  describe('parseRawCost', () => {
    it.each([
      [0.1, '0.1'],
      ['0.0123', '0.0123'],
      [1e-7, '0.0000001'],
      ['10000', '10000'],
      [0, '0'],
      ['0.1234567890125', '0.123456789013'],
    ])('reads %p as %s', (input, expected) => {
      const result = parseRawCost(input);
      expect(result.ok && result.usd.toString()).toBe(expected);
    });

    it.each([
      [-0.01, 'must not be negative'],
      ['-1', 'must not be negative'],
      [10000.000001, 'must be at most 10000 USD'],
      ['1e3', 'must be a plain decimal number such as "0.0123"'],
      ['abc', 'must be a plain decimal number such as "0.0123"'],
      [Number.NaN, 'must be a finite number'],
      [Number.POSITIVE_INFINITY, 'must be a finite number'],
      [1e308, 'must be at most 10000 USD'],
      [null, 'must be a number or a decimal string'],
      [true, 'must be a number or a decimal string'],
    ])('rejects %p: %s', (input, reason) => {
      expect(parseRawCost(input)).toEqual({ ok: false, reason });
    });
  });
});
