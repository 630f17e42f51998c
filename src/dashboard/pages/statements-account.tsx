import type { OutboxListing } from '../../api/services.js';
import { formatCents } from '../../core/statements/money.js';
import type { AccountSummary } from '../../core/statements/summarize-account.js';
import type { Account, MonthlyTotals } from '../../core/statements/types.js';
import { Chart, Empty, formatNumber, Notice, TableWrap } from '../components.js';
import { Page } from '../layout.js';
import { EmailFrame, EmailsTable } from './outbox-views.js';
import { AccountForm, SummaryFigures } from './statements-views.js';

export interface AccountView {
  accountId: string;
  holder: Account | undefined;
  totals: MonthlyTotals[];
  summary: AccountSummary | undefined;
  emails: OutboxListing[];
  waiting: number;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
/** `2024-07` → `Jul 2024` */
const monthLabel = (month: string) =>
  `${MONTHS[Number(month.slice(5, 7)) - 1] ?? month} ${month.slice(0, 4)}`;
const countOf = (m: MonthlyTotals) => m.creditCount + m.debitCount + (m.zeroCount ?? 0);

/**
 * Credits and debits per month as bars (debits below zero, as they are), the number of
 * transactions as a line on its own axis. Chart.js gets floats; the table beside it has the
 * exact amounts.
 */
function chartConfig(totals: readonly MonthlyTotals[]) {
  return {
    type: 'bar',
    data: {
      labels: totals.map((m) => monthLabel(m.month)),
      datasets: [
        {
          label: 'Credits',
          data: totals.map((m) => m.creditCents / 100),
          backgroundColor: '#1a7f37',
          yAxisID: 'y',
          order: 1,
        },
        {
          label: 'Debits',
          data: totals.map((m) => m.debitCents / 100),
          backgroundColor: '#b42318',
          yAxisID: 'y',
          order: 1,
        },
        {
          type: 'line',
          label: 'Transactions',
          data: totals.map(countOf),
          borderColor: '#0b5cd5',
          backgroundColor: '#0b5cd5',
          yAxisID: 'count',
          // Drawn over the bars.
          order: 0,
        },
      ],
    },
    options: {
      interaction: { mode: 'index', intersect: false },
      scales: {
        // Stacked: a month's credits rise above zero and its debits fall below, in one column.
        x: { stacked: true },
        y: { stacked: true, grace: '5%', title: { display: true, text: 'Amount' } },
        count: {
          position: 'right',
          beginAtZero: true,
          grace: '10%',
          ticks: { precision: 0 },
          grid: { drawOnChartArea: false },
          title: { display: true, text: 'Transactions' },
        },
      },
    },
  };
}

const MonthsTable = ({ totals, summary }: { totals: readonly MonthlyTotals[]; summary: AccountSummary }) => (
  <TableWrap label="Monthly totals">
    <table>
      <thead>
        <tr>
          <th scope="col">month</th>
          <th scope="col" class="num">
            transactions
          </th>
          <th scope="col" class="num">
            credits
          </th>
          <th scope="col" class="num">
            credited
          </th>
          <th scope="col" class="num">
            average credit
          </th>
          <th scope="col" class="num">
            debits
          </th>
          <th scope="col" class="num">
            debited
          </th>
          <th scope="col" class="num">
            average debit
          </th>
        </tr>
      </thead>
      <tbody>
        {totals.map((m) => {
          const month = summary.months.find((s) => s.month === m.month);
          return (
            <tr data-month={m.month}>
              <th scope="row">{monthLabel(m.month)}</th>
              <td class="num">{formatNumber(countOf(m))}</td>
              <td class="num">{formatNumber(m.creditCount)}</td>
              <td class="num">{formatCents(m.creditCents)}</td>
              <td class="num">{month?.averageCredit ?? '—'}</td>
              <td class="num">{formatNumber(m.debitCount)}</td>
              <td class="num">{formatCents(m.debitCents)}</td>
              <td class="num">{month?.averageDebit ?? '—'}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  </TableWrap>
);

/** One account: holder, summary, monthly chart and table, and the emails sent to its holder. */
export const AccountPage = ({ view, saved }: { view: AccountView; saved: boolean }) => {
  const { accountId, holder, summary, emails } = view;
  const totals = [...view.totals].sort((a, b) => (a.month < b.month ? -1 : a.month > b.month ? 1 : 0));
  return (
    <Page title={`Account ${accountId}`} current="statements">
      <nav aria-label="Breadcrumbs">
        <ol class="breadcrumbs">
          <li>
            <a href="/ui/statements">Statements</a>
          </li>
          <li>
            <span aria-current="page">{accountId}</span>
          </li>
        </ol>
      </nav>
      {saved && <Notice>{`Saved the holder of account ${accountId}.`}</Notice>}
      {view.waiting > 0 && (
        <Notice kind="error">
          {`${view.waiting} statement${view.waiting === 1 ? '' : 's'} of this account wait${view.waiting === 1 ? 's' : ''} in the dead-letter queue for an email address. `}
          {holder?.email ? 'The address is known now: ' : 'Add the holder below, then '}
          <a href="/ui/queues">replay them on the Queues page</a>.
        </Notice>
      )}
      <h2>Holder</h2>
      {holder?.email ? (
        <p>{`${holder.name} <${holder.email}>`}</p>
      ) : (
        <Empty>No email known for this account: its statements cannot be sent.</Empty>
      )}
      <details open={!holder?.email}>
        <summary>{holder?.email ? 'Change the holder' : 'Add the holder'}</summary>
        <AccountForm values={holder ?? { accountId }} />
      </details>
      <h2>Summary</h2>
      {summary ? (
        <>
          <SummaryFigures summary={summary} />
          <Chart
            id="account-months"
            label={`Credits, debits and transactions per month of account ${accountId}`}
            config={chartConfig(totals)}
          >
            <MonthsTable totals={totals} summary={summary} />
          </Chart>
        </>
      ) : (
        <Empty>No transactions stored for this account yet.</Empty>
      )}
      <h2>{holder?.email ? `Emails sent to ${holder.email}` : 'Emails sent'}</h2>
      <EmailsTable emails={emails} label={`Emails sent to account ${accountId}`} />
      {emails[0] && (
        <>
          <h3>The latest, as rendered</h3>
          <EmailFrame email={emails[0]} />
        </>
      )}
    </Page>
  );
};
