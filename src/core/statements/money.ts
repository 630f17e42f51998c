/**
 * Exact money arithmetic in integer minor units (cents). Amounts are parsed from their decimal
 * digits, never through binary floating point, so `0.1 + 0.2` problems cannot arise.
 */

/** Result of {@link parseAmount}. */
export type AmountResult = { ok: true; cents: number } | { ok: false; reason: string };

const AMOUNT = /^([+-]?)(\d+)(?:\.(\d{1,2}))?$/;
/** Integer parts up to this many digits times 100 stay far below 2^53, so plain numbers are exact. */
const FAST_DIGITS = 13;
const MAX_CENTS = BigInt(Number.MAX_SAFE_INTEGER);

/**
 * Parses a signed decimal amount into integer cents. A bare positive number is a credit.
 *
 * Accepted: an optional single leading `+` or `-`, one or more digits, and optionally a point
 * followed by one or two digits; surrounding whitespace is ignored. Everything else (thousands
 * separators, exponents, `NaN`, `.5`, `5.`, three decimals, trailing signs) is rejected, as are
 * amounts whose cents exceed `Number.MAX_SAFE_INTEGER`.
 *
 * @example
 * parseAmount('-20.46'); // { ok: true, cents: -2046 }
 * parseAmount('+60.5');  // { ok: true, cents: 6050 }
 */
export function parseAmount(text: string): AmountResult {
  const match = AMOUNT.exec(text.trim());
  if (!match) return { ok: false, reason: 'is not a signed decimal with at most 2 decimals' };
  const [, sign = '', whole = '', fraction = ''] = match;
  const fractionCents = fraction.padEnd(2, '0');
  let cents: number;
  if (whole.length <= FAST_DIGITS) {
    cents = Number(whole) * 100 + Number(fractionCents);
  } else {
    const big = BigInt(whole) * 100n + BigInt(fractionCents);
    if (big > MAX_CENTS) return { ok: false, reason: 'is too large to be held exactly in cents' };
    cents = Number(big);
  }
  // `-0` would serialize as 0 anyway, but keep the value a plain zero for equality checks.
  return { ok: true, cents: sign === '-' && cents !== 0 ? -cents : cents };
}

/**
 * Formats integer cents as a decimal string with exactly two decimals.
 *
 * @example
 * formatCents(3974); // '39.74'
 * formatCents(-5);   // '-0.05'
 */
export function formatCents(cents: number): string {
  assertSafeInteger(cents, 'cents');
  const magnitude = Math.abs(cents);
  const whole = Math.trunc(magnitude / 100);
  const fraction = String(magnitude % 100).padStart(2, '0');
  return `${cents < 0 ? '-' : ''}${whole}.${fraction}`;
}

/**
 * Divides an integer sum by a positive count, rounding halves away from zero, exactly
 * (BigInt arithmetic, so no precision is lost even near `Number.MAX_SAFE_INTEGER`).
 *
 * @example
 * divideRounded(-3075, 2); // -1538
 * divideRounded(5, 2);     // 3
 */
export function divideRounded(sum: number, count: number): number {
  assertSafeInteger(sum, 'sum');
  assertSafeInteger(count, 'count');
  if (count <= 0) throw new RangeError(`count must be positive, got ${count}`);
  const magnitude = BigInt(Math.abs(sum));
  const divisor = BigInt(count);
  let quotient = magnitude / divisor;
  if ((magnitude % divisor) * 2n >= divisor) quotient += 1n;
  const rounded = Number(quotient);
  return sum < 0 && rounded !== 0 ? -rounded : rounded;
}

function assertSafeInteger(value: number, name: string): void {
  if (!Number.isSafeInteger(value)) throw new RangeError(`${name} must be a safe integer, got ${value}`);
}
