import fc from 'fast-check';
import { DecimalSum, Rate, Usd, parseRawCost, sumUsd } from './money';

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

  describe('DecimalSum (the fold\'s exact scaled-integer sum)', () => {
    // Digits, optionally a point and a fraction: from zero to ten thousand dollars at up to 20 decimals, and
    // amounts too large for a double, so both the double and the BigInt paths and widening the scale are met.
    const decimalText = fc
      .tuple(fc.oneof(fc.integer({ min: 0, max: 10_000 }), fc.bigInt({ min: 0n, max: 10n ** 30n })), fc.stringMatching(/^[0-9]{0,20}$/))
      .map(([int, fraction]) => (fraction ? `${int}.${fraction}` : `${int}`));

    it('sums to the same canonical text as decimal.js, in any order', () => {
      fc.assert(
        fc.property(fc.array(decimalText, { maxLength: 60 }), (texts) => {
          const expected = sumUsd(texts.map((t) => Usd.of(t))).toString();
          const sum = new DecimalSum();
          for (const text of texts) sum.add(text);
          expect(sum.toString()).toBe(expected);
          const backwards = new DecimalSum();
          for (const text of [...texts].reverse()) backwards.add(text);
          expect(backwards.toString()).toBe(expected);
        }),
      );
    });

    it('multiplies by a rate exactly, as decimal.js does', () => {
      const rate = fc.tuple(fc.integer({ min: 0, max: 999_999 }), fc.stringMatching(/^[0-9]{0,12}$/)).map(([i, f]) => (f ? `${i}.${f}` : `${i}`));
      fc.assert(
        fc.property(fc.array(decimalText, { maxLength: 20 }), rate, (texts, r) => {
          const sum = new DecimalSum();
          for (const text of texts) sum.add(text);
          const expected = sumUsd(texts.map((t) => Usd.of(t))).times(Rate.of(r === '0' || /^0(\.0*)?$/.test(r) ? '1' : r));
          const product = sum.times(/^0(\.0*)?$/.test(r) ? '1' : r);
          expect(product.toString()).toBe(expected.toString());
        }),
      );
    });

    it('stays exact past 2^53 units (a million records of 9 999.999999999999 USD)', () => {
      const sum = new DecimalSum();
      for (let i = 0; i < 1_000_000; i++) sum.add('9999.999999999999');
      expect(sum.toString()).toBe('9999999999.999999');
    });

    it('writes zero, whole amounts and small fractions canonically', () => {
      expect(new DecimalSum().toString()).toBe('0');
      expect(new DecimalSum().add('0.000').toString()).toBe('0');
      expect(new DecimalSum().add('1.50').add('2.5').toString()).toBe('4');
      expect(new DecimalSum().add('0.000000000001').toString()).toBe('0.000000000001');
      expect(new DecimalSum().add('0.0000000000000000001').add('7').toString()).toBe('7.0000000000000000001');
      expect(new DecimalSum().add('0.0961538').times('1.3').toString()).toBe('0.12499994');
    });

    it('refuses what is not a plain non-negative decimal', () => {
      for (const bad of ['', '-1', '1e5', '1.', '.5', ' 1', 'NaN']) expect(() => new DecimalSum().add(bad)).toThrow(RangeError);
    });
  });
});

