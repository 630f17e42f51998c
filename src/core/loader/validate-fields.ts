import type { LoaderColumn } from './routing-rules.js';
import type { LoaderValue } from './types.js';

export type CellsCheck = { ok: true; values: LoaderValue[] } | { ok: false; reasons: string[] };

const INT_MIN = -(2 ** 31);
const INT_MAX = 2 ** 31 - 1;
const INTEGER = /^-?\d+$/;
/** ISO 8601 extended format with a mandatory offset; fractions up to microseconds as PostgreSQL keeps. */
const ISO_DATETIME =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,6})?)?(Z|[+-](\d{2})(?::?(\d{2}))?)$/;
const SHOWN_CHARS = 40;

/**
 * Checks one row's cells against the columns, collecting every problem. Fields are trimmed; all are
 * required. `int` is a 32-bit integer in plain decimal digits (no `+`, exponent or fraction);
 * `timestamptz` is an ISO 8601 datetime with `Z` or an offset, on a real calendar date.
 */
export function checkCells(cells: readonly string[], columns: readonly LoaderColumn[]): CellsCheck {
  if (cells.length !== columns.length) {
    return { ok: false, reasons: [`expected ${columns.length} columns, found ${cells.length}`] };
  }
  const reasons: string[] = [];
  const values: LoaderValue[] = [];
  columns.forEach((column, index) => {
    const field = (cells[index] ?? '').trim();
    const problem = checkField(field, column);
    if (problem) reasons.push(`${column.name}: ${problem}`);
    else values.push(column.type === 'int' ? Number(field) : field);
  });
  return reasons.length ? { ok: false, reasons } : { ok: true, values };
}

function checkField(field: string, column: LoaderColumn): string | undefined {
  if (field === '') return 'is required';
  // PostgreSQL text cannot hold NUL: such a field could never be stored.
  if (field.includes('\u0000')) return 'contains a NUL character';
  // What the UTF-8 decoder put in place of bytes that were not UTF-8: storing it would lose them.
  if (field.includes('\uFFFD')) return `${show(field)} is not valid UTF-8 (files must be UTF-8 encoded)`;
  if (column.type === 'int') {
    if (!INTEGER.test(field)) return `${show(field)} is not an integer`;
    const value = Number(field);
    if (value < INT_MIN || value > INT_MAX) return `${show(field)} is out of the 32-bit integer range`;
  }
  if (column.type === 'timestamptz' && !isIsoDatetime(field)) {
    return `${show(field)} is not an ISO 8601 datetime with an offset (e.g. 2021-07-27T16:02:08Z)`;
  }
  return undefined;
}

function isIsoDatetime(text: string): boolean {
  const match = ISO_DATETIME.exec(text);
  if (!match) return false;
  const [, year, month, day, hour, minute, second = '0', , offsetHours = '0', offsetMinutes = '0'] = match;
  const y = Number(year);
  const m = Number(month);
  return (
    y >= 1 &&
    m >= 1 &&
    m <= 12 &&
    Number(day) >= 1 &&
    Number(day) <= daysInMonth(y, m) &&
    Number(hour) <= 23 &&
    Number(minute) <= 59 &&
    Number(second) <= 59 &&
    Number(offsetHours) <= 15 &&
    Number(offsetMinutes) <= 59
  );
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

function show(field: string): string {
  return JSON.stringify(field.length > SHOWN_CHARS ? `${field.slice(0, SHOWN_CHARS)}…` : field);
}
