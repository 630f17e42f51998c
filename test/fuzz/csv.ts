import fc from 'fast-check';

/**
 * CSV writing and chunking for the CSV fuzzers: the writer is the reference the readers must
 * invert, and the cutters feed a file in pieces that split lines, quotes and UTF-8 sequences.
 */

/** Characters that stress a CSV reader: separators, quotes, line ends, multi-byte text. */
const CELL_CHARS = ['a', 'Z', '7', ' ', ',', '"', '\n', '\r', '\t', 'é', '€', '😀', ';', "'"];

/** A cell of any content a CSV field may carry once quoted. */
export const cellArb = fc.string({ unit: fc.constantFrom(...CELL_CHARS), maxLength: 8 });

/** A field as RFC 4180 writes it: quoted when it must be (or when `force` asks), `""` for a quote. */
export function csvField(cell: string, force = false): string {
  return force || /[",\r\n]/.test(cell) ? `"${cell.replaceAll('"', '""')}"` : cell;
}

/** One record's fields, each quoted when it must be or when its bit in `quoteBits` is set. */
export function csvRecord(cells: readonly string[], quoteBits = 0): string {
  return cells.map((cell, index) => csvField(cell, ((quoteBits >> (index % 30)) & 1) === 1)).join(',');
}

/** Physical lines a written record spans: one plus its quoted line breaks. */
export function physicalLines(text: string): number {
  return 1 + (text.match(/\n/g)?.length ?? 0);
}

/** Cut points for {@link cutText} and {@link cutBytes}, taken modulo the input length. */
export const cutsArb = fc.array(fc.nat(), { maxLength: 8 });

function positions(length: number, cuts: readonly number[]): number[] {
  const at = [...new Set(cuts.map((cut) => cut % (length + 1)))].sort((a, b) => a - b);
  return [0, ...at.filter((cut) => cut > 0 && cut < length), length];
}

/** `text` in pieces cut at `cuts` (code units: a surrogate pair may be split). */
export function cutText(text: string, cuts: readonly number[]): string[] {
  const at = positions(text.length, cuts);
  return at.slice(1).map((end, index) => text.slice(at[index], end));
}

/** The UTF-8 bytes of `text` in pieces cut at `cuts` (a multi-byte character may be split). */
export function cutBytes(text: string, cuts: readonly number[]): Uint8Array[] {
  const bytes = new TextEncoder().encode(text);
  const at = positions(bytes.length, cuts);
  return at.slice(1).map((end, index) => bytes.subarray(at[index], end));
}

/** The chunks as a stream, as a file or an upload delivers them. */
export async function* streamOf<T>(chunks: readonly T[]): AsyncGenerator<T> {
  for (const chunk of chunks) yield chunk;
}

/** Whether (year, month, day) is a real date of the proleptic Gregorian calendar, by `Date`. */
export function isCalendarDate(year: number, month: number, day: number): boolean {
  const date = new Date(Date.UTC(2000, month - 1, day));
  date.setUTCFullYear(year);
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/** The last day of a month, by `Date`. */
export function lastDay(year: number, month: number): number {
  let day = 31;
  while (!isCalendarDate(year, month, day)) day -= 1;
  return day;
}

/** Zero-padded decimal. */
export function pad(value: number, width = 2): string {
  return String(value).padStart(width, '0');
}
