import type { AccountSummary } from '../../src/core/statements/summarize-account.js';

/**
 * The summary of `challenge-sample.csv` for account acct-1 in 2024, as the issue states it
 * (computed by hand and with Python's Decimal, not by the code under test).
 */
export const CHALLENGE_SUMMARY: AccountSummary = Object.freeze({
  accountId: 'acct-1',
  balance: '39.74',
  transactionCount: 4,
  averageCredit: '35.25',
  averageDebit: '-15.38',
  months: [
    { month: '2024-07', name: 'July', count: 2, averageCredit: '60.50', averageDebit: '-10.30' },
    { month: '2024-08', name: 'August', count: 2, averageCredit: '10.00', averageDebit: '-20.46' },
  ],
}) as AccountSummary;
