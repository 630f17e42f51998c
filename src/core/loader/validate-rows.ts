import { type CsvRecord, createRecordSplitter } from '../statements/split-records.js';
import type { RoutingRule } from './routing-rules.js';
import type { RowBatch } from './types.js';
import { checkCells } from './validate-fields.js';

/** Rows (valid and rejected) per batch: one COPY each, a few MB at most. */
export const DEFAULT_BATCH_ROWS = 10_000;

export type TextChunks = AsyncIterable<string | Uint8Array> | Iterable<string | Uint8Array>;

/**
 * Reads a CSV file as it streams in and validates every row against `rule`, yielding batches of
 * at most `batchRows` rows so memory stays flat whatever the file size.
 *
 * Lines are 1-based physical lines (a quoted field with line breaks advances the count); CRLF and
 * a leading BOM are accepted; blank lines are skipped; with header policy `optional`, a first row
 * equal to the column names (trimmed, case-insensitive) is skipped. A rejected row keeps its raw
 * text: the record re-serialised as CSV, which is the line itself unless it used needless quotes.
 * Bytes are decoded as UTF-8 (invalid sequences become U+FFFD, so garbage is rejected, not lost).
 *
 * @example
 * for await (const batch of validateRows(createReadStream(path), rule)) await load(batch);
 */
export async function* validateRows(
  chunks: TextChunks,
  rule: RoutingRule,
  batchRows: number = DEFAULT_BATCH_ROWS,
): AsyncGenerator<RowBatch> {
  const splitter = createRecordSplitter();
  const decoder = new TextDecoder('utf-8', { ignoreBOM: false });
  const headerNames = rule.columns.map((column) => column.name.toLowerCase());
  let first = true;
  let batch: RowBatch = { valid: [], rejected: [] };
  let size = 0;
  const full: RowBatch[] = [];
  const count = (): void => {
    size += 1;
    if (size < batchRows) return;
    full.push(batch);
    batch = { valid: [], rejected: [] };
    size = 0;
  };

  const take = (record: CsvRecord): void => {
    if ('error' in record) {
      first = false;
      batch.rejected.push({ line: record.line, raw: '', reasons: [record.error] });
      count();
      return;
    }
    const { cells, line } = record;
    if (cells.length === 1 && cells[0]?.trim() === '') return;
    const isHeader =
      first &&
      rule.header === 'optional' &&
      cells.length === headerNames.length &&
      cells.every((cell, index) => cell.trim().toLowerCase() === headerNames[index]);
    first = false;
    if (isHeader) return;
    const check = checkCells(cells, rule.columns);
    if (check.ok) batch.valid.push({ line, values: check.values });
    else batch.rejected.push({ line, raw: toCsvLine(cells), reasons: check.reasons });
    count();
  };

  let leading = true;
  for await (const chunk of chunks) {
    let text = typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
    if (leading && text.length > 0) {
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      leading = false;
    }
    for (const record of splitter.push(text)) take(record);
    yield* full.splice(0);
  }
  for (const record of splitter.push(decoder.decode())) take(record);
  for (const record of splitter.end()) take(record);
  yield* full.splice(0);
  if (size > 0) yield batch;
}

/** Cells back to one CSV line, quoting only what needs it. */
export function toCsvLine(cells: readonly string[]): string {
  return cells.map((cell) => (/[",\r\n]/.test(cell) ? `"${cell.replaceAll('"', '""')}"` : cell)).join(',');
}
