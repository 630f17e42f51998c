import { createReadStream } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  type ParsedLine,
  type ParseOptions,
  parseTransactions,
} from '../src/core/statements/parse-transactions.js';
import { summarizeTransactions } from '../src/core/statements/summarize-account.js';
import type { Transaction } from '../src/core/statements/types.js';

// Expected figures below were computed independently (Python csv + Decimal, ROUND_HALF_UP on
// the absolute value), not with the code under test.

const datasets = new URL('../../shared/datasets/statements/', import.meta.url);

async function parseDataset(name: string, options: ParseOptions): Promise<ParsedLine[]> {
  const path = fileURLToPath(new URL(name, datasets));
  // A small highWaterMark puts chunk boundaries inside lines and CRLFs.
  const start = await parseTransactions(createReadStream(path, { highWaterMark: 7 }), options);
  if (!start.ok) throw new Error(start.reason);
  const lines: ParsedLine[] = [];
  for await (const batch of start.lines) lines.push(...batch);
  return lines;
}

function transactionsOf(lines: ParsedLine[]): Transaction[] {
  const rejected = lines.filter((line) => line.kind === 'rejected');
  expect(rejected).toEqual([]);
  return lines.flatMap((line) => (line.kind === 'transaction' ? [line.transaction] : []));
}

describe('statements datasets', () => {
  it('summarizes challenge-sample.csv to the challenge figures', async () => {
    const transactions = transactionsOf(
      await parseDataset('challenge-sample.csv', { defaultYear: 2024, defaultAccountId: 'acct-1' }),
    );
    expect(JSON.stringify(summarizeTransactions('acct-1', transactions))).toBe(
      '{"accountId":"acct-1","balance":"39.74","transactionCount":4,"averageCredit":"35.25","averageDebit":"-15.38",' +
        '"months":[{"month":"2024-07","name":"July","count":2,"averageCredit":"60.50","averageDebit":"-10.30"},' +
        '{"month":"2024-08","name":"August","count":2,"averageCredit":"10.00","averageDebit":"-20.46"}]}',
    );
  });

  it('reads accountid-datetime.csv as four accounts with derived ids', async () => {
    const transactions = transactionsOf(await parseDataset('accountid-datetime.csv', { defaultYear: 2024 }));
    expect(transactions).toEqual([
      { accountId: '1', transactionId: 'h-407791d222681394', date: '2023-08-01', amountCents: 6050, line: 2 },
      {
        accountId: '2',
        transactionId: 'h-1c071eb7cacaea73',
        date: '2023-08-15',
        amountCents: -1030,
        line: 3,
      },
      {
        accountId: '3',
        transactionId: 'h-84c81bb5eef47127',
        date: '2023-09-16',
        amountCents: -2046,
        line: 4,
      },
      { accountId: '4', transactionId: 'h-54bda27aa5bacceb', date: '2023-09-30', amountCents: 1000, line: 5 },
    ]);
    expect(summarizeTransactions('3', transactions.slice(2, 3))).toEqual({
      accountId: '3',
      balance: '-20.46',
      transactionCount: 1,
      averageCredit: null,
      averageDebit: '-20.46',
      months: [
        { month: '2023-09', name: 'September', count: 1, averageCredit: null, averageDebit: '-20.46' },
      ],
    });
  });

  it('accepts every line of email-name-padded.csv, trimmed, leaving duplicate ids to the repository', async () => {
    const transactions = transactionsOf(
      await parseDataset('email-name-padded.csv', { defaultYear: 2024, defaultAccountId: 'ruben' }),
    );
    expect(transactions.map((t) => [t.line, t.transactionId, t.date, t.amountCents])).toEqual([
      [2, '1', '2024-07-15', 6050],
      [3, '2', '2024-07-10', -1030],
      [4, '2', '2024-08-10', -2046],
      [5, '2', '2024-08-10', 1000],
    ]);
    for (const t of transactions)
      expect([t.accountId, t.email, t.name]).toEqual(['ruben', 'validEmail@gmail.com', 'Ruben']);

    const firstById = [...new Map(transactions.toReversed().map((t) => [t.transactionId, t])).values()];
    expect(summarizeTransactions('ruben', firstById)).toEqual({
      accountId: 'ruben',
      balance: '50.20',
      transactionCount: 2,
      averageCredit: '60.50',
      averageDebit: '-10.30',
      months: [{ month: '2024-07', name: 'July', count: 2, averageCredit: '60.50', averageDebit: '-10.30' }],
    });
  });

  it('summarizes transactions3000.csv month by month', async () => {
    const transactions = transactionsOf(await parseDataset('transactions3000.csv', { defaultYear: 2024 }));
    expect(new Set(transactions.map((t) => t.accountId))).toEqual(new Set(['AccountId123']));
    const summary = summarizeTransactions('AccountId123', transactions);
    const month = (m: string, name: string, count: number, averageCredit: string, averageDebit: string) => ({
      month: `2024-${m}`,
      name,
      count,
      averageCredit,
      averageDebit,
    });
    expect(summary).toEqual({
      accountId: 'AccountId123',
      balance: '1373.88',
      transactionCount: 3000,
      averageCredit: '49.64',
      averageDebit: '-48.66',
      months: [
        month('01', 'January', 253, '52.14', '-46.44'),
        month('02', 'February', 242, '50.56', '-49.66'),
        month('03', 'March', 280, '46.99', '-50.29'),
        month('04', 'April', 247, '50.66', '-48.82'),
        month('05', 'May', 257, '46.72', '-49.48'),
        month('06', 'June', 258, '44.17', '-48.96'),
        month('07', 'July', 221, '51.14', '-50.86'),
        month('08', 'August', 264, '50.46', '-47.19'),
        month('09', 'September', 255, '45.95', '-48.13'),
        month('10', 'October', 244, '52.03', '-50.44'),
        month('11', 'November', 234, '53.08', '-44.15'),
        month('12', 'December', 245, '52.36', '-48.62'),
      ],
    });
  });
});
