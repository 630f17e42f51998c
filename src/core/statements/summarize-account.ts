import { createHash } from 'node:crypto';
import { divideRounded, formatCents } from './money.js';
import type { MonthlyTotals } from './types.js';

/** One calendar month of an account summary. Money is a decimal string; no average is `null`. */
export interface MonthSummary {
  /** `YYYY-MM` */
  month: string;
  /** English month name, without the year (`July`). */
  name: string;
  count: number;
  averageCredit: string | null;
  averageDebit: string | null;
}

/** What a statement email reports about one account. */
export interface AccountSummary {
  accountId: string;
  balance: string;
  transactionCount: number;
  averageCredit: string | null;
  averageDebit: string | null;
  /** Calendar order, spanning years if the account does. */
  months: MonthSummary[];
}

const MONTH_NAMES = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
] as const;

/**
 * Summarizes an account from its monthly totals: balance (all credits plus all debits),
 * transaction count, and average credit and debit overall and per month, in cents rounded
 * with halves away from zero. Zero-amount transactions count in `count` and
 * `transactionCount` but in neither average. Totals may come in any order; a month given
 * twice is added up.
 *
 * @example
 * summarizeAccount('acct-1', await repository.monthlyTotals('acct-1'));
 * // { accountId: 'acct-1', balance: '39.74', transactionCount: 4, averageCredit: '35.25', … }
 */
export function summarizeAccount(accountId: string, totals: readonly MonthlyTotals[]): AccountSummary {
  const byMonth = new Map<string, Required<MonthlyTotals>>();
  for (const month of totals) {
    monthName(month.month);
    const sum = byMonth.get(month.month) ?? emptyTotals(month.month);
    sum.creditCount += month.creditCount;
    sum.creditCents += month.creditCents;
    sum.debitCount += month.debitCount;
    sum.debitCents += month.debitCents;
    sum.zeroCount += month.zeroCount ?? 0;
    byMonth.set(month.month, sum);
  }
  const months = [...byMonth.values()].sort((a, b) => (a.month < b.month ? -1 : a.month > b.month ? 1 : 0));
  const all = emptyTotals('');
  for (const month of months) {
    all.creditCount += month.creditCount;
    all.creditCents += month.creditCents;
    all.debitCount += month.debitCount;
    all.debitCents += month.debitCents;
    all.zeroCount += month.zeroCount;
  }
  return {
    accountId,
    balance: formatCents(all.creditCents + all.debitCents),
    transactionCount: countOf(all),
    averageCredit: average(all.creditCents, all.creditCount),
    averageDebit: average(all.debitCents, all.debitCount),
    months: months.map((month) => ({
      month: month.month,
      name: monthName(month.month),
      count: countOf(month),
      averageCredit: average(month.creditCents, month.creditCount),
      averageDebit: average(month.debitCents, month.debitCount),
    })),
  };
}

/**
 * Groups transactions by calendar month in memory and summarizes them, as the repository's
 * totals would. Meant for tests, small inputs and as the reference behaviour.
 */
export function summarizeTransactions(
  accountId: string,
  transactions: Iterable<{ date: string; amountCents: number }>,
): AccountSummary {
  return summarizeAccount(accountId, monthlyTotalsOf(transactions));
}

/** Monthly totals of transactions (dates `YYYY-MM-DD`), one entry per month present. */
export function monthlyTotalsOf(
  transactions: Iterable<{ date: string; amountCents: number }>,
): MonthlyTotals[] {
  const byMonth = new Map<string, Required<MonthlyTotals>>();
  for (const { date, amountCents } of transactions) {
    const key = date.slice(0, 7);
    const month = byMonth.get(key) ?? emptyTotals(key);
    if (amountCents > 0) {
      month.creditCount += 1;
      month.creditCents += amountCents;
    } else if (amountCents < 0) {
      month.debitCount += 1;
      month.debitCents += amountCents;
    } else {
      month.zeroCount += 1;
    }
    byMonth.set(key, month);
  }
  return [...byMonth.values()];
}

/**
 * A stable fingerprint of a summary: the sha256 hex digest of its JSON with keys in the
 * documented order. Equal fingerprints mean the same email content, so it need not be re-sent.
 */
export function summaryFingerprint(summary: AccountSummary): string {
  const canonical: AccountSummary = {
    accountId: summary.accountId,
    balance: summary.balance,
    transactionCount: summary.transactionCount,
    averageCredit: summary.averageCredit,
    averageDebit: summary.averageDebit,
    months: summary.months.map((month) => ({
      month: month.month,
      name: month.name,
      count: month.count,
      averageCredit: month.averageCredit,
      averageDebit: month.averageDebit,
    })),
  };
  return createHash('sha256').update(JSON.stringify(canonical)).digest('hex');
}

function emptyTotals(month: string): Required<MonthlyTotals> {
  return { month, creditCount: 0, creditCents: 0, debitCount: 0, debitCents: 0, zeroCount: 0 };
}

function countOf(totals: Required<MonthlyTotals>): number {
  return totals.creditCount + totals.debitCount + totals.zeroCount;
}

function average(sumCents: number, count: number): string | null {
  return count === 0 ? null : formatCents(divideRounded(sumCents, count));
}

function monthName(month: string): string {
  const match = /^\d{4}-(\d{2})$/.exec(month);
  const name = match ? MONTH_NAMES[Number(match[1]) - 1] : undefined;
  if (name === undefined) throw new RangeError(`month must be YYYY-MM, got ${JSON.stringify(month)}`);
  return name;
}
