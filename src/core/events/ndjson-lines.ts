/** A non-blank NDJSON line, or the size of one too long to keep. `line` is 1-based. */
export type NdjsonLine = { line: number; text: string } | { line: number; oversized: true; bytes: number };

const NEWLINE = 10;
const CARRIAGE_RETURN = 13;

/**
 * Reads NDJSON as it streams in, one line at a time: memory holds the current line only, and
 * never more than `maxLineBytes` of it. A longer line is skipped to its end and reported as
 * `oversized` with its size, so one huge line costs no memory and does not stop the file.
 *
 * Lines end at `\n` (a `\r` before it is dropped); the last may have no line end. Blank lines
 * are skipped but counted. A UTF-8 BOM is dropped. Chunks may split lines and multi-byte
 * characters anywhere: lines are cut on bytes and decoded once complete. String chunks are
 * encoded as UTF-8 first. Sizes count the line's UTF-8 bytes, line end excluded.
 */
export async function* ndjsonLines(
  source: AsyncIterable<Uint8Array | string>,
  options: { maxLineBytes: number },
): AsyncGenerator<NdjsonLine> {
  const { maxLineBytes } = options;
  const encoder = new TextEncoder();
  // Keeps a U+FEFF at a line's start: only the file's first one is a BOM.
  const decoder = new TextDecoder('utf-8', { ignoreBOM: true });
  let parts: Uint8Array[] = [];
  let held = 0;
  /** Bytes of the oversized line being skipped, or -1 while the line is kept. */
  let skipped = -1;
  let lastByte = -1;
  let line = 1;

  const add = (bytes: Uint8Array, start: number, stop: number, carried: boolean): void => {
    if (stop === start) return;
    lastByte = bytes[stop - 1] ?? -1;
    const length = stop - start;
    if (skipped >= 0) {
      skipped += length;
    } else if (held + length > maxLineBytes + 1) {
      // One byte of slack for a `\r` that the line end will drop.
      skipped = held + length;
      parts = [];
      held = 0;
    } else {
      // A part carried to the next chunk is copied, so as not to pin the whole chunk.
      parts.push(carried ? bytes.slice(start, stop) : bytes.subarray(start, stop));
      held += length;
    }
  };

  const finish = (): NdjsonLine | undefined => {
    const lineEnd = lastByte === CARRIAGE_RETURN ? 1 : 0;
    const kept = parts;
    const total = skipped >= 0 ? skipped : held;
    parts = [];
    held = 0;
    skipped = -1;
    lastByte = -1;
    const bytes = total - lineEnd;
    if (bytes > maxLineBytes) return { line, oversized: true, bytes };
    let text = decoder.decode(concat(kept, total).subarray(0, bytes));
    if (line === 1 && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    return text.trim() === '' ? undefined : { line, text };
  };

  for await (const chunk of source) {
    const bytes = typeof chunk === 'string' ? encoder.encode(chunk) : chunk;
    let start = 0;
    for (;;) {
      const end = bytes.indexOf(NEWLINE, start);
      if (end === -1) {
        add(bytes, start, bytes.length, true);
        break;
      }
      add(bytes, start, end, false);
      const item = finish();
      if (item !== undefined) yield item;
      line += 1;
      start = end + 1;
    }
  }
  if (held > 0 || skipped >= 0) {
    const item = finish();
    if (item !== undefined) yield item;
  }
}

function concat(parts: readonly Uint8Array[], total: number): Uint8Array {
  if (parts.length === 1) return parts[0] as Uint8Array;
  const out = new Uint8Array(total);
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/**
 * How a file of events is laid out, from its first bytes (`head`, holding at least its whole
 * first line when that line is a record): `array` when it opens with `[`; `ndjson` when its
 * first non-blank line is JSON on its own; otherwise `object`, one record pretty-printed over
 * several lines (as the samples are). A single one-line object counts as NDJSON: one record
 * either way.
 */
export function detectBatchFormat(head: string): 'array' | 'ndjson' | 'object' {
  const text = head.replace(/^\uFEFF/, '').trimStart();
  if (text.startsWith('[')) return 'array';
  const newline = text.indexOf('\n');
  const firstLine = (newline === -1 ? text : text.slice(0, newline)).trim();
  try {
    JSON.parse(firstLine);
    return 'ndjson';
  } catch {
    return 'object';
  }
}
