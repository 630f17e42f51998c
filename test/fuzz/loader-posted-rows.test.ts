import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  MAX_POSTED_ROWS,
  PostedRowsCountError,
  validatePostedRows,
} from '../../src/core/loader/validate-posted-rows.js';
import { badFields, rowsArb, ruleArb } from './loader-file.js';
import { fuzzParams, fuzzTimeout } from './settings.js';

/** `POST /datasets/:table/rows`: rows as JSON arrays or objects, checked like a file's rows. */

describe('loader validatePostedRows (fuzz)', () => {
  it(
    'loads valid rows posted as arrays or objects, numbers as numbers, in request order',
    () => {
      const posted = ruleArb.chain((rule) =>
        fc.record({ rule: fc.constant(rule), rows: rowsArb(rule, 20), asObject: fc.array(fc.boolean()) }),
      );
      fc.assert(
        fc.property(posted, ({ rule, rows, asObject }) => {
          const body = rows.map((row, index) => {
            // An int may travel as a JSON number or as its text.
            const fields = row.map(({ cell, value }) =>
              typeof value === 'number' && index % 2 ? value : cell,
            );
            return asObject[index]
              ? Object.fromEntries(rule.columns.map((column, at) => [column.name, fields[at]]))
              : fields;
          });
          const batch = validatePostedRows(JSON.parse(JSON.stringify(body)), rule);
          expect(batch.rejected).toEqual([]);
          expect(batch.valid).toEqual(
            rows.map((row, index) => ({ line: index + 1, values: row.map((f) => f.value) })),
          );
        }),
        fuzzParams(),
      );
    },
    fuzzTimeout,
  );

  it(
    'rejects a posted row with a bad field, naming its column, and keeps it as JSON',
    () => {
      const posted = ruleArb.chain((rule) =>
        fc.record({
          rule: fc.constant(rule),
          rows: rowsArb(rule, 20),
          victim: fc.nat(),
          column: fc.nat(),
          bad: fc.nat(),
        }),
      );
      fc.assert(
        fc.property(posted, ({ rule, rows, victim, column, bad }) => {
          const body: unknown[][] = rows.map((row) => row.map((field) => field.cell));
          const index = victim % body.length;
          const at = column % rule.columns.length;
          const target = rule.columns[at] as (typeof rule.columns)[number];
          const choices = badFields[target.type];
          const [cell, says] = choices[bad % choices.length] as readonly [string, RegExp];
          body[index] = (body[index] as unknown[]).with(at, cell);
          const batch = validatePostedRows(body, rule);
          expect(batch.rejected).toEqual([
            {
              line: index + 1,
              raw: JSON.stringify(body[index]),
              reasons: [expect.stringMatching(new RegExp(`^${target.name}: .*${says.source}`))],
            },
          ]);
          expect(batch.valid.map((row) => row.line)).toEqual(
            rows.map((_, i) => i + 1).filter((line) => line !== index + 1),
          );
        }),
        fuzzParams(),
      );
    },
    fuzzTimeout,
  );

  it(
    'never throws on arbitrary JSON rows except for the row count, and accounts for every row',
    () => {
      const rows = fc.oneof(
        fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 6 }),
        fc.constant([]),
        fc.constant(Array.from({ length: MAX_POSTED_ROWS + 1 }, () => [1, 'x'])),
      );
      fc.assert(
        fc.property(ruleArb, rows, (rule, posted) => {
          if (posted.length === 0 || posted.length > MAX_POSTED_ROWS) {
            expect(() => validatePostedRows(posted, rule)).toThrow(PostedRowsCountError);
            return;
          }
          const batch = validatePostedRows(posted, rule);
          const lines = [...batch.valid, ...batch.rejected].map((row) => row.line).sort((a, b) => a - b);
          expect(lines).toEqual(posted.map((_, index) => index + 1));
          for (const row of batch.rejected) expect(row.reasons.length).toBeGreaterThan(0);
          for (const row of batch.valid) expect(row.values).toHaveLength(rule.columns.length);
        }),
        fuzzParams(),
      );
    },
    fuzzTimeout,
  );
});
