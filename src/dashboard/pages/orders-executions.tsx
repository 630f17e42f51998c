import type { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { FC } from 'hono/jsx';
import { z } from 'zod';
import type { ExecutionSummary } from '../../api/services.js';
import { Empty, Notice, Status, TableWrap, Time } from '../components.js';
import { Page } from '../layout.js';
import type { DashboardServices } from '../services.js';
import { ExecutionLive, executionHref, loadExecution } from './execution-live.js';
import { durationText, OrdersNav, parseQuery, StartAuctionForm } from './orders-common.js';

const listQuery = z.object({
  limit: z
    .string()
    .regex(/^\d+$/, 'must be a whole number from 1 to 1000')
    .transform(Number)
    .refine((n) => n >= 1 && n <= 1000, 'must be a whole number from 1 to 1000')
    .optional(),
});
const pageQuery = z.object({
  done: z.enum(['started'], { error: 'must be "started" or absent' }).optional(),
});
// Ids are UUIDs: text that no id could be is refused before it reaches the database.
const executionId = z
  .string()
  .max(200, 'is too long')
  .regex(/^[\w.:-]+$/, 'may hold only letters, digits and . _ : -');

/** Auction runs, newest first: status, when each started and stopped, and how long it took. */
export const ExecutionsTable: FC<{ executions: ExecutionSummary[]; now: Date }> = ({ executions, now }) => (
  <TableWrap label="Auction runs">
    <table>
      <caption>Auction runs, newest first</caption>
      <thead>
        <tr>
          <th scope="col">run</th>
          <th scope="col">status</th>
          <th scope="col">started</th>
          <th scope="col">stopped</th>
          <th scope="col" class="num">
            duration
          </th>
          <th scope="col">error</th>
        </tr>
      </thead>
      <tbody>
        {executions.map((e) => (
          <tr
            data-execution={e.executionId}
            class={e.status === 'RUNNING' || e.status === 'SUCCEEDED' ? '' : 'bad'}
          >
            <th scope="row">
              <a href={executionHref(e.executionId)}>
                <code>{e.executionId}</code>
              </a>
            </th>
            <td>
              <Status value={e.status} />
            </td>
            <td>
              <Time value={e.startedAt} />
            </td>
            <td>
              <Time value={e.stoppedAt} />
            </td>
            <td class="num">
              {e.stoppedAt
                ? durationText(e.stoppedAt.getTime() - e.startedAt.getTime())
                : `${durationText(now.getTime() - e.startedAt.getTime())} so far`}
            </td>
            <td>{e.error ? <code>{e.error}</code> : <span class="muted">—</span>}</td>
          </tr>
        ))}
      </tbody>
    </table>
  </TableWrap>
);

/** The auction runs: list them, start one, and follow one on its state graph. */
export function registerExecutionPages(app: Hono, services: DashboardServices): void {
  app.get('/ui/orders/executions', async (c) => {
    const { limit = 50 } = parseQuery(listQuery, c.req.query(), 'the auction runs page');
    const executions = await services.api.auction.list(limit);
    return c.html(
      <Page title="Auction runs" current="orders">
        <OrdersNav current="executions" />
        <p class="help">
          The auction workflow runs on its schedule and when started here: it asks the auction platform for
          results on the pending orders, stores the accepted ones and alerts on the rejected ones.
        </p>
        <div class="actions">
          <StartAuctionForm />
        </div>
        {executions.length === 0 ? (
          <Empty>No auction run yet.</Empty>
        ) : (
          <ExecutionsTable executions={executions} now={services.api.clock.now()} />
        )}
        {executions.length === limit && limit < 1000 && (
          <p>
            <a href={`/ui/orders/executions?limit=${Math.min(1000, limit * 2)}`}>Show more runs</a>
          </p>
        )}
      </Page>,
    );
  });

  app.post('/ui/orders/executions', async (c) => {
    const id = await services.api.auction.start();
    return c.redirect(`${executionHref(id)}?done=started`, 303);
  });

  const idOf = (raw: string) => {
    const parsed = executionId.safeParse(raw);
    if (parsed.success) return parsed.data;
    throw new HTTPException(400, {
      message: `Bad auction run id in the address: it ${parsed.error.issues[0]?.message ?? 'is not valid'}.`,
    });
  };

  app.get('/ui/orders/executions/:id', async (c) => {
    const { done } = parseQuery(pageQuery, c.req.query(), 'an auction run page');
    const data = await loadExecution(services, idOf(c.req.param('id')));
    return c.html(
      <Page title="Auction run" current="orders">
        <nav aria-label="Breadcrumbs">
          <ul class="breadcrumbs">
            <li>
              <a href="/ui/orders">Orders</a>
            </li>
            <li>
              <a href="/ui/orders/executions">Auction runs</a>
            </li>
            <li aria-current="page">
              <code>{data.execution.executionId}</code>
            </li>
          </ul>
        </nav>
        {done === 'started' && <Notice>Started this auction run.</Notice>}
        <div class="actions">
          <StartAuctionForm label="Start another auction run" />
        </div>
        <ExecutionLive data={data} />
      </Page>,
    );
  });

  app.get('/ui/orders/executions/:id/live', async (c) =>
    c.html(<ExecutionLive data={await loadExecution(services, idOf(c.req.param('id')))} />),
  );
}
