import type { Clock } from '../../ports/clock.js';
import type { Mailer } from '../../ports/mailer.js';
import type { ObjectStore } from '../../ports/object-store.js';
import type { StatementsRepository } from '../../ports/statements-repository.js';
import { composeStatementEmail } from './compose-email.js';
import { renderStatement } from './render-statement.js';
import type { AccountSummary } from './summarize-account.js';

export const TEMPLATES_BUCKET = 'email-templates';
export const TEMPLATE_KEY = 'statement.html';

export interface NotifyDeps {
  objects: ObjectStore;
  repository: StatementsRepository;
  mailer: Mailer;
  clock: Clock;
  /** The shipped template and logo, used when bucket `email-templates` has no `statement.html`. */
  defaultTemplate: { html: string; logo: Buffer };
  from: string;
}

export interface StatementSummarizedDetail {
  accountId: string;
  fingerprint: string;
  summary: AccountSummary;
}

export type NotifyOutcome =
  | { kind: 'sent' | 'duplicate'; emailId: string; to: string }
  | { kind: 'no-email'; reason: string };

/**
 * Sends the statement email for one summary. The email id is derived from the account and the
 * summary's fingerprint, so a summary that did not change is never sent twice.
 */
export async function notifyStatement(
  detail: StatementSummarizedDetail,
  deps: NotifyDeps,
): Promise<NotifyOutcome> {
  const holder = await deps.repository.getAccount(detail.accountId);
  if (!holder?.email) {
    return {
      kind: 'no-email',
      reason: `no email known for account "${detail.accountId}": add it with \`tributary accounts add ${detail.accountId} --email … --name …\`, then replay this message`,
    };
  }
  const template = await loadTemplate(deps);
  const rendered = renderStatement({
    template,
    holder: { name: holder.name, email: holder.email },
    summary: detail.summary,
    now: deps.clock.now(),
  });
  const emailId = `statement-${detail.accountId}-${detail.fingerprint.slice(0, 16)}`;
  const email = await composeStatementEmail({
    id: emailId,
    from: deps.from,
    to: [holder.email],
    ...rendered,
    logo: deps.defaultTemplate.logo,
    date: deps.clock.now(),
  });
  const kind = await deps.mailer.send(email);
  return { kind, emailId, to: holder.email };
}

async function loadTemplate(deps: NotifyDeps): Promise<string> {
  const custom = await deps.objects.head(TEMPLATES_BUCKET, TEMPLATE_KEY);
  if (!custom) return deps.defaultTemplate.html;
  const chunks: Uint8Array[] = [];
  for await (const chunk of deps.objects.read(TEMPLATES_BUCKET, TEMPLATE_KEY)) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}
