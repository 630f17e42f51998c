import type { Account, MonthlyTotals, SaveOutcome, Transaction } from '../core/statements/types.js';

/** Report of one ingested file, kept so `put --wait` and the API can show the outcome. */
export interface FileReport {
  /** `<bucket>/<key>@<etag>` */
  fileId: string;
  bucket: string;
  key: string;
  etag: string;
  status: 'processed' | 'rejected';
  /** Whole-file rejection reason (no recognizable header, no account, …). */
  error?: string;
  accepted: number;
  inserted: number;
  duplicates: number;
  /** Every rejected line, conflicts included. */
  rejectedCount: number;
  /** The first rejected lines (at most 10,000), in line order. */
  rejected: { line: number; reason: string }[];
  accounts: string[];
  finishedAt: Date;
}

/**
 * Persistence of the statements pipeline. One implementation over SQL serves PGlite and a
 * PostgreSQL server; a DynamoDB one comes with the AWS target.
 */
export interface StatementsRepository {
  /**
   * Stores transactions idempotently, returning one outcome per input in order. The same
   * (account, id) with the same date and amount is a duplicate; with other content, a conflict
   * (nothing is overwritten). Within one call the first occurrence wins.
   */
  saveTransactions(transactions: readonly Transaction[]): Promise<SaveOutcome[]>;
  monthlyTotals(accountId: string): Promise<MonthlyTotals[]>;
  upsertAccount(account: Account): Promise<void>;
  /** Records holder details seen in a file without overwriting ones set explicitly. */
  rememberHolder(account: Account): Promise<void>;
  getAccount(accountId: string): Promise<Account | undefined>;
  listAccounts(): Promise<Account[]>;
  saveFileReport(report: FileReport): Promise<void>;
  getFileReport(fileId: string): Promise<FileReport | undefined>;
}
