import type { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { z } from 'zod';
import type { Account } from '../../core/statements/types.js';
import { Notice } from '../components.js';
import { Page } from '../layout.js';
import type { DashboardServices } from '../services.js';
import { parseQuery } from './buckets-request.js';
import { AccountPage } from './statements-account.js';
import {
  type AccountRow,
  accountRows,
  emailsTo,
  FILES_SHOWN,
  recentFiles,
  reportOf,
  type StatementFile,
  summaryOf,
  TRANSACTIONS_BUCKET,
  waitingByAccount,
} from './statements-data.js';
import { AccountForm, AccountsTable, accountHref, FileReportView, FilesTable } from './statements-views.js';

/** The account id rules of `PUT /accounts/:id`. */
const accountId = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(128, 'at most 128 characters')
  .regex(/^[^\s/]+$/, 'no spaces or slashes');
const accountForm = z.object({
  accountId,
  email: z.email('not an email address'),
  name: z.string().trim().min(1, 'must not be empty').max(200, 'at most 200 characters'),
});
const savedQuery = z.object({ saved: z.enum(['1'], 'only saved=1 is known').optional() });
const fileQuery = z.object({
  key: z.string({ error: 'missing: give the file key as ?key=…' }).min(1, 'must not be empty'),
});

const StatementsPage = (props: {
  rows: AccountRow[];
  files: StatementFile[];
  form: Partial<Account>;
  error?: string;
}) => (
  <Page title="Statements" current="statements">
    <p class="muted">
      Transaction files uploaded to bucket <a href="/ui/buckets/transactions">transactions</a> become account
      summaries, emailed to each account's holder.
    </p>
    {props.error && <Notice kind="error">{props.error}</Notice>}
    <h2>Accounts</h2>
    <AccountsTable rows={props.rows} />
    <h2>Add or update an account</h2>
    <p class="help">
      A holder's email is where statements go. Statements that waited for it are replayed from the Queues
      page.
    </p>
    <AccountForm values={props.form} />
    <h2>Recent statement files</h2>
    <FilesTable files={props.files} />
  </Page>
);

/**
 * `/ui/statements`: accounts with their summaries, a form to add a holder, and the recent files
 * with their line counts; `/ui/statements/accounts/:id`: one account's months as a chart and a
 * table, and the emails sent to it; `/ui/statements/file?key=`: one file's rejected lines.
 */
export function registerStatementPages(app: Hono, services: DashboardServices): void {
  const statementsPage = async (form: Partial<Account> = {}, error?: string) => {
    const files = await recentFiles(services, FILES_SHOWN);
    const rows = await accountRows(services, files);
    return <StatementsPage rows={rows} files={files} form={form} {...(error ? { error } : {})} />;
  };

  app.get('/ui/statements', async (c) => c.html(await statementsPage()));

  app.post('/ui/statements/accounts', async (c) => {
    const body = await c.req.parseBody();
    const values = Object.fromEntries(
      ['accountId', 'email', 'name'].map((name) => [name, typeof body[name] === 'string' ? body[name] : '']),
    ) as Record<'accountId' | 'email' | 'name', string>;
    const parsed = accountForm.safeParse(values);
    if (!parsed.success) {
      const problems = parsed.error.issues.map(
        (issue) => `${labels[String(issue.path[0])]}: ${issue.message}`,
      );
      return c.html(await statementsPage(values, `The account was not saved. ${problems.join('; ')}.`), 400);
    }
    await services.api.statements.upsertAccount(parsed.data);
    return c.redirect(`${accountHref(parsed.data.accountId)}?saved=1`, 303);
  });

  app.get('/ui/statements/accounts/:id', async (c) => {
    const id = accountId.safeParse(c.req.param('id'));
    if (!id.success) {
      throw new HTTPException(400, {
        message: `Bad account id in the path: ${id.error.issues[0]?.message}.`,
      });
    }
    const { saved } = parseQuery(c, savedQuery);
    const [holders, totals, outbox, waiting] = await Promise.all([
      services.api.statements.listAccounts(),
      services.api.statements.monthlyTotals(id.data),
      services.api.outbox.list(),
      waitingByAccount(services),
    ]);
    const holder = holders.find((h) => h.accountId === id.data);
    const waits = waiting.get(id.data) ?? 0;
    if (!holder && totals.length === 0 && waits === 0) {
      throw new HTTPException(404, {
        message: `No account "${id.data}": no holder registered and no transactions stored.`,
      });
    }
    const view = {
      accountId: id.data,
      holder,
      totals,
      summary: summaryOf(id.data, totals),
      emails: emailsTo(outbox, holder?.email),
      waiting: waits,
    };
    return c.html(<AccountPage view={view} saved={saved === '1'} />);
  });

  app.get('/ui/statements/file', async (c) => {
    const { key } = parseQuery(c, fileQuery);
    const info = await services.api.objects.head(TRANSACTIONS_BUCKET, key);
    if (!info)
      throw new HTTPException(404, { message: `No file "${key}" in bucket ${TRANSACTIONS_BUCKET}.` });
    const file = { info, report: await reportOf(services, info) };
    return c.html(
      <Page title={`Statement file ${key}`} current="statements">
        <nav aria-label="Breadcrumbs">
          <ol class="breadcrumbs">
            <li>
              <a href="/ui/statements">Statements</a>
            </li>
            <li>
              <span aria-current="page">{key}</span>
            </li>
          </ol>
        </nav>
        <FileReportView file={file} />
      </Page>,
    );
  });
}

const labels: Record<string, string> = { accountId: 'Account id', email: 'Email', name: 'Name' };
