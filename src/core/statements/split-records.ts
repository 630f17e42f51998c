import Papa from 'papaparse';

/** One CSV record: its cells (untrimmed), or why it could not be read. */
export type CsvRecord = { line: number; cells: string[] } | { line: number; error: string };

/** Incremental CSV reader: text goes in as it arrives, complete records come out. */
export interface RecordSplitter {
  /** Adds decoded text; returns the records it completed. */
  push(text: string): CsvRecord[];
  /** Ends the input; returns the last record, if any. */
  end(): CsvRecord[];
}

/** A record longer than this (an unclosed quote, a file without line breaks) is given up on. */
export const MAX_RECORD_CHARS = 1 << 20;

const OUTSIDE = 0;
const QUOTED = 1;
/** Inside a quoted field, just after a quote that may start a `""` escape. */
const QUOTE_SEEN = 2;
/** Discarding the rest of an over-long line. */
const SKIPPING = 3;
const COMMA = 44;
const QUOTE = 34;

/**
 * Creates a comma-separated record reader that keeps only the current record in memory, so a
 * file of any size streams through with flat memory, whatever the chunk boundaries.
 *
 * Records end at `\n` (a `\r` before it is dropped) outside quotes. As in RFC 4180 and
 * papaparse, a quote opens a quoted field only as the first character of a field; quoted
 * fields may hold commas, `""` and line breaks. Records without any quote are split on commas
 * directly (the hot path); the others are handed to papaparse, whose complaints (a stray quote
 * after a closing one, …) become the record's error.
 *
 * `line` is the 1-based physical line where a record starts; a record spanning lines advances
 * the count by as many. A quoted field left open for {@link MAX_RECORD_CHARS} characters, or at
 * the end of input, costs only its first line: reading resumes on the next physical line.
 */
export function createRecordSplitter(): RecordSplitter {
  let pending = '';
  let start = 0;
  let scan = 0;
  let state = OUTSIDE;
  let quoted = false;
  let line = 1;
  let out: CsvRecord[] = [];

  const emit = (end: number): void => {
    let text = pending.slice(start, end);
    if (text.endsWith('\r')) text = text.slice(0, -1);
    out.push(quoted ? readQuoted(text, line) : { line, cells: text.split(',') });
    line += quoted ? 1 + countLineBreaks(text) : 1;
    start = scan = end + 1;
    quoted = false;
  };

  /** Rejects the first line of an unfinished record, then rereads what follows it. */
  const giveUp = (reason: string): void => {
    out.push({ line, error: reason });
    const lineEnd = pending.indexOf('\n', start);
    quoted = false;
    if (lineEnd === -1) {
      state = SKIPPING;
      start = scan = pending.length;
      return;
    }
    state = OUTSIDE;
    line += 1;
    start = scan = lineEnd + 1;
  };

  /** Position of the next quote at or after `scan` in OUTSIDE state: -1 none, -2 not looked. */
  let nextQuote = -2;

  const run = (final: boolean): void => {
    for (;;) {
      while (scan < pending.length) {
        if (state === SKIPPING) {
          const lineEnd = pending.indexOf('\n', scan);
          if (lineEnd === -1) {
            start = scan = pending.length;
            break;
          }
          state = OUTSIDE;
          line += 1;
          start = scan = lineEnd + 1;
        } else if (state === OUTSIDE) {
          // Searching quotes only when passed keeps this linear on quote-free text.
          if (nextQuote === -2 || (nextQuote !== -1 && nextQuote < scan))
            nextQuote = pending.indexOf('"', scan);
          const lineEnd = pending.indexOf('\n', scan);
          if (nextQuote !== -1 && (lineEnd === -1 || nextQuote < lineEnd)) {
            quoted = true;
            if (nextQuote === start || pending.charCodeAt(nextQuote - 1) === COMMA) state = QUOTED;
            scan = nextQuote + 1;
          } else if (lineEnd !== -1) {
            emit(lineEnd);
          } else {
            scan = pending.length;
          }
        } else if (state === QUOTED) {
          const quote = pending.indexOf('"', scan);
          state = quote === -1 ? QUOTED : QUOTE_SEEN;
          scan = quote === -1 ? pending.length : quote + 1;
        } else if (pending.charCodeAt(scan) === QUOTE) {
          state = QUOTED; // an escaped quote `""`
          scan += 1;
        } else {
          state = OUTSIDE; // the quote closed the field
        }
        if (state !== SKIPPING && scan - start > MAX_RECORD_CHARS) {
          giveUp(`line ${line}: record longer than ${MAX_RECORD_CHARS} characters (unclosed quote?)`);
        }
      }
      if (!final) return;
      if (state === QUOTE_SEEN) state = OUTSIDE;
      if (state === QUOTED) {
        giveUp(`line ${line}: quoted field is not closed`);
        continue;
      }
      if (state === OUTSIDE && start < pending.length) emit(pending.length);
      return;
    }
  };

  const take = (): CsvRecord[] => {
    const records = out;
    out = [];
    pending = pending.slice(start);
    scan -= start;
    nextQuote = nextQuote >= start ? nextQuote - start : -2;
    start = 0;
    return records;
  };

  return {
    push(text) {
      pending += text;
      if (nextQuote === -1) nextQuote = -2;
      run(false);
      return take();
    },
    end() {
      run(true);
      return take();
    },
  };
}

function readQuoted(text: string, line: number): CsvRecord {
  const result = Papa.parse<string[]>(text, { delimiter: ',', newline: '\n', quoteChar: '"' });
  const [first] = result.errors;
  if (first) return { line, error: `line ${line}: ${first.message.toLowerCase()}` };
  const [cells] = result.data;
  if (result.data.length !== 1 || !cells) return { line, error: `line ${line}: unreadable quoted record` };
  return { line, cells };
}

function countLineBreaks(text: string): number {
  let count = 0;
  for (let at = text.indexOf('\n'); at !== -1; at = text.indexOf('\n', at + 1)) count += 1;
  return count;
}
