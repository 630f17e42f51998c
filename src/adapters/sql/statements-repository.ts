import type { Account, MonthlyTotals, SaveOutcome, Transaction } from '../../core/statements/types.js';
import type { FileReport, StatementsRepository } from '../../ports/statements-repository.js';
import type { SqlClient } from './sql-client.js';

/** Rows per INSERT statement: big enough to amortise a round trip, small enough for PGlite's memory. */
const CHUNK_SIZE = 5_000;

/** What the table holds for one (account, id) after a save, and whether this save put it there. */
interface Stored {
  inserted: boolean;
  date: string;
  amountCents: number;
}

/**
 * The statements repository over SQL (tables of migration `002-statements.sql`), for PGlite and a
 * PostgreSQL server alike.
 *
 * @example
 * const repository = createSqlStatementsRepository(await openPGlite());
 * const outcomes = await repository.saveTransactions(transactions);
 */
export function createSqlStatementsRepository(db: SqlClient): StatementsRepository {
  return {
    saveTransactions: (transactions) => saveTransactions(db, transactions),
    monthlyTotals: (accountId) => monthlyTotals(db, accountId),

    async upsertAccount(account) {
      await db.query(
        `INSERT INTO statement_accounts (account_id, email, name, source, updated_at)
         VALUES ($1, $2, $3, 'registry', now())
         ON CONFLICT (account_id) DO UPDATE
         SET email = excluded.email, name = excluded.name, source = 'registry', updated_at = now()`,
        [account.accountId, account.email, account.name],
      );
    },

    async rememberHolder(account) {
      // A holder seen in a file never replaces a registry entry; a newer file may correct an older one.
      await db.query(
        `INSERT INTO statement_accounts AS a (account_id, email, name, source, updated_at)
         VALUES ($1, $2, $3, 'file', now())
         ON CONFLICT (account_id) DO UPDATE
         SET email = excluded.email, name = excluded.name, updated_at = now()
         WHERE a.source = 'file' AND (a.email, a.name) IS DISTINCT FROM (excluded.email, excluded.name)`,
        [account.accountId, account.email, account.name],
      );
    },

    async getAccount(accountId) {
      const { rows } = await db.query<AccountRow>(
        'SELECT account_id, email, name FROM statement_accounts WHERE account_id = $1',
        [accountId],
      );
      return rows[0] && toAccount(rows[0]);
    },

    async listAccounts() {
      const { rows } = await db.query<AccountRow>(
        'SELECT account_id, email, name FROM statement_accounts ORDER BY account_id',
      );
      return rows.map(toAccount);
    },

    async saveFileReport(report) {
      await db.query(
        `INSERT INTO statement_file_reports
           (file_id, bucket, key, etag, status, error, accepted, inserted, duplicates, rejected_count, rejected,
            accounts, finished_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11::jsonb, $12::text[], $13)
         ON CONFLICT (file_id) DO UPDATE SET
           bucket = excluded.bucket, key = excluded.key, etag = excluded.etag, status = excluded.status,
           error = excluded.error, accepted = excluded.accepted, inserted = excluded.inserted,
           duplicates = excluded.duplicates, rejected_count = excluded.rejected_count, rejected = excluded.rejected, accounts = excluded.accounts,
           finished_at = excluded.finished_at`,
        [
          report.fileId,
          report.bucket,
          report.key,
          report.etag,
          report.status,
          report.error ?? null,
          report.accepted,
          report.inserted,
          report.duplicates,
          report.rejectedCount,
          JSON.stringify(report.rejected),
          report.accounts,
          report.finishedAt,
        ],
      );
    },

    async getFileReport(fileId) {
      const { rows } = await db.query<FileReportRow>(
        'SELECT * FROM statement_file_reports WHERE file_id = $1',
        [fileId],
      );
      return rows[0] && toFileReport(rows[0]);
    },
  };
}

async function saveTransactions(db: SqlClient, transactions: readonly Transaction[]): Promise<SaveOutcome[]> {
  if (transactions.length === 0) return [];
  // Within the batch the first occurrence of a key is the one saved; later ones are judged against
  // whatever the table holds for that key afterwards, exactly like a repeat in a later batch.
  const slotOf = new Map<string, number>();
  const unique: Transaction[] = [];
  const firstPosition: number[] = [];
  const slots = transactions.map((transaction, position) => {
    const key = keyOf(transaction.accountId, transaction.transactionId);
    let slot = slotOf.get(key);
    if (slot === undefined) {
      slot = unique.length;
      slotOf.set(key, slot);
      unique.push(transaction);
      firstPosition.push(position);
    }
    return slot;
  });

  const stored = await db.transaction(async (tx) => {
    const result: Stored[] = [];
    for (let start = 0; start < unique.length; start += CHUNK_SIZE) {
      result.push(...(await saveChunk(tx, unique.slice(start, start + CHUNK_SIZE))));
    }
    return result;
  });

  return transactions.map((transaction, position): SaveOutcome => {
    const slot = slots[position]!;
    const row = stored[slot]!;
    if (row.inserted && firstPosition[slot] === position) return { kind: 'inserted' };
    const same = row.date === transaction.date && row.amountCents === transaction.amountCents;
    if (same) return { kind: 'duplicate' };
    return { kind: 'conflict', existing: { date: row.date, amountCents: row.amountCents } };
  });
}

/** Inserts keys not yet stored, then reads back, in one query, the rows of those that were. */
async function saveChunk(tx: SqlClient, chunk: readonly Transaction[]): Promise<Stored[]> {
  const { rows: inserted } = await tx.query<KeyRow>(
    `INSERT INTO statement_transactions (account_id, transaction_id, date, amount_cents)
     SELECT * FROM unnest($1::text[], $2::text[], $3::date[], $4::bigint[])
     ON CONFLICT DO NOTHING
     RETURNING account_id, transaction_id`,
    [
      chunk.map((t) => t.accountId),
      chunk.map((t) => t.transactionId),
      chunk.map((t) => t.date),
      chunk.map((t) => t.amountCents),
    ],
  );
  const insertedKeys = new Set(inserted.map((row) => keyOf(row.account_id, row.transaction_id)));
  const existing = new Map<string, TransactionRow>();
  if (insertedKeys.size < chunk.length) {
    const others = chunk.filter((t) => !insertedKeys.has(keyOf(t.accountId, t.transactionId)));
    const { rows } = await tx.query<TransactionRow>(
      `SELECT t.account_id, t.transaction_id, t.date, t.amount_cents
       FROM statement_transactions t
       JOIN unnest($1::text[], $2::text[]) AS k (account_id, transaction_id) USING (account_id, transaction_id)`,
      [others.map((t) => t.accountId), others.map((t) => t.transactionId)],
    );
    for (const row of rows) existing.set(keyOf(row.account_id, row.transaction_id), row);
  }
  return chunk.map((t) => {
    const key = keyOf(t.accountId, t.transactionId);
    if (insertedKeys.has(key)) return { inserted: true, date: t.date, amountCents: t.amountCents };
    const row = existing.get(key);
    // ON CONFLICT skipped it, so a committed row exists and nothing here deletes transactions.
    if (!row) throw new Error(`transaction ${t.accountId}/${t.transactionId} was neither inserted nor found`);
    return { inserted: false, date: row.date, amountCents: row.amount_cents };
  });
}

async function monthlyTotals(db: SqlClient, accountId: string): Promise<MonthlyTotals[]> {
  const { rows } = await db.query<MonthlyRow>(
    `SELECT to_char(date, 'YYYY-MM') AS month,
            count(*) FILTER (WHERE amount_cents > 0) AS credit_count,
            coalesce(sum(amount_cents) FILTER (WHERE amount_cents > 0), 0)::bigint AS credit_cents,
            count(*) FILTER (WHERE amount_cents < 0) AS debit_count,
            coalesce(sum(amount_cents) FILTER (WHERE amount_cents < 0), 0)::bigint AS debit_cents,
            count(*) FILTER (WHERE amount_cents = 0) AS zero_count
     FROM statement_transactions
     WHERE account_id = $1
     GROUP BY 1
     ORDER BY 1`,
    [accountId],
  );
  return rows.map((row) => ({
    month: row.month,
    creditCount: row.credit_count,
    creditCents: row.credit_cents,
    debitCount: row.debit_count,
    debitCents: row.debit_cents,
    zeroCount: row.zero_count,
  }));
}

/** Postgres text cannot hold NUL, so it cannot occur inside either part of the key. */
function keyOf(accountId: string, transactionId: string): string {
  return `${accountId}\u0000${transactionId}`;
}

function toAccount(row: AccountRow): Account {
  return { accountId: row.account_id, email: row.email, name: row.name };
}

function toFileReport(row: FileReportRow): FileReport {
  return {
    fileId: row.file_id,
    bucket: row.bucket,
    key: row.key,
    etag: row.etag,
    status: row.status,
    ...(row.error === null ? {} : { error: row.error }),
    accepted: row.accepted,
    inserted: row.inserted,
    duplicates: row.duplicates,
    rejectedCount: row.rejected_count,
    rejected: row.rejected,
    accounts: row.accounts,
    finishedAt: row.finished_at,
  };
}

interface KeyRow {
  account_id: string;
  transaction_id: string;
}

interface TransactionRow extends KeyRow {
  date: string;
  amount_cents: number;
}

interface AccountRow {
  account_id: string;
  email: string;
  name: string;
}

interface MonthlyRow {
  month: string;
  credit_count: number;
  credit_cents: number;
  debit_count: number;
  debit_cents: number;
  zero_count: number;
}

interface FileReportRow {
  file_id: string;
  bucket: string;
  key: string;
  etag: string;
  status: FileReport['status'];
  error: string | null;
  accepted: number;
  inserted: number;
  duplicates: number;
  rejected_count: number;
  rejected: FileReport['rejected'];
  accounts: string[];
  finished_at: Date;
}
