// Exact USD amounts. Costs are decimal strings on the wire and NUMERIC in Postgres; in between they are
// decimal.js values with enough precision that adding and multiplying them never rounds.
import Decimal from 'decimal.js';

/** A decimal context wide enough for any sum we can meet (≤ 10 000 USD × 2^53 records at 1e-12). */
const Exact = Decimal.clone({ precision: 64, rounding: Decimal.ROUND_HALF_UP, toExpNeg: -64, toExpPos: 64 });
type ExactDecimal = InstanceType<typeof Exact>;

/** Raw costs are kept to the pico-dollar: finer than any provider bills, and 1000× finer than we report. */
export const RAW_COST_DECIMALS = 12;
/** Reported USD amounts (raw and marked-up cost) are exact to 1e-9 USD. */
export const REPORTED_USD_DECIMALS = 9;
export const MAX_RAW_COST_USD = 10_000;

const PLAIN_DECIMAL = /^\d{1,40}(\.\d{1,64})?$/;

/** An exact, non-negative amount of US dollars. */
export class Usd {
  private constructor(private readonly amount: ExactDecimal) {}

  static readonly zero = new Usd(new Exact(0));

  /** From a canonical decimal string we wrote ourselves (event payloads, NUMERIC columns). */
  static of(decimal: string): Usd {
    if (!PLAIN_DECIMAL.test(decimal)) throw new RangeError(`not a non-negative decimal amount: ${decimal}`);
    return new Usd(new Exact(decimal));
  }

  plus(other: Usd): Usd {
    return new Usd(this.amount.plus(other.amount));
  }

  times(rate: Rate): Usd {
    return new Usd(this.amount.times(rate.value));
  }

  dividedBy(divisor: number): Usd {
    return new Usd(this.amount.dividedBy(divisor));
  }

  isZero(): boolean {
    return this.amount.isZero();
  }

  compare(other: Usd): number {
    return this.amount.comparedTo(other.amount);
  }

  /** Canonical plain decimal string, no exponent, no trailing zeros. */
  toString(): string {
    return this.amount.toFixed();
  }

  /** Rounded half-up to exactly `decimals` places, as a plain decimal string. */
  toFixed(decimals: number): string {
    return this.amount.toFixed(decimals, Decimal.ROUND_HALF_UP);
  }

  /** For JSON answers only: the amount rounded to `decimals` places, then read as a number. */
  toReportedNumber(decimals = REPORTED_USD_DECIMALS): number {
    return Number(this.toFixed(decimals));
  }

  /** Converts to PLN at `usdPln` and rounds half-up to the grosz. */
  toPln(usdPln: Rate): string {
    return this.amount.times(usdPln.value).toDecimalPlaces(2, Decimal.ROUND_HALF_UP).toFixed(2);
  }
}

/** A positive multiplier kept exact: the markup (1.3) or an exchange rate (3.6521). */
export class Rate {
  private constructor(readonly value: ExactDecimal) {}

  static of(decimal: string | number): Rate {
    const text = typeof decimal === 'number' ? numberToDecimalText(decimal) : decimal.trim();
    if (text === undefined || !/^\d{1,6}(\.\d{1,12})?$/.test(text)) {
      throw new RangeError(`not a rate: ${String(decimal)}`);
    }
    const value = new Exact(text);
    if (value.lte(0)) throw new RangeError(`a rate must be positive: ${text}`);
    return new Rate(value);
  }

  toString(): string {
    return this.value.toFixed();
  }

  toNumber(): number {
    return this.value.toNumber();
  }
}

export type CostParseResult = { ok: true; usd: Usd } | { ok: false; reason: string };

/**
 * Reads a raw cost as callers send it: a JSON number or a decimal string, in USD, 0 ≤ cost ≤ 10 000.
 * A JSON number is taken at its shortest round-trip decimal form (what the sender wrote), so 0.1 is 0.1,
 * not 0.1000000000000000055…; anything finer than 1e-12 USD is rounded half-up to the pico-dollar.
 */
export function parseRawCost(input: unknown): CostParseResult {
  let text: string | undefined;
  if (typeof input === 'number') {
    if (!Number.isFinite(input)) return { ok: false, reason: 'must be a finite number' };
    text = numberToDecimalText(input);
  } else if (typeof input === 'string') {
    text = input.trim();
    if (text.length > 64) return { ok: false, reason: 'must be a decimal string of at most 64 characters' };
    if (!/^-?\d+(\.\d+)?$/.test(text)) return { ok: false, reason: 'must be a plain decimal number such as "0.0123"' };
  } else {
    return { ok: false, reason: 'must be a number or a decimal string' };
  }
  if (text === undefined) return { ok: false, reason: 'must be a finite number' };
  const value = new Exact(text);
  if (value.isNegative() && !value.isZero()) return { ok: false, reason: 'must not be negative' };
  if (value.gt(MAX_RAW_COST_USD)) return { ok: false, reason: `must be at most ${MAX_RAW_COST_USD} USD` };
  const rounded = value.abs().toDecimalPlaces(RAW_COST_DECIMALS, Decimal.ROUND_HALF_UP);
  return { ok: true, usd: Usd.of(rounded.toFixed()) };
}

/** The shortest decimal text that reads back as `n` (JavaScript's own number-to-string), without exponent. */
function numberToDecimalText(n: number): string | undefined {
  if (!Number.isFinite(n)) return undefined;
  return new Exact(String(n)).toFixed();
}

/** Sums exactly; the order of the terms never changes the result. */
export function sumUsd(amounts: Iterable<Usd>): Usd {
  let total = Usd.zero;
  for (const amount of amounts) total = total.plus(amount);
  return total;
}

const PLAIN_UNSIGNED_DECIMAL = /^\d+(\.\d+)?$/;
/** Below this, pending units are summed as doubles: every partial sum stays an integer under 2^53, so exact. */
const SMALL_LIMIT = 2 ** 53 - 1e15;

/**
 * An exact running sum of non-negative plain decimal strings, kept as a scaled integer (value × 10^scale), for
 * the projection's hot loop: a record costs a string concatenation and a `Number()`, not a decimal.js parse.
 * Terms with up to 15 significant digits at the current scale (every cost ingest writes: ≤ 10 000 USD at 1e-12
 * is 17 digits, so amounts under 1 000 USD) are added as doubles below 2^53, larger ones as BigInt; a term finer
 * than the current scale widens it. Nothing is ever rounded, and `toString` is the same canonical text as
 * `Usd.toString()` (no exponent, no trailing zeros, "0" for zero).
 */
export class DecimalSum {
  private units = 0n;
  private small = 0;
  private scale = RAW_COST_DECIMALS;

  /** Adds a plain decimal string (digits, optionally a point and more digits). */
  add(text: string): this {
    if (!PLAIN_UNSIGNED_DECIMAL.test(text)) throw new RangeError(`not a non-negative decimal amount: ${text}`);
    const dot = text.indexOf('.');
    let digits: string;
    if (dot < 0) {
      digits = this.scale === 0 ? text : text + zeros(this.scale);
    } else {
      const fraction = text.length - dot - 1;
      if (fraction > this.scale) this.widen(fraction);
      digits = text.slice(0, dot) + text.slice(dot + 1) + zeros(this.scale - fraction);
    }
    if (digits.length <= 15) {
      this.small += Number(digits);
      if (this.small >= SMALL_LIMIT) this.flush();
    } else {
      this.units += BigInt(digits);
    }
    return this;
  }

  /** Adds another sum. */
  addSum(other: DecimalSum): this {
    const [units, scale] = other.scaled();
    if (scale > this.scale) this.widen(scale);
    this.flush();
    this.units += scale < this.scale ? units * 10n ** BigInt(this.scale - scale) : units;
    return this;
  }

  /** This sum multiplied exactly by a plain decimal string (a markup rate), as a new sum. */
  times(rate: string): DecimalSum {
    if (!PLAIN_UNSIGNED_DECIMAL.test(rate)) throw new RangeError(`not a rate: ${rate}`);
    const dot = rate.indexOf('.');
    const rateScale = dot < 0 ? 0 : rate.length - dot - 1;
    const rateUnits = BigInt(dot < 0 ? rate : rate.slice(0, dot) + rate.slice(dot + 1));
    const [units, scale] = this.scaled();
    const product = new DecimalSum();
    product.units = units * rateUnits;
    product.scale = scale + rateScale;
    return product;
  }

  isZero(): boolean {
    return this.small === 0 && this.units === 0n;
  }

  /** The value as (integer, scale): value = integer × 10^-scale. */
  scaled(): [bigint, number] {
    this.flush();
    return [this.units, this.scale];
  }

  toString(): string {
    const [units, scale] = this.scaled();
    let text = units.toString();
    if (scale === 0) return text;
    if (text.length <= scale) text = zeros(scale - text.length + 1) + text;
    const point = text.length - scale;
    let end = text.length;
    while (end > point && text.charCodeAt(end - 1) === 48) end--;
    return end === point ? text.slice(0, point) : `${text.slice(0, point)}.${text.slice(point, end)}`;
  }

  toUsd(): Usd {
    return Usd.of(this.toString());
  }

  private flush(): void {
    if (this.small !== 0) {
      this.units += BigInt(this.small);
      this.small = 0;
    }
  }

  private widen(scale: number): void {
    this.flush();
    this.units *= 10n ** BigInt(scale - this.scale);
    this.scale = scale;
  }
}

const ZEROS = '0'.repeat(64);
function zeros(n: number): string {
  return n <= 64 ? ZEROS.slice(0, n) : '0'.repeat(n);
}
