import fc from 'fast-check';
import { deriveTransactionId } from '../../src/core/statements/resolve-header.js';
import type { Transaction } from '../../src/core/statements/types.js';
import { cellArb, csvRecord, lastDay, pad, physicalLines } from './csv.js';

/**
 * Generated statements files and the transactions a correct reader must find in them: the
 * reference the parse-transactions fuzzer compares the product with.
 */

type Field = 'id' | 'date' | 'amount' | 'accountId' | 'email' | 'name' | 'extra';

/** A header: the known columns in some order, each spelt through one of its aliases. */
export interface Header {
  fields: Field[];
  names: string[];
}

const ALIASES: Record<Field, readonly string[]> = {
  id: ['Id', 'TransactionId'],
  date: ['Date', 'Datetime'],
  amount: ['Transaction', 'Amount'],
  accountId: ['AccountId'],
  email: ['Email'],
  name: ['Name'],
  extra: ['Note', 'Memo', 'Category'],
};

/** Any case, padded with spaces: the header is matched case-insensitively and trimmed. */
const spelling = (names: readonly string[]) =>
  fc
    .tuple(fc.mixedCase(fc.constantFrom(...names)), fc.constantFrom('', ' ', '  '), fc.constantFrom('', ' '))
    .map(([name, before, after]) => before + name + after);

/** A header: the required columns and some optional ones, in any order and spelling. */
export const headerArb: fc.Arbitrary<Header> = fc
  .tuple(
    fc.constantFrom<Field[]>(['date', 'amount'], ['id', 'date', 'amount']),
    fc.subarray<Field>(['accountId', 'email', 'name', 'extra', 'extra']),
  )
  .chain(([required, optional]) =>
    fc.shuffledSubarray([...required, ...optional], { minLength: required.length + optional.length }),
  )
  .chain((fields) =>
    fc.tuple(...fields.map((field) => spelling(ALIASES[field]))).map((names) => ({ fields, names })),
  );

/** A date cell in one of the accepted forms, with the calendar date it stands for. */
export const dateArb = (defaultYear: number) =>
  fc
    .record({
      year: fc.integer({ min: 1, max: 9999 }),
      month: fc.integer({ min: 1, max: 12 }),
      day: fc.integer({ min: 1, max: 31 }),
      form: fc.constantFrom('month-day', 'date', 'date-time', 'spaced'),
      time: fc.tuple(
        fc.integer({ min: 0, max: 23 }),
        fc.integer({ min: 0, max: 59 }),
        fc.integer({ min: 0, max: 59 }),
      ),
      seconds: fc.constantFrom('', ':ss', ':ss.f'),
      zone: fc.constantFrom('', 'Z', '+05:30', '-11:00', '+23:59', '-00:00'),
    })
    .map(({ year: anyYear, month, day: anyDay, form, time: [h, m, s], seconds, zone }) => {
      const year = form === 'month-day' ? defaultYear : anyYear;
      const day = Math.min(anyDay, lastDay(year, month));
      const date = `${pad(year, 4)}-${pad(month)}-${pad(day)}`;
      const clock = `${pad(h)}:${pad(m)}`;
      const text =
        form === 'month-day'
          ? `${month}/${day}`
          : form === 'date'
            ? date
            : form === 'spaced'
              ? `${date} ${clock}:${pad(s)}`
              : `${date}T${clock}${seconds === '' ? '' : `:${pad(s)}`}${seconds === ':ss.f' ? '.123456' : ''}${zone}`;
      return { text, date };
    });

/** An amount cell (signed, 0 to 2 decimals, maybe leading zeros) with its value in cents. */
export const amountArb = fc
  .record({
    cents: fc.oneof(
      fc.integer({ min: -100_000, max: 100_000 }),
      fc.maxSafeInteger().map((n) => n - (n % 7)),
    ),
    plus: fc.boolean(),
    decimals: fc.constantFrom(0, 1, 2),
    zeros: fc.constantFrom('', '0', '00'),
  })
  .map(({ cents, plus, decimals, zeros }) => {
    const magnitude = Math.abs(cents);
    const fraction = pad(magnitude % 100);
    const places = decimals === 0 && fraction === '00' ? 0 : decimals === 1 && fraction[1] === '0' ? 1 : 2;
    const sign = cents < 0 ? '-' : plus ? '+' : '';
    const text = `${sign}${zeros}${Math.trunc(magnitude / 100)}${places === 0 ? '' : `.${fraction.slice(0, places)}`}`;
    return { text, cents: cents === 0 ? 0 : cents };
  });

/** An account id or transaction id: never empty once trimmed. */
export const idArb = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9 ._-]{0,10}$/);

/** A valid data row: each field's cell text and, for date and amount, the value it stands for. */
export interface Row {
  id: string;
  date: { text: string; date: string };
  amount: { text: string; cents: number };
  accountId: string;
  email: string;
  name: string;
  extra: string;
  /** Spaces around the date and amount cells, which are trimmed. */
  padding: string;
  quoteBits: number;
}

/** Valid rows; `M/D` dates take `defaultYear`. */
export const rowArb = (defaultYear: number): fc.Arbitrary<Row> =>
  fc.record({
    id: fc.oneof(
      idArb,
      cellArb.filter((cell) => cell.trim() !== ''),
    ),
    date: dateArb(defaultYear),
    amount: amountArb,
    accountId: idArb,
    email: cellArb,
    name: cellArb,
    extra: cellArb,
    padding: fc.constantFrom('', ' ', '\t'),
    quoteBits: fc.nat(),
  });

/** A row's cells in the header's order. */
export function rowCells(header: Header, row: Row): string[] {
  return header.fields.map((field) => {
    if (field === 'date') return row.padding + row.date.text + row.padding;
    if (field === 'amount') return row.padding + row.amount.text;
    return row[field];
  });
}

/** A whole file, and the start line of each data row. */
export function writeFile(
  header: Header,
  rows: readonly string[][],
  layout: { bom: boolean; crlf: boolean; blankBefore: number; blankEvery: number; quoteBits: number },
): { text: string; lines: number[] } {
  const eol = layout.crlf ? '\r\n' : '\n';
  const parts = [layout.bom ? '\uFEFF' : ''];
  let line = 1;
  const emit = (record: string): void => {
    parts.push(record + eol);
    line += physicalLines(record);
  };
  for (let i = 0; i < layout.blankBefore; i += 1) emit(i % 2 ? '  ' : '');
  emit(csvRecord(header.names, layout.quoteBits));
  const lines = rows.map((cells, index) => {
    if (layout.blankEvery > 0 && index % layout.blankEvery === 0) emit('');
    const at = line;
    emit(csvRecord(cells, layout.quoteBits >> 3));
    return at;
  });
  return { text: parts.join(''), lines };
}

/** The transactions a correct reader finds in valid rows (ids derived when there is no id column). */
export function expectedTransactions(
  header: Header,
  rows: readonly Row[],
  lines: readonly number[],
  defaultAccountId: string | undefined,
): Transaction[] {
  const occurrences = new Map<string, number>();
  return rows.map((row, index) => {
    const accountId = header.fields.includes('accountId')
      ? row.accountId.trim()
      : (defaultAccountId as string);
    const { date } = row.date;
    const amountCents = row.amount.cents;
    let transactionId = row.id.trim();
    if (!header.fields.includes('id')) {
      const key = `${accountId}|${date}|${amountCents}`;
      const occurrence = occurrences.get(key) ?? 0;
      occurrences.set(key, occurrence + 1);
      transactionId = deriveTransactionId(accountId, date, amountCents, occurrence);
    }
    const transaction: Transaction = {
      accountId,
      transactionId,
      date,
      amountCents,
      line: lines[index] as number,
    };
    const email = row.email.trim();
    const name = row.name.trim();
    if (header.fields.includes('email') && email !== '') transaction.email = email;
    if (header.fields.includes('name') && name !== '') transaction.name = name;
    return transaction;
  });
}
