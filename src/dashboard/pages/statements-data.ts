import type { OutboxListing } from '../../api/services.js';
import { type AccountSummary, summarizeAccount } from '../../core/statements/summarize-account.js';
import type { Account, MonthlyTotals } from '../../core/statements/types.js';
import type { ObjectInfo } from '../../ports/object-store.js';
import type { FileReport } from '../../ports/statements-repository.js';
import type { DashboardServices } from '../services.js';

/** The bucket statement files land in (topology `buckets.transactions`). */
export const TRANSACTIONS_BUCKET = 'transactions';
/** The queue a statement waits in when its account has no email address. */
export const NOTIFY_DLQ = 'statements-notify-dlq';
/** Statement files the page lists, newest first. */
export const FILES_SHOWN = 20;
/** Files whose reports are read to find accounts that have transactions but no holder yet. */
const FILES_SCANNED = 200;

/** A statement file: the object, and the report of its ingestion once there is one. */
export interface StatementFile {
  info: ObjectInfo;
  report: FileReport | undefined;
}

/** Only `.csv` keys start the statements pipeline (topology rule `statements-csv-uploaded`). */
const isStatementFile = (info: ObjectInfo) => info.key.endsWith('.csv');

/** The most recent statement files with their reports, newest first. */
export async function recentFiles(services: DashboardServices, limit: number): Promise<StatementFile[]> {
  const objects = (await services.api.objects.list(TRANSACTIONS_BUCKET))
    .filter(isStatementFile)
    .sort((a, b) => b.lastModified.getTime() - a.lastModified.getTime() || (a.key < b.key ? -1 : 1))
    .slice(0, limit);
  return Promise.all(objects.map(async (info) => ({ info, report: await reportOf(services, info) })));
}

/** The report of an object's current version (what `GET /statements/files` reads). */
export const reportOf = (services: DashboardServices, info: ObjectInfo): Promise<FileReport | undefined> =>
  services.api.statements.getFileReport(`${info.bucket}/${info.key}@${info.etag}`);

/** Statement summaries waiting in the DLQ for an email address, counted by account. */
export async function waitingByAccount(services: DashboardServices): Promise<Map<string, number>> {
  const waiting = new Map<string, number>();
  for (const letter of await services.api.deadLetters.list()) {
    if (letter.queue !== NOTIFY_DLQ) continue;
    const accountId = accountOfEvent(letter.body);
    if (accountId !== undefined) waiting.set(accountId, (waiting.get(accountId) ?? 0) + 1);
  }
  return waiting;
}

function accountOfEvent(body: string): string | undefined {
  try {
    const accountId = (JSON.parse(body) as { detail?: { accountId?: unknown } }).detail?.accountId;
    return typeof accountId === 'string' ? accountId : undefined;
  } catch {
    return undefined;
  }
}

/** One account as the statements page lists it. */
export interface AccountRow {
  accountId: string;
  holder: Account | undefined;
  summary: AccountSummary | undefined;
  emails: number;
  waiting: number;
}

/** Emails sent to an address (compared without case, as mailboxes mostly are). */
export const emailsTo = (outbox: readonly OutboxListing[], email: string | undefined): OutboxListing[] =>
  email ? outbox.filter((m) => m.to.some((to) => to.toLowerCase() === email.toLowerCase())) : [];

/**
 * Every account the dashboard knows: the registered holders, and the accounts of recent files
 * (which may have no holder yet), each with its summary, emails sent and statements waiting.
 */
export async function accountRows(
  services: DashboardServices,
  files: readonly StatementFile[],
): Promise<AccountRow[]> {
  const [holders, outbox, waiting, scanned] = await Promise.all([
    services.api.statements.listAccounts(),
    services.api.outbox.list(),
    waitingByAccount(services),
    files.length >= FILES_SHOWN ? recentFiles(services, FILES_SCANNED) : files,
  ]);
  const byId = new Map(holders.map((holder) => [holder.accountId, holder]));
  const ids = new Set([
    ...byId.keys(),
    ...scanned.flatMap((f) => f.report?.accounts ?? []),
    ...waiting.keys(),
  ]);
  const rows = await Promise.all(
    [...ids]
      .sort((a, b) => a.localeCompare(b, 'en', { numeric: true }))
      .map(async (accountId) => {
        const holder = byId.get(accountId);
        return {
          accountId,
          holder,
          summary: summaryOf(accountId, await services.api.statements.monthlyTotals(accountId)),
          emails: emailsTo(outbox, holder?.email).length,
          waiting: waiting.get(accountId) ?? 0,
        };
      }),
  );
  return rows;
}

/** The account's summary, or nothing when it has no transaction stored. */
export const summaryOf = (accountId: string, totals: readonly MonthlyTotals[]): AccountSummary | undefined =>
  totals.length === 0 ? undefined : summarizeAccount(accountId, totals);
