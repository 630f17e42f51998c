import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatCents, parseAmount } from '../../src/core/statements/money.js';
import { parseTransactionDate } from '../../src/core/statements/parse-date.js';
import { resolveHeader } from '../../src/core/statements/resolve-header.js';
import { isCalendarDate, pad } from './csv.js';
import { fuzzParams, fuzzTimeout } from './settings.js';

/** The cell parsers of the statements reader, against references built another way. */

/** DESIGN.md's amount: optional sign, digits, up to two decimals; cents exact, within 2^53. */
function referenceAmount(text: string): number | undefined {
  const match = /^\s*([+-]?)(\d+)(?:\.(\d\d?))?\s*$/.exec(text);
  if (!match) return undefined;
  const cents = BigInt(match[2] as string) * 100n + BigInt((match[3] ?? '').padEnd(2, '0'));
  if (cents > BigInt(Number.MAX_SAFE_INTEGER)) return undefined;
  return match[1] === '-' ? -Number(cents) || 0 : Number(cents);
}

const amountTextArb = fc.oneof(
  fc.string({ unit: fc.constantFrom('0', '1', '9', '.', '+', '-', ' ', 'e', ','), maxLength: 12 }),
  fc.bigInt({ min: -(10n ** 17n), max: 10n ** 17n }).map((n) => {
    const digits = (n < 0n ? -n : n).toString().padStart(3, '0');
    return `${n < 0n ? '-' : ''}${digits.slice(0, -2)}.${digits.slice(-2)}`;
  }),
);

describe('statement cells (fuzz)', () => {
  it(
    'parses an amount exactly when the reference does, to the same cents',
    () => {
      fc.assert(
        fc.property(amountTextArb, (text) => {
          const parsed = parseAmount(text);
          const expected = referenceAmount(text);
          if (expected === undefined) expect(parsed).toEqual({ ok: false, reason: expect.any(String) });
          else expect(parsed).toEqual({ ok: true, cents: expected });
        }),
        fuzzParams(),
      );
    },
    fuzzTimeout,
  );

  it(
    'reads back every amount it formats',
    () => {
      fc.assert(
        fc.property(fc.maxSafeInteger(), (cents) => {
          expect(parseAmount(formatCents(cents))).toEqual({ ok: true, cents: cents === 0 ? 0 : cents });
        }),
        fuzzParams(),
      );
    },
    fuzzTimeout,
  );

  it(
    'accepts a date in every form exactly when it exists, as that calendar date',
    () => {
      const parts = fc.record({
        year: fc.integer({ min: 0, max: 10_000 }),
        month: fc.integer({ min: 0, max: 13 }),
        day: fc.integer({ min: 0, max: 32 }),
        hour: fc.integer({ min: 0, max: 24 }),
        minute: fc.integer({ min: 0, max: 60 }),
        form: fc.constantFrom('month-day', 'date', 'date-time', 'spaced'),
      });
      fc.assert(
        fc.property(parts, ({ year, month, day, hour, minute, form }) => {
          const defaultYear = year;
          const date = `${pad(year, 4)}-${pad(month)}-${pad(day)}`;
          const clock = `${pad(hour)}:${pad(minute)}`;
          const text = {
            'month-day': `${month}/${day}`,
            date,
            'date-time': `${date}T${clock}Z`,
            spaced: `${date} ${clock}:00`,
          }[form];
          const timed = form === 'date-time' || form === 'spaced';
          const exists =
            year >= 1 &&
            year <= 9999 &&
            isCalendarDate(year, month, day) &&
            (!timed || (hour < 24 && minute < 60));
          const parsed = parseTransactionDate(text, defaultYear);
          if (exists) expect(parsed).toEqual({ ok: true, date });
          else expect(parsed).toEqual({ ok: false, reason: expect.stringContaining(JSON.stringify(text)) });
        }),
        fuzzParams(),
      );
    },
    fuzzTimeout,
  );

  it(
    'never accepts a date string that is not a real calendar date',
    () => {
      const text = fc.string({
        unit: fc.constantFrom('0', '1', '2', '3', '9', '-', '/', ':', 'T', 'Z', '+', ' ', '.'),
        maxLength: 25,
      });
      fc.assert(
        fc.property(text, (value) => {
          const parsed = parseTransactionDate(value, 2024);
          if (!parsed.ok) return;
          const [year, month, day] = parsed.date.split('-').map(Number) as [number, number, number];
          expect(isCalendarDate(year, month, day)).toBe(true);
        }),
        fuzzParams(),
      );
    },
    fuzzTimeout,
  );

  it(
    'finds the columns of any header naming date and amount once, whatever the other cells',
    () => {
      const known = [
        'Id',
        'TransactionId',
        'Date',
        'Datetime',
        'Transaction',
        'Amount',
        'AccountId',
        'Email',
        'Name',
      ];
      const cell = fc.oneof(fc.mixedCase(fc.constantFrom(...known)), fc.string({ maxLength: 6 }));
      fc.assert(
        fc.property(fc.array(cell, { maxLength: 8 }), (cells) => {
          const fields = cells.map((c) =>
            c
              .replace(/^\uFEFF/, '')
              .trim()
              .toLowerCase(),
          );
          const count = (...names: string[]) => fields.filter((f) => names.includes(f)).length;
          const result = resolveHeader(cells);
          const groups = [
            ['id', 'transactionid'],
            ['date', 'datetime'],
            ['transaction', 'amount'],
            ['accountid'],
            ['email'],
            ['name'],
          ];
          const twice = groups.some((names) => count(...names) > 1);
          if (twice) expect(result).toEqual({ ok: false, reason: expect.stringMatching(/column twice/) });
          else if (count('date', 'datetime') === 0 || count('transaction', 'amount') === 0)
            expect(result).toEqual({ ok: false, reason: expect.stringMatching(/^no recognizable header/) });
          else {
            expect(result.ok).toBe(true);
            if (result.ok) expect(fields[result.columns.date]).toMatch(/^date(time)?$/);
            if (result.ok) expect(result.columns.cellCount).toBe(cells.length);
          }
        }),
        fuzzParams(),
      );
    },
    fuzzTimeout,
  );
});
