import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type CsvRecord, createRecordSplitter } from '../../src/core/statements/split-records.js';
import { cellArb, csvRecord, cutsArb, cutText, physicalLines } from './csv.js';
import { fuzzParams, fuzzTimeout } from './settings.js';

/** The record reader under both CSV pipelines (statements and loader). */

function readAll(chunks: readonly string[]): CsvRecord[] {
  const splitter = createRecordSplitter();
  const records = chunks.flatMap((chunk) => splitter.push(chunk));
  return [...records, ...splitter.end()];
}

const recordsArb = fc.array(
  fc.record({ cells: fc.array(cellArb, { minLength: 1, maxLength: 5 }), quoteBits: fc.nat() }),
  { maxLength: 12 },
);

/** Text a CSV file may hold, valid or not: every character the reader treats specially. */
const rawTextArb = fc.string({
  unit: fc.constantFrom('a', 'b', ' ', ',', '"', '""', '\n', '\r\n', '\r', 'é', '😀'),
  maxLength: 60,
});

describe('CSV record splitter (fuzz)', () => {
  it(
    'reads back every record written with RFC 4180 quoting, in any chunking, with its start line',
    () => {
      fc.assert(
        fc.property(recordsArb, fc.boolean(), fc.boolean(), cutsArb, (records, crlf, lastEol, cuts) => {
          const eol = crlf ? '\r\n' : '\n';
          const lines = records.map(({ cells, quoteBits }) => csvRecord(cells, quoteBits));
          // A last record without a line end is still a record, unless it is the empty line.
          const endsOpen = !lastEol && lines.length > 0 && lines.at(-1) !== '';
          const text = lines.map((line, index) => line + (endsOpen && index === lines.length - 1 ? '' : eol));
          const expected: CsvRecord[] = [];
          let line = 1;
          for (const [index, { cells }] of records.entries()) {
            expected.push({ line, cells });
            line += physicalLines(lines[index] as string);
          }
          expect(readAll(cutText(text.join(''), cuts))).toEqual(expected);
        }),
        fuzzParams(),
      );
    },
    fuzzTimeout,
  );

  it(
    'reads any text the same whatever the chunk boundaries, never throwing',
    () => {
      fc.assert(
        fc.property(rawTextArb, cutsArb, (text, cuts) => {
          const whole = readAll([text]);
          expect(readAll(cutText(text, cuts))).toEqual(whole);
        }),
        fuzzParams(),
      );
    },
    fuzzTimeout,
  );

  it(
    'gives every record a rising line number and every error the line it names',
    () => {
      fc.assert(
        fc.property(rawTextArb, (text) => {
          const records = readAll([text]);
          let previous = 0;
          for (const record of records) {
            expect(record.line).toBeGreaterThan(previous);
            previous = record.line;
            if ('error' in record) expect(record.error).toMatch(new RegExp(`^line ${record.line}: \\S`));
            else expect(record.cells.length).toBeGreaterThan(0);
          }
          // Nothing is read past the text's last line.
          expect(previous).toBeLessThanOrEqual(physicalLines(text));
        }),
        fuzzParams(),
      );
    },
    fuzzTimeout,
  );

  it(
    'reads quote-free text exactly as a split on line ends and commas',
    () => {
      const plain = fc.string({ unit: fc.constantFrom('a', ' ', ',', '\n', 'é', '😀'), maxLength: 60 });
      fc.assert(
        fc.property(plain, cutsArb, (text, cuts) => {
          const lines = text.split('\n');
          if (lines.at(-1) === '') lines.pop();
          const expected = lines.map((line, index) => ({ line: index + 1, cells: line.split(',') }));
          expect(readAll(cutText(text, cuts))).toEqual(expected);
        }),
        fuzzParams(),
      );
    },
    fuzzTimeout,
  );
});
