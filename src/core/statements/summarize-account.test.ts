import { describe, expect, it } from 'vitest';
import { CHALLENGE_SUMMARY } from '../../../test/support/fixtures.js';
import {
  monthlyTotalsOf,
  summarizeAccount,
  summarizeTransactions,
  summaryFingerprint,
} from './summarize-account.js';

const challenge = [
  { date: '2024-07-15', amountCents: 6050 },
  { date: '2024-07-28', amountCents: -1030 },
  { date: '2024-08-02', amountCents: -2046 },
  { date: '2024-08-13', amountCents: 1000 },
];

describe('summarizeTransactions', () => {
  it('gives the challenge figures in the documented JSON shape', () => {
    expect(JSON.stringify(summarizeTransactions('acct-1', challenge))).toBe(
      JSON.stringify(CHALLENGE_SUMMARY),
    );
  });

  it('orders months chronologically across years', () => {
    const summary = summarizeTransactions('a', [
      { date: '2025-01-03', amountCents: 100 },
      { date: '2024-12-31', amountCents: -100 },
      { date: '2024-02-01', amountCents: 100 },
    ]);
    expect(summary.months.map((m) => [m.month, m.name])).toEqual([
      ['2024-02', 'February'],
      ['2024-12', 'December'],
      ['2025-01', 'January'],
    ]);
  });

  it('counts zero amounts in the month but in neither average', () => {
    const summary = summarizeTransactions('a', [
      { date: '2024-07-01', amountCents: 0 },
      { date: '2024-07-02', amountCents: 300 },
    ]);
    expect(summary).toMatchObject({ transactionCount: 2, averageCredit: '3.00', averageDebit: null });
    expect(summary.months[0]).toMatchObject({ count: 2, averageCredit: '3.00', averageDebit: null });
  });

  it('gives a null average where there is no credit or no debit, and a zero balance when empty', () => {
    expect(summarizeTransactions('a', [])).toEqual({
      accountId: 'a',
      balance: '0.00',
      transactionCount: 0,
      averageCredit: null,
      averageDebit: null,
      months: [],
    });
  });

  it('rounds averages half away from zero', () => {
    const summary = summarizeTransactions('a', [
      { date: '2024-01-01', amountCents: -1 },
      { date: '2024-01-02', amountCents: -2 },
      { date: '2024-01-03', amountCents: 1 },
      { date: '2024-01-04', amountCents: 2 },
    ]);
    expect(summary).toMatchObject({ averageCredit: '0.02', averageDebit: '-0.02' });
  });
});

describe('summarizeAccount', () => {
  it('adds up a month given twice and accepts totals without a zero count', () => {
    const totals = monthlyTotalsOf(challenge);
    const split = [
      ...totals,
      { month: '2024-07', creditCount: 1, creditCents: 50, debitCount: 0, debitCents: 0 },
    ];
    expect(summarizeAccount('acct-1', split).months[0]).toEqual({
      month: '2024-07',
      name: 'July',
      count: 3,
      averageCredit: '30.50',
      averageDebit: '-10.30',
    });
  });

  it('refuses a month that is not YYYY-MM', () => {
    const bad = { month: '2024-13', creditCount: 0, creditCents: 0, debitCount: 0, debitCents: 0 };
    expect(() => summarizeAccount('a', [bad])).toThrow(RangeError);
  });
});

describe('summaryFingerprint', () => {
  it('is the same for equal summaries whatever their key order', () => {
    const summary = summarizeTransactions('acct-1', challenge);
    const { months, ...rest } = summary;
    const reordered = { months, ...Object.fromEntries(Object.entries(rest).reverse()) } as typeof summary;
    expect(summaryFingerprint(reordered)).toBe(summaryFingerprint(summary));
    expect(summaryFingerprint(summary)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('changes when any figure changes', () => {
    const summary = summarizeTransactions('acct-1', challenge);
    const other = summarizeTransactions('acct-1', [...challenge, { date: '2024-08-20', amountCents: 1 }]);
    expect(summaryFingerprint(other)).not.toBe(summaryFingerprint(summary));
  });
});
