import fc from 'fast-check';
import type { ColumnType, LoaderColumn, RoutingRule } from '../../src/core/loader/routing-rules.js';
import type { LoaderValue } from '../../src/core/loader/types.js';
import { cellArb, lastDay, pad } from './csv.js';

/** Generated loader rules and rows, with the values a correct loader must read from them. */

const columnArb: fc.Arbitrary<LoaderColumn> = fc.record({
  name: fc.stringMatching(/^[a-z_][a-z0-9_]{0,8}$/),
  type: fc.constantFrom<ColumnType>('int', 'text', 'timestamptz'),
});

/** A rule of 1 to 5 columns (the pattern does not matter here). */
export const ruleArb: fc.Arbitrary<RoutingRule> = fc.record({
  pattern: fc.constant(/^x\.csv$/),
  table: fc.constant('fuzz'),
  columns: fc.uniqueArray(columnArb, { minLength: 1, maxLength: 5, selector: (column) => column.name }),
  header: fc.constantFrom('none', 'optional'),
});

/** An ISO 8601 datetime with an offset, as PostgreSQL reads it. */
const datetimeArb = fc
  .record({
    year: fc.integer({ min: 1, max: 9999 }),
    month: fc.integer({ min: 1, max: 12 }),
    day: fc.integer({ min: 1, max: 31 }),
    time: fc.tuple(
      fc.integer({ min: 0, max: 23 }),
      fc.integer({ min: 0, max: 59 }),
      fc.integer({ min: 0, max: 59 }),
    ),
    seconds: fc.constantFrom('', ':ss', ':ss.ffffff', ':ss.f'),
    zone: fc.constantFrom('Z', '+00:00', '-03:30', '+15:59', '+0530', '-07'),
  })
  .map(({ year, month, day, time: [h, m, s], seconds, zone }) => {
    const fraction = seconds === ':ss.ffffff' ? '.123456' : seconds === ':ss.f' ? '.5' : '';
    const date = `${pad(year, 4)}-${pad(month)}-${pad(Math.min(day, lastDay(year, month)))}`;
    return `${date}T${pad(h)}:${pad(m)}${seconds === '' ? '' : `:${pad(s)}`}${fraction}${zone}`;
  });

/** Text a table can hold: not blank, no NUL, well-formed Unicode (so no U+FFFD once decoded). */
const textArb = fc
  .oneof(cellArb, fc.string({ unit: 'grapheme', minLength: 1, maxLength: 6 }))
  .filter((text) => text.trim() !== '' && !text.includes('\u0000') && !text.includes('\uFFFD'));

/** One valid field of a column: its cell (maybe padded) and the value it loads as. */
export function fieldArb(type: ColumnType): fc.Arbitrary<{ cell: string; value: LoaderValue }> {
  const padding = fc.constantFrom('', ' ', '\t');
  if (type === 'int') {
    return fc
      .tuple(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), fc.constantFrom('', '0', '00'), padding)
      .map(([value, zeros, space]) => ({
        cell: `${space}${value < 0 ? '-' : ''}${zeros}${Math.abs(value)}${space}`,
        value: value === 0 ? 0 : value,
      }));
  }
  const text = type === 'text' ? textArb : datetimeArb;
  return fc.tuple(text, padding).map(([value, space]) => ({ cell: space + value, value: value.trim() }));
}

/** Rows of `rule`: each row's cells and the values they load as. */
export const rowsArb = (rule: RoutingRule, maxLength = 8) =>
  fc.array(fc.tuple(...rule.columns.map((column) => fieldArb(column.type))), { minLength: 1, maxLength });

/** What breaks a field of each type, and the reason it must give. */
export const badFields: Record<ColumnType, readonly (readonly [string, RegExp])[]> = {
  int: [
    ['x1', /is not an integer/],
    ['1.5', /is not an integer/],
    ['+1', /is not an integer/],
    ['1e3', /is not an integer/],
    ['0x1F', /is not an integer/],
    ['1 2', /is not an integer/],
    ['2147483648', /32-bit integer range/],
    ['-2147483649', /32-bit integer range/],
    ['99999999999999999999', /32-bit integer range/],
    [' ', /is required/],
  ],
  text: [
    ['', /is required/],
    ['a\u0000b', /NUL/],
    ['caf\uFFFD', /not valid UTF-8/],
  ],
  timestamptz: [
    ['2021-07-27T16:02:08', /ISO 8601 datetime with an offset/],
    ['2021-02-29T00:00:00Z', /ISO 8601/],
    ['2021-07-27 16:02:08Z', /ISO 8601/],
    ['2021-07-27T24:00:00Z', /ISO 8601/],
    ['2021-07-27T16:60:00Z', /ISO 8601/],
    ['2021-07-27T16:02:08+16:00', /ISO 8601/],
    ['2021-07-27T16:02:08.1234567Z', /ISO 8601/],
    ['0000-01-01T00:00:00Z', /ISO 8601/],
    ['27/07/2021', /ISO 8601/],
    ['', /is required/],
  ],
};
