import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { RoutingRule } from '../../src/core/loader/routing-rules.js';
import type { RowBatch } from '../../src/core/loader/types.js';
import { toCsvLine, validateRows } from '../../src/core/loader/validate-rows.js';
import { csvRecord, cutBytes, cutsArb, physicalLines, streamOf } from './csv.js';
import { badFields, rowsArb, ruleArb } from './loader-file.js';
import { fuzzParams, fuzzTimeout } from './settings.js';

/** The loader's CSV reading and row validation: bytes of a landing file in, rows to COPY out. */

const layoutArb = fc.record({
  bom: fc.boolean(),
  crlf: fc.boolean(),
  header: fc.boolean(),
  blankEvery: fc.integer({ min: 0, max: 3 }),
  quoteBits: fc.nat(),
  batchRows: fc.integer({ min: 1, max: 6 }),
  cuts: cutsArb,
});

type Layout = typeof layoutArb extends fc.Arbitrary<infer T> ? T : never;

/** A file of `rows`, with the start line of each row. */
function writeFile(rule: RoutingRule, rows: readonly string[][], layout: Layout) {
  const eol = layout.crlf ? '\r\n' : '\n';
  const parts = [layout.bom ? '\uFEFF' : ''];
  let line = 1;
  const emit = (record: string): void => {
    parts.push(record + eol);
    line += physicalLines(record);
  };
  const names = rule.columns.map((column, index) =>
    index % 2 ? column.name.toUpperCase() : ` ${column.name}`,
  );
  if (layout.header && rule.header === 'optional') emit(csvRecord(names, layout.quoteBits));
  const lines = rows.map((cells, index) => {
    if (layout.blankEvery > 0 && index % layout.blankEvery === 0) emit(index % 2 ? ' ' : '');
    const at = line;
    emit(csvRecord(cells, layout.quoteBits >> index));
    return at;
  });
  return { text: parts.join(''), lines };
}

async function readAll(text: string, rule: RoutingRule, layout: Layout) {
  const batches: RowBatch[] = [];
  for await (const batch of validateRows(streamOf(cutBytes(text, layout.cuts)), rule, layout.batchRows)) {
    expect(batch.valid.length + batch.rejected.length).toBeLessThanOrEqual(layout.batchRows);
    batches.push(batch);
  }
  return {
    valid: batches.flatMap((batch) => batch.valid),
    rejected: batches.flatMap((batch) => batch.rejected),
  };
}

/** A first row equal to the column names is a header, by design: keep generated data off it. */
const looksLikeHeader = (rule: RoutingRule, cells: readonly string[] | undefined) =>
  rule.header === 'optional' &&
  cells?.length === rule.columns.length &&
  cells.every((cell, index) => cell.trim().toLowerCase() === rule.columns[index]?.name);

const isBlank = (cells: readonly string[]) =>
  cells.length === 0 || (cells.length === 1 && cells[0]?.trim() === '');

const fileArb = ruleArb.chain((rule) =>
  fc.record({ rule: fc.constant(rule), rows: rowsArb(rule), layout: layoutArb }),
);

describe('loader validateRows (fuzz)', () => {
  it(
    'loads every valid generated row with its line and typed values, in any chunking and batch size',
    async () => {
      await fc.assert(
        fc.asyncProperty(fileArb, async ({ rule, rows, layout }) => {
          const cells = rows.map((row) => row.map((field) => field.cell));
          fc.pre(!looksLikeHeader(rule, cells[0]));
          const { text, lines } = writeFile(rule, cells, layout);
          const read = await readAll(text, rule, layout);
          expect(read.rejected).toEqual([]);
          expect(read.valid).toEqual(
            rows.map((row, index) => ({ line: lines[index], values: row.map((field) => field.value) })),
          );
        }),
        fuzzParams(),
      );
    },
    fuzzTimeout,
  );

  it(
    'rejects a broken row with its line, raw text and a reason naming the column, and loads the rest',
    async () => {
      const broken = fileArb.chain((file) =>
        fc.record({
          file: fc.constant(file),
          victim: fc.nat(file.rows.length - 1),
          column: fc.nat(file.rule.columns.length - 1),
          bad: fc.nat(),
          shape: fc.constantFrom('field', 'field', 'extra cell', 'missing cell'),
        }),
      );
      await fc.assert(
        fc.asyncProperty(broken, async ({ file: { rule, rows, layout }, victim, column, bad, shape }) => {
          const cells = rows.map((row) => row.map((field) => field.cell));
          const target = rule.columns[column] as RoutingRule['columns'][number];
          const choices = badFields[target.type];
          const [badCell, says] = choices[bad % choices.length] as readonly [string, RegExp];
          const original = cells[victim] as string[];
          const mutated =
            shape === 'field'
              ? original.with(column, badCell)
              : shape === 'extra cell'
                ? [...original, 'extra']
                : original.toSpliced(column, 1);
          fc.pre(!isBlank(mutated) && !looksLikeHeader(rule, victim === 0 ? mutated : cells[0]));
          cells[victim] = mutated;
          const { text, lines } = writeFile(rule, cells, layout);
          const read = await readAll(text, rule, layout);
          const reason =
            shape === 'field'
              ? new RegExp(`^${target.name}: .*${says.source}`)
              : new RegExp(`^expected ${rule.columns.length} columns, found ${mutated.length}$`);
          expect(read.rejected).toEqual([
            { line: lines[victim], raw: toCsvLine(mutated), reasons: [expect.stringMatching(reason)] },
          ]);
          expect(read.valid).toEqual(
            rows
              .map((row, index) => ({ line: lines[index], values: row.map((field) => field.value) }))
              .filter((_, index) => index !== victim),
          );
        }),
        fuzzParams(),
      );
    },
    fuzzTimeout,
  );

  it(
    'never throws on arbitrary bytes, and loads only values of the column types',
    async () => {
      const prefix = fc.constantFrom(
        '',
        '1,a\n',
        '7,Ann,2021-07-27T16:02:08Z,1,2\r\n',
        'id,name,datetime,department_id,job_id\n',
      );
      await fc.assert(
        fc.asyncProperty(
          ruleArb,
          prefix,
          fc.uint8Array({ maxLength: 200 }),
          layoutArb,
          async (rule, head, body, layout) => {
            const text = head + new TextDecoder().decode(body);
            const read = await readAll(text, rule, layout);
            for (const row of read.valid) {
              expect(row.values).toHaveLength(rule.columns.length);
              rule.columns.forEach((column, index) => {
                const value = row.values[index];
                if (column.type === 'int')
                  expect(Number.isInteger(value) && Math.abs(value as number) <= 2 ** 31).toBe(true);
                else
                  expect(typeof value === 'string' && value !== '' && !value.includes('\u0000')).toBe(true);
                if (column.type === 'timestamptz')
                  expect(Number.isNaN(Date.parse(value as string))).toBe(false);
              });
            }
            for (const row of read.rejected) {
              expect(row.line).toBeGreaterThan(0);
              expect(row.reasons.length).toBeGreaterThan(0);
            }
          },
        ),
        fuzzParams(),
      );
    },
    fuzzTimeout,
  );
});
