import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type ParsedLine, parseTransactions } from '../../src/core/statements/parse-transactions.js';
import { cutBytes, cutsArb, streamOf } from './csv.js';
import { fuzzParams, fuzzTimeout } from './settings.js';
import {
  expectedTransactions,
  type Header,
  headerArb,
  type Row,
  rowArb,
  rowCells,
  writeFile,
} from './statements-file.js';

/** The statements CSV reader, end to end: bytes in, transactions and rejected lines out. */

const DEFAULT_YEAR = 2024;

const fileArb = fc.record({
  header: headerArb,
  rows: fc.array(rowArb(DEFAULT_YEAR), { minLength: 1, maxLength: 8 }),
  defaultAccountId: fc.option(fc.constantFrom('acct-7', ' 42 '), { nil: undefined }),
  layout: fc.record({
    bom: fc.boolean(),
    crlf: fc.boolean(),
    blankBefore: fc.integer({ min: 0, max: 2 }),
    blankEvery: fc.integer({ min: 0, max: 3 }),
    quoteBits: fc.nat(),
  }),
  cuts: cutsArb,
});

type File = typeof fileArb extends fc.Arbitrary<infer T> ? T : never;

/** Files that can name an account: an AccountId column or a default one. */
const hasAccount = (file: File) =>
  file.header.fields.includes('accountId') || file.defaultAccountId !== undefined;

async function parse(text: string, cuts: readonly number[], defaultAccountId: string | undefined) {
  const start = await parseTransactions(streamOf(cutBytes(text, cuts)), {
    defaultYear: DEFAULT_YEAR,
    defaultAccountId,
  });
  if (!start.ok) return start;
  const lines: ParsedLine[] = [];
  for await (const batch of start.lines) lines.push(...batch);
  return { ok: true as const, lines };
}

function write(file: File, rows: readonly Row[], header: Header = file.header) {
  return writeFile(
    header,
    rows.map((row) => rowCells(header, row)),
    file.layout,
  );
}

/** What one line turns into when it breaks a rule, and the words its reason must contain. */
type Mutation = { cells: (cells: string[], header: Header) => string[] | undefined; says: RegExp };

const at = (header: Header, field: string) => header.fields.indexOf(field as never);
const replace = (field: string, value: string) => (cells: string[], header: Header) => {
  const index = at(header, field);
  return index === -1 ? undefined : cells.with(index, value);
};
const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  fc
    .constantFrom(
      '1.234',
      '1e5',
      '1,000',
      '.5',
      '5.',
      '--1',
      '+-1',
      '1-',
      'NaN',
      '',
      ' ',
      '0x10',
      '１',
      '99999999999999999',
    )
    .map((bad) => ({ cells: replace('amount', bad), says: /amount/ })),
  fc
    .constantFrom(
      '2/30',
      '13/1',
      '0/5',
      '2023-02-29',
      '2024-13-01',
      '2024-01-01T24:00',
      '2024-01-01T10:00+24:00',
      'yesterday',
      '',
    )
    .map((bad) => ({ cells: replace('date', bad), says: /date/ })),
  fc.constant({ cells: replace('id', '  '), says: /id is empty/ }),
  fc.constant({ cells: (cells: string[]) => [...cells, 'surplus'], says: /expected \d+ cells, found \d+/ }),
  fc.constant({ cells: (cells: string[]) => cells.slice(1), says: /expected \d+ cells, found \d+/ }),
);

describe('parseTransactions (fuzz)', () => {
  it(
    'reads every valid generated file back as its transactions, in any chunking',
    async () => {
      await fc.assert(
        fc.asyncProperty(fileArb.filter(hasAccount), async (file) => {
          const { text, lines } = write(file, file.rows);
          const parsed = await parse(text, file.cuts, file.defaultAccountId);
          const expected = expectedTransactions(file.header, file.rows, lines, file.defaultAccountId?.trim());
          expect(parsed).toEqual({
            ok: true,
            lines: expected.map((transaction) => ({ kind: 'transaction', transaction })),
          });
        }),
        fuzzParams(),
      );
    },
    fuzzTimeout,
  );

  it(
    'rejects a broken line with its line number and field, and keeps every other line',
    async () => {
      await fc.assert(
        fc.asyncProperty(fileArb.filter(hasAccount), fc.nat(), mutationArb, async (file, pick, mutation) => {
          const victim = pick % file.rows.length;
          const cells = file.rows.map((row) => rowCells(file.header, row));
          const broken = mutation.cells(cells[victim] as string[], file.header);
          fc.pre(broken !== undefined);
          cells[victim] = broken as string[];
          const { text, lines } = writeFile(file.header, cells, file.layout);
          const parsed = await parse(text, file.cuts, file.defaultAccountId);
          if (!parsed.ok) throw new Error(`the file was refused: ${parsed.reason}`);
          const kept = file.rows.filter((_, index) => index !== victim);
          const keptLines = lines.filter((_, index) => index !== victim);
          const expected = expectedTransactions(file.header, kept, keptLines, file.defaultAccountId?.trim());
          const rejected = parsed.lines.filter((line) => line.kind === 'rejected');
          expect(rejected).toHaveLength(1);
          const [line] = rejected as Extract<ParsedLine, { kind: 'rejected' }>[];
          expect(line?.line).toBe(lines[victim]);
          expect(line?.reason).toMatch(new RegExp(`^line ${lines[victim]}: `));
          expect(line?.reason).toMatch(mutation.says);
          expect(parsed.lines.filter((l) => l.kind === 'transaction')).toEqual(
            expected.map((transaction) => ({ kind: 'transaction', transaction })),
          );
        }),
        fuzzParams(),
      );
    },
    fuzzTimeout,
  );

  it(
    'refuses a file that can name no account, with the reason',
    async () => {
      const noAccount = fileArb.map((file) => ({
        ...file,
        defaultAccountId: undefined,
        header: {
          fields: file.header.fields.filter((f) => f !== 'accountId'),
          names: file.header.names.filter((_, i) => file.header.fields[i] !== 'accountId'),
        },
      }));
      await fc.assert(
        fc.asyncProperty(noAccount, async (file) => {
          const parsed = await parse(write(file, file.rows).text, file.cuts, undefined);
          expect(parsed).toEqual({ ok: false, reason: expect.stringMatching(/^no account: /) });
        }),
        fuzzParams(),
      );
    },
    fuzzTimeout,
  );

  it(
    'never throws on arbitrary bytes: each non-blank line is a transaction or a numbered rejection',
    async () => {
      const bytes = fc.uint8Array({ maxLength: 200 });
      const prefix = fc.constantFrom('', 'Date,Amount\n', 'id,datetime,transaction,accountid\r\n');
      await fc.assert(
        fc.asyncProperty(prefix, bytes, cutsArb, async (head, body, cuts) => {
          const text = head + new TextDecoder().decode(body);
          const parsed = await parse(text, cuts, 'fallback');
          if (!parsed.ok) {
            expect(parsed.reason).toMatch(/^(no recognizable header|line \d+: )/);
            return;
          }
          for (const line of parsed.lines) {
            if (line.kind === 'rejected') expect(line.reason).toMatch(new RegExp(`^line ${line.line}: `));
            else expect(Number.isSafeInteger(line.transaction.amountCents)).toBe(true);
          }
        }),
        fuzzParams(),
      );
    },
    fuzzTimeout,
  );
});
