import Mustache from 'mustache';
import type { AccountSummary } from './summarize-account.js';

/** The account summary as the statement shows it (money as 2-decimal strings). */
export type StatementSummaryView = AccountSummary;

export interface StatementHolder {
  name: string;
  email: string;
}

export interface RenderStatementInput {
  /** Mustache HTML template (trusted: the shipped default or bucket `email-templates`). */
  template: string;
  holder: StatementHolder;
  summary: StatementSummaryView;
  /** When the statement is produced; shown as `YYYY-MM-DD` (UTC). */
  now?: Date;
}

export interface RenderedStatement {
  subject: string;
  html: string;
  text: string;
}

/** Shown where an average has no transactions to average over. */
export const ABSENT = '—';

const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
  '/': '&#x2F;',
  '`': '&#x60;',
  '=': '&#x3D;',
};

/** Escapes text for HTML element content and quoted or unquoted attribute values. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"'/`=]/g, (char) => HTML_ESCAPES[char] ?? char);
}

/**
 * Renders an account statement into an email subject, an HTML body and a plain-text body.
 *
 * The template is trusted, the data is not: every value reaches the template preformatted as a
 * string and goes through `{{ }}`, which escapes it with our own {@link escapeHtml} (not the
 * global `Mustache.escape`, which any other module could reassign). A fresh `Mustache.Writer` per
 * call keeps its parse cache private, so templates loaded from a bucket never pile up in a
 * process-wide cache. The text part is written from the same data, not by stripping the HTML.
 *
 * @example
 * const { subject, html, text } = renderStatement({ template, holder, summary, now: clock.now() });
 */
export function renderStatement(input: RenderStatementInput): RenderedStatement {
  const { holder, summary } = input;
  const subject = oneLine(`Your statement for account ${summary.accountId}`);
  const generatedOn = (input.now ?? new Date()).toISOString().slice(0, 10);
  const view = {
    subject,
    holderName: holder.name,
    holderEmail: holder.email,
    accountId: summary.accountId,
    generatedOn,
    balance: summary.balance,
    transactionCount: String(summary.transactionCount),
    averageCredit: summary.averageCredit ?? ABSENT,
    averageDebit: summary.averageDebit ?? ABSENT,
    months: summary.months.map((month) => ({
      month: month.month,
      name: month.name,
      year: month.month.slice(0, 4),
      count: String(month.count),
      averageCredit: month.averageCredit ?? ABSENT,
      averageDebit: month.averageDebit ?? ABSENT,
    })),
  };
  const html = new Mustache.Writer().render(input.template, view, {}, { escape: escapeHtml });
  return { subject, html, text: renderText(holder, summary, generatedOn) };
}

function renderText(holder: StatementHolder, summary: StatementSummaryView, generatedOn: string): string {
  const rows = summary.months.map((month) => [
    `${month.name} ${month.month.slice(0, 4)}`,
    String(month.count),
    month.averageCredit ?? ABSENT,
    month.averageDebit ?? ABSENT,
  ]);
  const table = rows.length
    ? formatTable(['Month', 'Transactions', 'Avg. credit', 'Avg. debit'], rows)
    : ['No transactions yet.'];
  return [
    `Hello ${holder.name},`,
    '',
    `Here is the summary of account ${summary.accountId} as of ${generatedOn}.`,
    '',
    `Balance:            ${summary.balance}`,
    `Total transactions: ${summary.transactionCount}`,
    `Average credit:     ${summary.averageCredit ?? ABSENT}`,
    `Average debit:      ${summary.averageDebit ?? ABSENT}`,
    '',
    'By month',
    ...table,
    '',
    `Sent by Tributary to ${holder.email}.`,
    '',
  ].join('\n');
}

/** Left-aligns the first column and right-aligns the others, padded to the widest cell. */
function formatTable(header: string[], rows: string[][]): string[] {
  const widths = header.map((cell, i) => Math.max(cell.length, ...rows.map((row) => (row[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)];
}

/** A subject is a header: line breaks in the data must not start a new header line. */
function oneLine(value: string): string {
  return value.replace(/[\r\n\t]+/g, ' ');
}
