import type { AccountSummary } from '../../core/statements/summarize-account.js';
import type { Account } from '../../core/statements/types.js';
import { Empty, formatNumber, Status, TableWrap, Time } from '../components.js';
import { baseName, objectHref } from './buckets-request.js';
import type { AccountRow, StatementFile } from './statements-data.js';

/** `/ui/statements/accounts/<id>` */
export const accountHref = (accountId: string): string =>
  `/ui/statements/accounts/${encodeURIComponent(accountId)}`;
/** `/ui/statements/file?key=…`: the ingestion report of a file of bucket transactions. */
export const fileHref = (key: string): string => `/ui/statements/file?key=${encodeURIComponent(key)}`;

/** Balance, count and averages, as the email reports them. */
export const SummaryFigures = ({ summary }: { summary: AccountSummary }) => (
  <dl class="figures">
    <div>
      <dt>balance</dt>
      <dd>{summary.balance}</dd>
    </div>
    <div>
      <dt>transactions</dt>
      <dd>{formatNumber(summary.transactionCount)}</dd>
    </div>
    <div>
      <dt>average credit</dt>
      <dd>{summary.averageCredit ?? '—'}</dd>
    </div>
    <div>
      <dt>average debit</dt>
      <dd>{summary.averageDebit ?? '—'}</dd>
    </div>
  </dl>
);

/** Registers or updates a holder (what `PUT /accounts/:id` does); values survive a refusal. */
export const AccountForm = ({ values }: { values: Partial<Account> }) => (
  <form method="post" action="/ui/statements/accounts" class="filters" aria-label="Add or update an account">
    <div>
      <label for="account-id">Account id</label>
      <input id="account-id" name="accountId" required maxlength={128} value={values.accountId ?? ''} />
    </div>
    <div>
      <label for="account-email">Email</label>
      <input id="account-email" name="email" type="email" required value={values.email ?? ''} />
    </div>
    <div>
      <label for="account-name">Name</label>
      <input id="account-name" name="name" required maxlength={200} value={values.name ?? ''} />
    </div>
    <button type="submit">Save account</button>
  </form>
);

export const AccountsTable = ({ rows }: { rows: readonly AccountRow[] }) =>
  rows.length === 0 ? (
    <Empty>No accounts yet: add a holder below, or upload a statement file to bucket transactions.</Empty>
  ) : (
    <TableWrap label="Accounts">
      <table>
        <thead>
          <tr>
            <th scope="col">account</th>
            <th scope="col">holder</th>
            <th scope="col">email</th>
            <th scope="col" class="num">
              transactions
            </th>
            <th scope="col" class="num">
              balance
            </th>
            <th scope="col" class="num">
              emails sent
            </th>
            <th scope="col" class="num">
              waiting for an email
            </th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr data-account={row.accountId} class={row.waiting > 0 ? 'bad' : ''}>
              <th scope="row">
                <a href={accountHref(row.accountId)}>{row.accountId}</a>
              </th>
              <td>{row.holder?.name ?? <span class="muted">—</span>}</td>
              <td>{row.holder?.email || <span class="muted">none known</span>}</td>
              <td class="num">{formatNumber(row.summary?.transactionCount ?? 0)}</td>
              <td class="num">{row.summary?.balance ?? '—'}</td>
              <td class="num">{formatNumber(row.emails)}</td>
              <td class="num">{formatNumber(row.waiting)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableWrap>
  );

const FileStatus = ({ file }: { file: StatementFile }) =>
  file.report ? <Status value={file.report.status} /> : <Status value="pending" />;

export const FilesTable = ({ files }: { files: readonly StatementFile[] }) =>
  files.length === 0 ? (
    <Empty>No statement files yet: upload a .csv to bucket transactions.</Empty>
  ) : (
    <TableWrap label="Statement files">
      <table>
        <thead>
          <tr>
            <th scope="col">file</th>
            <th scope="col">uploaded</th>
            <th scope="col">outcome</th>
            <th scope="col" class="num">
              lines accepted
            </th>
            <th scope="col" class="num">
              new
            </th>
            <th scope="col" class="num">
              duplicates
            </th>
            <th scope="col" class="num">
              lines rejected
            </th>
            <th scope="col">accounts</th>
          </tr>
        </thead>
        <tbody>
          {files.map((file) => (
            <tr data-file={file.info.key} class={file.report?.status === 'rejected' ? 'bad' : ''}>
              <th scope="row">
                <a href={fileHref(file.info.key)}>{file.info.key}</a>
              </th>
              <td>
                <Time value={file.info.lastModified} />
              </td>
              <td>
                <FileStatus file={file} />
                {file.report?.error && <p class="help">{file.report.error}</p>}
              </td>
              <td class="num">{formatNumber(file.report?.accepted ?? 0)}</td>
              <td class="num">{formatNumber(file.report?.inserted ?? 0)}</td>
              <td class="num">{formatNumber(file.report?.duplicates ?? 0)}</td>
              <td class="num">{formatNumber(file.report?.rejectedCount ?? 0)}</td>
              <td>
                {(file.report?.accounts ?? []).map((accountId, index) => (
                  <>
                    {index > 0 && ', '}
                    <a href={accountHref(accountId)}>{accountId}</a>
                  </>
                ))}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableWrap>
  );

/** Most rejected lines the file page lists (a report keeps up to 10,000). */
const MAX_REJECTED_SHOWN = 1000;

/** A file's ingestion outcome and the rejected lines the report kept. */
export const FileReportView = ({ file }: { file: StatementFile }) => {
  const report = file.report;
  const rejected = report?.rejected.slice(0, MAX_REJECTED_SHOWN) ?? [];
  return (
    <>
      <dl class="meta">
        <dt>object</dt>
        <dd>
          <a href={objectHref(file.info.bucket, file.info.key)}>{`${file.info.bucket}/${file.info.key}`}</a>
        </dd>
        <dt>uploaded</dt>
        <dd>
          <Time value={file.info.lastModified} />
        </dd>
        <dt>outcome</dt>
        <dd>
          <FileStatus file={file} />
          {report?.error && ` ${report.error}`}
        </dd>
        {report && (
          <>
            <dt>ingested</dt>
            <dd>
              <Time value={report.finishedAt} />
            </dd>
            <dt>lines</dt>
            <dd>{`${formatNumber(report.accepted)} accepted (${formatNumber(report.inserted)} new, ${formatNumber(report.duplicates)} duplicates), ${formatNumber(report.rejectedCount)} rejected`}</dd>
          </>
        )}
      </dl>
      {!report && (
        <Empty>{`${baseName(file.info.key)} has not been ingested yet; reload in a moment.`}</Empty>
      )}
      {report && rejected.length > 0 && (
        <TableWrap label="Rejected lines">
          <table>
            <caption>
              {report.rejectedCount > rejected.length
                ? `The first ${formatNumber(rejected.length)} of ${formatNumber(report.rejectedCount)} rejected lines`
                : 'Rejected lines'}
            </caption>
            <thead>
              <tr>
                <th scope="col" class="num">
                  line
                </th>
                <th scope="col">reason</th>
              </tr>
            </thead>
            <tbody>
              {rejected.map((line) => (
                <tr>
                  <th scope="row" class="num">
                    {line.line}
                  </th>
                  <td>{line.reason}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      )}
    </>
  );
};
