import { createHash } from 'node:crypto';

/** Zero-based positions of the known columns in a header. Unknown columns are ignored. */
export interface Columns {
  /** Absent when the file has no id column: ids are then derived, see {@link deriveTransactionId}. */
  id?: number;
  date: number;
  amount: number;
  accountId?: number;
  email?: number;
  name?: number;
  /** Number of cells in the header; every data line must have exactly as many. */
  cellCount: number;
}

/** Result of {@link resolveHeader}. */
export type HeaderResult = { ok: true; columns: Columns } | { ok: false; reason: string };

type Field = Exclude<keyof Columns, 'cellCount'>;

const ALIASES: Readonly<Record<string, Field>> = {
  id: 'id',
  transactionid: 'id',
  date: 'date',
  datetime: 'date',
  transaction: 'amount',
  amount: 'amount',
  accountid: 'accountId',
  email: 'email',
  name: 'name',
};

const EXPECTED =
  'expected columns Date (or Datetime) and Transaction (or Amount), optionally Id (or TransactionId), AccountId, Email, Name';

/**
 * Finds the known columns in a header line by name: case-insensitive, trimmed, BOM stripped.
 * Aliases: id = `Id`/`TransactionId`; date = `Date`/`Datetime`; amount = `Transaction`/`Amount`;
 * optional `AccountId`, `Email`, `Name`. Date and amount are required; the id is optional (see
 * {@link deriveTransactionId}). A column named twice, even through two aliases, is an error.
 *
 * @example
 * resolveHeader(['AccountId', 'Datetime', 'Transaction']);
 * // { ok: true, columns: { accountId: 0, date: 1, amount: 2, cellCount: 3 } }
 */
export function resolveHeader(cells: readonly string[]): HeaderResult {
  const columns: Partial<Record<Field, number>> = {};
  for (const [index, cell] of cells.entries()) {
    const field = ALIASES[normalize(cell)];
    if (field === undefined) continue;
    const previous = columns[field];
    if (previous !== undefined) {
      return {
        ok: false,
        reason: `header names the ${field} column twice: ${quote(cells[previous] ?? '')} and ${quote(cell)}`,
      };
    }
    columns[field] = index;
  }
  const { date, amount } = columns;
  if (date === undefined || amount === undefined) {
    return { ok: false, reason: `no recognizable header: ${EXPECTED}; found ${cells.map(quote).join(', ')}` };
  }
  return { ok: true, columns: { ...columns, date, amount, cellCount: cells.length } };
}

/**
 * Derives a transaction id for files without an id column, so that uploading the same file
 * again stores nothing new.
 *
 * The id is `h-` followed by the first 16 hex digits of
 * `sha256(accountId + '|' + date + '|' + amountCents + '|' + occurrence)`, where `occurrence` is
 * the 0-based index of this (account, date, amount) triple among the lines of the same file
 * that carry it. Two identical transactions on one day thus stay two transactions, while the
 * id does not depend on line numbers: blank lines, reordering or other accounts' lines do not
 * change it.
 *
 * @example
 * deriveTransactionId('1', '2023-08-01', 6050, 0); // 'h-' + 16 hex digits
 */
export function deriveTransactionId(
  accountId: string,
  date: string,
  amountCents: number,
  occurrence: number,
): string {
  const digest = createHash('sha256')
    .update(`${accountId}|${date}|${amountCents}|${occurrence}`)
    .digest('hex');
  return `h-${digest.slice(0, 16)}`;
}

function normalize(cell: string): string {
  return cell
    .replace(/^\uFEFF/, '')
    .trim()
    .toLowerCase();
}

function quote(cell: string): string {
  return JSON.stringify(cell.replace(/^\uFEFF/, '').trim());
}
