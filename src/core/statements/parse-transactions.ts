import { parseAmount } from './money.js';
import { parseTransactionDate } from './parse-date.js';
import { type Columns, deriveTransactionId, resolveHeader } from './resolve-header.js';
import { type CsvRecord, createRecordSplitter } from './split-records.js';
import type { Transaction } from './types.js';

/** How to read a statements file. */
export interface ParseOptions {
  /** Year of `M/D` dates: the upload's `year` metadata, else the upload's own year. */
  defaultYear: number;
  /** Account of rows without an `AccountId` cell (object metadata `account-id` or key prefix). */
  defaultAccountId?: string;
}

/** One non-empty data line: a valid transaction, or why the line was rejected. */
export type ParsedLine =
  | { kind: 'transaction'; transaction: Transaction }
  | { kind: 'rejected'; line: number; reason: string };

/** Whether the file can be read at all; if so, its lines in batches, in file order. */
export type ParseStart = { ok: true; lines: AsyncIterable<ParsedLine[]> } | { ok: false; reason: string };

/** Largest number of lines in one yielded batch. */
export const BATCH_SIZE = 5000;

/**
 * Reads a statements CSV as it streams in: memory holds one batch, never the whole file.
 *
 * The header (the first non-empty line) is read before this resolves; a file without a
 * recognizable header, or whose lines can have no account, is refused as a whole. Then every
 * data line is validated on its own: a bad line becomes a `rejected` entry (`line` is the
 * 1-based physical line, the header being line 1) and never stops the file. Blank lines are
 * skipped. Cells are trimmed; a UTF-8 BOM, CRLF line ends and quoted fields are handled, and
 * chunks may split lines or multi-byte characters anywhere.
 *
 * Without an id column each transaction gets a content-derived id ({@link deriveTransactionId}),
 * which costs one map entry per distinct (account, date, amount) in the file.
 * Duplicate ids are left to the repository.
 *
 * Iterate `lines` to the end (or break out of the loop) so the source is released.
 *
 * @example
 * const start = await parseTransactions(createReadStream(path), { defaultYear: 2024 });
 * if (start.ok) for await (const batch of start.lines) await store(batch);
 */
export async function parseTransactions(
  source: AsyncIterable<Uint8Array | string>,
  options: ParseOptions,
): Promise<ParseStart> {
  const records = readRecords(source)[Symbol.asyncIterator]();
  let batch: CsvRecord[] = [];
  let headerAt = -1;
  while (headerAt === -1) {
    const next = await records.next();
    if (next.done) return { ok: false, reason: 'no recognizable header: the file has no non-empty line' };
    batch = next.value;
    headerAt = batch.findIndex((record) => !isBlank(record));
  }
  const header = batch[headerAt] as CsvRecord;
  const refuse = async (reason: string): Promise<ParseStart> => {
    await records.return(undefined);
    return { ok: false, reason };
  };
  if ('error' in header) return refuse(`no recognizable header: ${header.error}`);
  const resolved = resolveHeader(header.cells);
  if (!resolved.ok) return refuse(`line ${header.line}: ${resolved.reason}`);
  const defaultAccountId = options.defaultAccountId?.trim() || undefined;
  if (resolved.columns.accountId === undefined && defaultAccountId === undefined) {
    return refuse(
      'no account: the file has no AccountId column and no account was given; add AccountId column, metadata account-id, or key prefix accounts/<id>/',
    );
  }

  const toLine = lineReader(resolved.columns, { defaultYear: options.defaultYear, defaultAccountId });
  async function* lines(): AsyncGenerator<ParsedLine[]> {
    let out: ParsedLine[] = [];
    try {
      let pending = batch.slice(headerAt + 1);
      for (;;) {
        for (const record of pending) {
          if (isBlank(record)) continue;
          out.push(toLine(record));
          if (out.length >= BATCH_SIZE) {
            yield out;
            out = [];
          }
        }
        const next = await records.next();
        if (next.done) break;
        pending = next.value;
      }
      if (out.length > 0) yield out;
    } finally {
      await records.return(undefined);
    }
  }
  return { ok: true, lines: lines() };
}

/** Decodes the chunks as UTF-8 (streaming, so split characters survive) and splits records. */
async function* readRecords(source: AsyncIterable<Uint8Array | string>): AsyncGenerator<CsvRecord[]> {
  const decoder = new TextDecoder('utf-8');
  const splitter = createRecordSplitter();
  let first = true;
  for await (const chunk of source) {
    let text = typeof chunk === 'string' ? decoder.decode() + chunk : decoder.decode(chunk, { stream: true });
    if (first && text.length > 0) {
      text = text.replace(/^\uFEFF/, '');
      first = false;
    }
    const records = splitter.push(text);
    if (records.length > 0) yield records;
  }
  const records = splitter.push(decoder.decode());
  records.push(...splitter.end());
  if (records.length > 0) yield records;
}

function isBlank(record: CsvRecord): boolean {
  return 'cells' in record && record.cells.length === 1 && (record.cells[0] ?? '').trim() === '';
}

function lineReader(
  columns: Columns,
  options: { defaultYear: number; defaultAccountId: string | undefined },
): (record: CsvRecord) => ParsedLine {
  const occurrences = new Map<string, number>();
  return (record) => {
    const { line } = record;
    if ('error' in record) return { kind: 'rejected', line, reason: record.error };
    const cells = record.cells.map((cell) => cell.trim());
    if (cells.length !== columns.cellCount) {
      const reason = `line ${line}: expected ${columns.cellCount} cells, found ${cells.length}`;
      return { kind: 'rejected', line, reason };
    }
    const cell = (index: number | undefined): string => (index === undefined ? '' : (cells[index] ?? ''));
    const problems: string[] = [];
    // PostgreSQL text cannot hold NUL: a stored cell with one would fail the whole file's batch.
    const stored = { id: columns.id, AccountId: columns.accountId, Email: columns.email, Name: columns.name };
    for (const [name, index] of Object.entries(stored)) {
      if (cell(index).includes('\u0000')) problems.push(`${name} contains a NUL character (\\u0000)`);
    }
    const explicitId = cell(columns.id);
    if (columns.id !== undefined && explicitId === '') problems.push('id is empty');
    const amountText = cell(columns.amount);
    const amount = parseAmount(amountText);
    if (!amount.ok) problems.push(`amount ${JSON.stringify(amountText)} ${amount.reason}`);
    const date = parseTransactionDate(cell(columns.date), options.defaultYear);
    if (!date.ok) problems.push(date.reason);
    const accountId = cell(columns.accountId) || options.defaultAccountId;
    if (accountId === undefined)
      problems.push('no account: AccountId is empty and no default account was given');
    if (problems.length > 0 || !amount.ok || !date.ok || accountId === undefined) {
      return { kind: 'rejected', line, reason: `line ${line}: ${problems.join('; ')}` };
    }
    let transactionId = explicitId;
    if (columns.id === undefined) {
      const key = `${accountId}|${date.date}|${amount.cents}`;
      const occurrence = occurrences.get(key) ?? 0;
      occurrences.set(key, occurrence + 1);
      transactionId = deriveTransactionId(accountId, date.date, amount.cents, occurrence);
    }
    const transaction: Transaction = {
      accountId,
      transactionId,
      date: date.date,
      amountCents: amount.cents,
      line,
    };
    const email = cell(columns.email);
    const name = cell(columns.name);
    if (email !== '') transaction.email = email;
    if (name !== '') transaction.name = name;
    return { kind: 'transaction', transaction };
  };
}
