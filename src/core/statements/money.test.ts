import { describe, expect, it } from 'vitest';
import { divideRounded, formatCents, parseAmount } from './money.js';

describe('parseAmount', () => {
  it.each([
    ['+60.5', 6050],
    ['-20.46', -2046],
    ['10', 1000],
    ['1.06', 106],
    ['  -10.3 ', -1030],
    ['0', 0],
    ['-0.00', 0],
    ['007.10', 710],
    ['90071992547409.91', Number.MAX_SAFE_INTEGER],
    ['-90071992547409.91', -Number.MAX_SAFE_INTEGER],
  ])('reads %j as %d cents', (text, cents) => {
    expect(parseAmount(text)).toEqual({ ok: true, cents });
  });

  it('keeps a negative zero as a plain zero', () => {
    const result = parseAmount('-0');
    expect(result.ok && Object.is(result.cents, 0)).toBe(true);
  });

  it.each([
    '--5',
    '5-',
    '+-5',
    '1.234',
    'abc',
    '',
    '   ',
    '1,000.00',
    '+',
    '-',
    '1e3',
    '1E-2',
    'NaN',
    'Infinity',
    '-Infinity',
    '.5',
    '5.',
    '*5',
    '+ 5',
    '0x10',
    '１０',
  ])('rejects %j', (text) => {
    expect(parseAmount(text)).toMatchObject({ ok: false, reason: expect.stringContaining('decimal') });
  });

  it('rejects amounts beyond the safe integer range of cents', () => {
    expect(parseAmount('90071992547409.92')).toEqual({
      ok: false,
      reason: 'is too large to be held exactly in cents',
    });
    expect(parseAmount(`-${'9'.repeat(30)}`).ok).toBe(false);
  });
});

describe('formatCents', () => {
  it.each([
    [3974, '39.74'],
    [-1538, '-15.38'],
    [0, '0.00'],
    [-5, '-0.05'],
    [100, '1.00'],
    [Number.MAX_SAFE_INTEGER, '90071992547409.91'],
  ])('formats %d as %j', (cents, text) => {
    expect(formatCents(cents)).toBe(text);
  });

  it('refuses a fractional number of cents', () => {
    expect(() => formatCents(1.5)).toThrow(RangeError);
  });
});

describe('divideRounded', () => {
  it.each([
    [-3075, 2, -1538],
    [7050, 2, 3525],
    [5, 2, 3],
    [-5, 2, -3],
    [4, 3, 1],
    [-4, 3, -1],
    [0, 7, 0],
    [-1, 3, 0],
    [Number.MAX_SAFE_INTEGER, 2, 4503599627370496],
  ])('divides %d by %d to %d', (sum, count, expected) => {
    expect(divideRounded(sum, count)).toBe(expected);
  });

  it('refuses a zero or fractional count', () => {
    expect(() => divideRounded(10, 0)).toThrow(RangeError);
    expect(() => divideRounded(10, 1.5)).toThrow(RangeError);
  });
});
