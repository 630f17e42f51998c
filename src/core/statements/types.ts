/** One valid transaction line, in domain terms. Money is integer cents, never a float. */
export interface Transaction {
  accountId: string;
  transactionId: string;
  /** Calendar date `YYYY-MM-DD` (the time of day, when given, is not kept). */
  date: string;
  amountCents: number;
  /** 1-based line number in the source file (for reports; not part of the stored identity). */
  line: number;
  /** Holder's email and name when the file carries `Email`/`Name` columns. */
  email?: string;
  name?: string;
}

/** Totals of one calendar month of one account, as the repository aggregates them. */
export interface MonthlyTotals {
  /** `YYYY-MM` */
  month: string;
  creditCount: number;
  creditCents: number;
  debitCount: number;
  /** Sum of debits, negative or zero. */
  debitCents: number;
  /**
   * Transactions of amount zero: neither credit nor debit, but still part of the month's
   * transaction count (`creditCount + debitCount + zeroCount`). Absent means none.
   */
  zeroCount?: number;
}

export interface Account {
  accountId: string;
  email: string;
  name: string;
}

/** Outcome of storing one transaction idempotently (key: account + transaction id). */
export type SaveOutcome =
  | { kind: 'inserted' }
  | { kind: 'duplicate' }
  | { kind: 'conflict'; existing: { date: string; amountCents: number } };
