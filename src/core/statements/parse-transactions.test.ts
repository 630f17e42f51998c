import { describe, expect, it } from 'vitest';
import { BATCH_SIZE, type ParsedLine, type ParseOptions, parseTransactions } from './parse-transactions.js';
import { deriveTransactionId } from './resolve-header.js';

const encoder = new TextEncoder();

async function* chunks(...parts: (string | Uint8Array)[]): AsyncGenerator<string | Uint8Array> {
  yield* parts;
}

async function collect(
  source: AsyncIterable<Uint8Array | string>,
  options: ParseOptions,
): Promise<ParsedLine[]> {
  const start = await parseTransactions(source, options);
  if (!start.ok) throw new Error(start.reason);
  const lines: ParsedLine[] = [];
  for await (const batch of start.lines) lines.push(...batch);
  return lines;
}

async function refusal(text: string, options: ParseOptions = { defaultYear: 2024 }): Promise<string> {
  const start = await parseTransactions(chunks(text), options);
  if (start.ok) throw new Error('expected the file to be refused');
  return start.reason;
}

const sample = 'Id,Date,Transaction\n0,7/15,+60.5\n1,7/28,-10.3\n2,8/2,-20.46\n3,8/13,+10\n';
const options = { defaultYear: 2024, defaultAccountId: 'acct-1' };

describe('parseTransactions', () => {
  it('reads the challenge sample into transactions with their line numbers', async () => {
    const lines = await collect(chunks(sample), options);
    expect(lines[0]).toEqual({
      kind: 'transaction',
      transaction: {
        accountId: 'acct-1',
        transactionId: '0',
        date: '2024-07-15',
        amountCents: 6050,
        line: 2,
      },
    });
    expect(lines.map((l) => (l.kind === 'transaction' ? l.transaction.amountCents : l.reason))).toEqual([
      6050, -1030, -2046, 1000,
    ]);
  });

  it('reports each malformed line with its number and reason and keeps the good ones', async () => {
    const text = [
      'Id,Date,Transaction', //  1
      '0,7/15,+60.5', //          2
      '1,7/28,12.3.4', //         3
      '', //                      4
      '2,2/30,-1', //             5
      '3,8/2', //                 6
      '4,8/2,+1,extra', //        7
      '5,8/3,*5', //              8
      '   ', //                   9
      ',8/4,+1', //              10
      '6,tomorrow,--5', //       11
      '7,8/13,+10', //           12
    ].join('\n');
    const lines = await collect(chunks(text), options);
    expect(lines.filter((l) => l.kind === 'rejected')).toEqual([
      {
        kind: 'rejected',
        line: 3,
        reason: 'line 3: amount "12.3.4" is not a signed decimal with at most 2 decimals',
      },
      { kind: 'rejected', line: 5, reason: 'line 5: date "2/30" does not exist in 2024' },
      { kind: 'rejected', line: 6, reason: 'line 6: expected 3 cells, found 2' },
      { kind: 'rejected', line: 7, reason: 'line 7: expected 3 cells, found 4' },
      {
        kind: 'rejected',
        line: 8,
        reason: 'line 8: amount "*5" is not a signed decimal with at most 2 decimals',
      },
      { kind: 'rejected', line: 10, reason: 'line 10: id is empty' },
      {
        kind: 'rejected',
        line: 11,
        reason:
          'line 11: amount "--5" is not a signed decimal with at most 2 decimals; date "tomorrow" is not M/D, YYYY-MM-DD or an ISO datetime',
      },
    ]);
    const good = lines.flatMap((l) =>
      l.kind === 'transaction' ? [[l.transaction.line, l.transaction.transactionId]] : [],
    );
    expect(good).toEqual([
      [2, '0'],
      [12, '7'],
    ]);
  });

  it('handles a BOM, CRLF line ends, padded cells and quoted fields', async () => {
    const text = '\uFEFF Email , Name ,Id,Date,Amount\r\n\r\n a@b.c ,"Doe, Jane", 1 , 7/15 ,"+60.5 "\r\n';
    const lines = await collect(chunks(encoder.encode(text)), options);
    expect(lines).toEqual([
      {
        kind: 'transaction',
        transaction: {
          accountId: 'acct-1',
          transactionId: '1',
          date: '2024-07-15',
          amountCents: 6050,
          line: 3,
          email: 'a@b.c',
          name: 'Doe, Jane',
        },
      },
    ]);
  });

  it('gives the same lines wherever the chunks split the bytes', async () => {
    const text =
      '\uFEFFAccountId,Datetime,Transaction,Name\r\nå1,2023-08-01 09:55:22,+60.5,"Zoë\r\nß"\r\n\r\n2,7/4,-1,€uro\r\n';
    const bytes = encoder.encode(text);
    const whole = await collect(chunks(bytes), { defaultYear: 2023 });
    expect(whole).toHaveLength(2);
    expect(whole[1]).toMatchObject({ transaction: { accountId: '2', line: 5, name: '€uro' } });
    for (let at = 0; at <= bytes.length; at += 1) {
      const split = await collect(chunks(bytes.slice(0, at), bytes.slice(at)), { defaultYear: 2023 });
      expect(split, `split at byte ${at}`).toEqual(whole);
    }
    const bytewise = [...bytes].map((byte) => Uint8Array.of(byte));
    expect(await collect(chunks(...bytewise), { defaultYear: 2023 })).toEqual(whole);
  });

  it('reads the last line even without a final line break', async () => {
    const lines = await collect(chunks('Id,Date,Amount\n1,7/15,+1'), options);
    expect(lines).toHaveLength(1);
  });

  it('yields large files in bounded batches, in order', async () => {
    const count = BATCH_SIZE * 2 + 7;
    async function* rows(): AsyncGenerator<string> {
      yield 'Id,Date,Amount\n';
      for (let i = 0; i < count; i += 1) yield `${i},7/15,+1\n`;
    }
    const start = await parseTransactions(rows(), options);
    if (!start.ok) throw new Error(start.reason);
    const sizes: number[] = [];
    let last = 1;
    for await (const batch of start.lines) {
      sizes.push(batch.length);
      for (const line of batch) {
        if (line.kind !== 'transaction') throw new Error(line.reason);
        expect(line.transaction.line).toBe(last + 1);
        last = line.transaction.line;
      }
    }
    expect(Math.max(...sizes)).toBeLessThanOrEqual(BATCH_SIZE);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(count);
  });

  it('derives stable ids from content when the file has no id column', async () => {
    const text =
      'AccountId,Datetime,Transaction\n1,2023-08-01 09:55:22,+60.5\n2,2023-08-01,+60.5\n1,2023-08-01T10:00,+60.5\n';
    const ids = (await collect(chunks(text), { defaultYear: 2024 })).map((l) =>
      l.kind === 'transaction' ? l.transaction.transactionId : l.reason,
    );
    expect(ids).toEqual([
      deriveTransactionId('1', '2023-08-01', 6050, 0),
      deriveTransactionId('2', '2023-08-01', 6050, 0),
      deriveTransactionId('1', '2023-08-01', 6050, 1),
    ]);
    expect(new Set(ids).size).toBe(3);
  });

  it('takes the account from the row, else from the default, and rejects a row with neither', async () => {
    const text = 'Id,Date,Amount,AccountId\n1,7/15,+1,row-acct\n2,7/15,+1,\n';
    const withDefault = await collect(chunks(text), { defaultYear: 2024, defaultAccountId: 'meta' });
    expect(withDefault.map((l) => (l.kind === 'transaction' ? l.transaction.accountId : l.reason))).toEqual([
      'row-acct',
      'meta',
    ]);
    const withoutDefault = await collect(chunks(text), { defaultYear: 2024 });
    expect(withoutDefault[1]).toEqual({
      kind: 'rejected',
      line: 3,
      reason: 'line 3: no account: AccountId is empty and no default account was given',
    });
  });

  it('reads a quote after padding as text, as RFC 4180 and papaparse do, so the cell count tells', async () => {
    const lines = await collect(chunks('Id,Name,Date,Amount\n1, "Doe, Jane" ,7/15,+1\n'), options);
    expect(lines).toEqual([{ kind: 'rejected', line: 2, reason: 'line 2: expected 4 cells, found 5' }]);
  });

  it('refuses a file whose first non-empty line is not a header, saying what it expected and found', async () => {
    const reason = await refusal('\n0,7/15,+60.5\n1,7/28,-10.3\n');
    expect(reason).toBe(
      'line 2: no recognizable header: expected columns Date (or Datetime) and Transaction (or Amount), optionally Id (or TransactionId), AccountId, Email, Name; found "0", "7/15", "+60.5"',
    );
  });

  it('refuses an empty file', async () => {
    expect(await refusal('\r\n  \n')).toBe('no recognizable header: the file has no non-empty line');
    expect(await refusal('')).toBe('no recognizable header: the file has no non-empty line');
  });

  it('refuses a file without AccountId column when no account is given', async () => {
    expect(await refusal(sample)).toBe(
      'no account: the file has no AccountId column and no account was given; add AccountId column, metadata account-id, or key prefix accounts/<id>/',
    );
  });

  it('releases the source when the header is refused or the reader stops early', async () => {
    let closed = 0;
    async function* source(): AsyncGenerator<string> {
      try {
        yield 'Id,Date,Amount\n';
        for (let i = 0; i < 3 * BATCH_SIZE; i += 1) yield `${i},7/15,+1\n`;
      } finally {
        closed += 1;
      }
    }
    expect((await parseTransactions(source(), { defaultYear: 2024 })).ok).toBe(false);
    const start = await parseTransactions(source(), options);
    if (!start.ok) throw new Error(start.reason);
    for await (const _batch of start.lines) break;
    expect(closed).toBe(2);
  });
});
