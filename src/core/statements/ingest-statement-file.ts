import type { BusPublisher } from '../../ports/bus.js';
import type { Clock } from '../../ports/clock.js';
import type { ObjectStore } from '../../ports/object-store.js';
import type { FileReport, StatementsRepository } from '../../ports/statements-repository.js';
import { formatCents } from './money.js';
import { parseTransactions } from './parse-transactions.js';
import { summarizeAccount, summaryFingerprint } from './summarize-account.js';
import type { Transaction } from './types.js';

export const STATEMENT_SUMMARIZED = 'StatementSummarized';
export const STATEMENTS_SOURCE = 'tributary.statements';

/** Bad lines kept in a file report; the count of all of them is always exact. */
export const MAX_REPORTED_LINES = 10_000;

export interface IngestDeps {
  objects: ObjectStore;
  repository: StatementsRepository;
  bus: BusPublisher;
  clock: Clock;
}

export type IngestOutcome =
  | { kind: 'missing'; bucket: string; key: string }
  | { kind: 'report'; report: FileReport };

/**
 * Ingests one transactions file: stores every valid line idempotently, reports every bad one,
 * then publishes a `StatementSummarized` event for each account the file touches.
 *
 * Running it again on the same file changes nothing and publishes the same summaries, which the
 * notify step recognises by fingerprint: that is what makes a redelivery after a crash safe.
 */
export async function ingestStatementFile(
  input: { bucket: string; key: string },
  deps: IngestDeps,
): Promise<IngestOutcome> {
  const info = await deps.objects.head(input.bucket, input.key);
  if (!info) return { kind: 'missing', ...input };
  const base = {
    fileId: `${info.bucket}/${info.key}@${info.etag}`,
    bucket: info.bucket,
    key: info.key,
    etag: info.etag,
  };
  const reject = async (error: string): Promise<IngestOutcome> => {
    const report: FileReport = {
      ...base,
      status: 'rejected',
      error,
      accepted: 0,
      inserted: 0,
      duplicates: 0,
      rejectedCount: 0,
      rejected: [],
      accounts: [],
      finishedAt: deps.clock.now(),
    };
    await deps.repository.saveFileReport(report);
    return { kind: 'report', report };
  };

  const yearText = info.metadata.year;
  if (yearText !== undefined && !/^\d{4}$/.test(yearText.trim())) {
    return reject(`metadata year "${yearText}" is not a four-digit year`);
  }
  const defaultYear = yearText ? Number(yearText.trim()) : info.lastModified.getUTCFullYear();
  const defaultAccountId = info.metadata['account-id']?.trim() || accountFromKey(info.key);

  const start = await parseTransactions(deps.objects.read(info.bucket, info.key), {
    defaultYear,
    ...(defaultAccountId ? { defaultAccountId } : {}),
  });
  if (!start.ok) return reject(start.reason);

  const counts = { accepted: 0, inserted: 0, duplicates: 0, rejectedCount: 0 };
  const rejected: FileReport['rejected'] = [];
  const addRejected = (line: number, reason: string) => {
    counts.rejectedCount += 1;
    if (rejected.length < MAX_REPORTED_LINES) rejected.push({ line, reason });
  };
  const accounts = new Set<string>();
  const holders = new Set<string>();

  for await (const batch of start.lines) {
    const transactions: Transaction[] = [];
    for (const parsed of batch) {
      if (parsed.kind === 'rejected') addRejected(parsed.line, parsed.reason);
      else transactions.push(parsed.transaction);
    }
    const outcomes = await deps.repository.saveTransactions(transactions);
    for (const [index, outcome] of outcomes.entries()) {
      const transaction = transactions[index] as Transaction;
      if (outcome.kind === 'conflict') {
        addRejected(transaction.line, conflictReason(transaction, outcome.existing));
        continue;
      }
      counts.accepted += 1;
      if (outcome.kind === 'inserted') counts.inserted += 1;
      else counts.duplicates += 1;
      accounts.add(transaction.accountId);
      if (transaction.email && !holders.has(transaction.accountId)) {
        holders.add(transaction.accountId);
        await deps.repository.rememberHolder({
          accountId: transaction.accountId,
          email: transaction.email,
          name: transaction.name ?? '',
        });
      }
    }
  }

  rejected.sort((a, b) => a.line - b.line);
  // A report newer than the upload means this is a redelivery of it (at-least-once queues, a
  // retry after a crash that followed the report): its lines now look "already stored" because
  // the first delivery stored them. The report keeps saying what the upload added.
  const earlier = await deps.repository.getFileReport(base.fileId);
  if (
    earlier?.status === 'processed' &&
    earlier.accepted === counts.accepted &&
    earlier.finishedAt.getTime() >= info.lastModified.getTime()
  ) {
    counts.inserted = Math.min(counts.accepted, earlier.inserted + counts.inserted);
    counts.duplicates = counts.accepted - counts.inserted;
  }
  const report: FileReport = {
    ...base,
    status: 'processed',
    ...counts,
    rejected,
    accounts: [...accounts].sort(),
    finishedAt: deps.clock.now(),
  };
  await deps.repository.saveFileReport(report);

  for (const accountId of report.accounts) {
    const summary = summarizeAccount(accountId, await deps.repository.monthlyTotals(accountId));
    await deps.bus.publish([
      {
        source: STATEMENTS_SOURCE,
        detailType: STATEMENT_SUMMARIZED,
        detail: {
          accountId,
          fingerprint: summaryFingerprint(summary),
          summary,
          file: { bucket: info.bucket, key: info.key },
        },
      },
    ]);
  }
  return { kind: 'report', report };
}

/** `accounts/<id>/…` names the account of every line of the file. */
export function accountFromKey(key: string): string | undefined {
  const match = /^accounts\/([^/]+)\/./.exec(key);
  return match?.[1];
}

function conflictReason(transaction: Transaction, existing: { date: string; amountCents: number }): string {
  return (
    `line ${transaction.line}: transaction id "${transaction.transactionId}" of account "${transaction.accountId}" ` +
    `is already stored with date ${existing.date} and amount ${formatCents(existing.amountCents)}; ` +
    `this line has ${transaction.date} and ${formatCents(transaction.amountCents)} (conflict, not stored)`
  );
}
