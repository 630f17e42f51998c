import type { RoutingRule } from './routing-rules.js';
import type { RowBatch } from './types.js';
import { checkCells } from './validate-fields.js';

/** Rows one `POST /datasets/:table/rows` may carry. */
export const MAX_POSTED_ROWS = 1_000;

/** A posted batch with no rows or more than {@link MAX_POSTED_ROWS}: the whole request is refused. */
export class PostedRowsCountError extends Error {
  override readonly name = 'PostedRowsCountError';
}

/**
 * Validates rows posted to the batch API with the same rules as a file's rows. A row is an array of
 * fields in column order or an object keyed by column name; numbers are read as their decimal text.
 * `line` is the row's 1-based position in the request; `raw` is the row as JSON.
 *
 * @throws PostedRowsCountError when there are 0 or more than 1,000 rows.
 */
export function validatePostedRows(rows: readonly unknown[], rule: RoutingRule): RowBatch {
  if (rows.length === 0 || rows.length > MAX_POSTED_ROWS) {
    throw new PostedRowsCountError(`expected 1 to ${MAX_POSTED_ROWS} rows, got ${rows.length}`);
  }
  const batch: RowBatch = { valid: [], rejected: [] };
  rows.forEach((row, index) => {
    const line = index + 1;
    const cells = toCells(row, rule);
    const check = 'reasons' in cells ? cells : checkCells(cells.cells, rule.columns);
    if (check.ok) batch.valid.push({ line, values: check.values });
    else batch.rejected.push({ line, raw: JSON.stringify(row) ?? String(row), reasons: check.reasons });
  });
  return batch;
}

function toCells(row: unknown, rule: RoutingRule): { cells: string[] } | { ok: false; reasons: string[] } {
  let values: unknown[];
  if (Array.isArray(row)) values = row;
  else if (typeof row === 'object' && row !== null) {
    const names = new Set(rule.columns.map((column) => column.name));
    const unknown = Object.keys(row).filter((key) => !names.has(key));
    if (unknown.length)
      return { ok: false, reasons: unknown.map((key) => `${key}: is not a column of ${rule.table}`) };
    const record = row as Record<string, unknown>;
    values = rule.columns.map((column) => record[column.name]);
  } else {
    return { ok: false, reasons: ['expected an array of fields or an object keyed by column name'] };
  }
  const reasons: string[] = [];
  const cells = values.map((value, index) => {
    if (typeof value === 'string') return value;
    if (typeof value === 'number' && Number.isFinite(value)) return String(value);
    if (value === null || value === undefined) return '';
    reasons.push(`${rule.columns[index]?.name ?? `field ${index + 1}`}: expected a string or a number`);
    return '';
  });
  return reasons.length ? { ok: false, reasons } : { cells };
}
