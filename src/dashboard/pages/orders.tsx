import type { Hono } from 'hono';
import type { FC } from 'hono/jsx';
import { z } from 'zod';
import type { Order, OrderStatus } from '../../ports/orders-repository.js';
import { Empty, formatDuration, formatNumber, Status, TableWrap, Time } from '../components.js';
import { Page } from '../layout.js';
import type { DashboardServices } from '../services.js';
import { OrdersNav, parseQuery, StartAuctionForm } from './orders-common.js';
import { ExecutionsTable, registerExecutionPages } from './orders-executions.js';

const STATUSES = ['pending', 'accepted', 'rejected'] as const satisfies readonly OrderStatus[];
const DEFAULT_LIMIT = 25;

const ordersQuery = z.object({
  // The form's "All statuses" sends an empty value.
  status: z
    .enum([...STATUSES, ''], { error: `must be one of ${STATUSES.join(', ')}, or empty for all` })
    .optional()
    .transform((s) => s || undefined),
  cursor: z.string().min(1, 'is empty').max(200, 'is not a cursor from the "Next page" link').optional(),
  limit: z
    .string()
    .regex(/^\d+$/, 'must be a whole number from 1 to 100')
    .transform(Number)
    .refine((n) => n >= 1 && n <= 100, 'must be a whole number from 1 to 100')
    .optional(),
});

type OrdersQuery = z.infer<typeof ordersQuery>;

/** The address of a listing with these filters (the default limit is left out). */
function ordersHref(query: OrdersQuery, cursor?: string): string {
  const params = new URLSearchParams();
  if (query.status) params.set('status', query.status);
  if (query.limit && query.limit !== DEFAULT_LIMIT) params.set('limit', String(query.limit));
  if (cursor) params.set('cursor', cursor);
  const search = params.toString();
  return search ? `/ui/orders?${search}` : '/ui/orders';
}

/** Time left before the order disappears: the clock may pass expiry before the purge runs. */
const ExpiresIn: FC<{ order: Order; now: Date }> = ({ order, now }) => {
  const left = order.expiresAt.getTime() - now.getTime();
  return (
    <>
      {left > 0 ? <span>{`in ${formatDuration(left)}`}</span> : <Status value="expired" />}
      <br />
      <Time value={order.expiresAt} />
    </>
  );
};

const OrdersTable: FC<{ orders: Order[]; now: Date }> = ({ orders, now }) => (
  <TableWrap label="Orders">
    <table>
      <caption>Orders, newest first</caption>
      <thead>
        <tr>
          <th scope="col">record_id</th>
          <th scope="col">parameter_1</th>
          <th scope="col" class="num">
            parameter_2
          </th>
          <th scope="col">status</th>
          <th scope="col">received</th>
          <th scope="col">expires</th>
          <th scope="col">result</th>
        </tr>
      </thead>
      <tbody>
        {orders.map((order) => (
          <tr data-order={order.recordId}>
            <th scope="row">
              <code>{order.recordId}</code>
            </th>
            <td>{order.parameter1}</td>
            <td class="num">{formatNumber(order.parameter2)}</td>
            <td>
              <Status value={order.status} />
            </td>
            <td>
              <Time value={order.receivedAt} />
            </td>
            <td>
              <ExpiresIn order={order} now={now} />
            </td>
            <td>
              {order.result ? (
                <>
                  {order.result.power === undefined
                    ? 'no power'
                    : `power ${formatNumber(order.result.power)}`}
                  <br />
                  <Time value={order.result.decidedAt} />
                </>
              ) : (
                <span class="muted">not decided</span>
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  </TableWrap>
);

const Filters: FC<{ query: OrdersQuery }> = ({ query }) => (
  <form method="get" action="/ui/orders" class="filters">
    <div>
      <label for="orders-status">Status</label>
      <select id="orders-status" name="status">
        <option value="" selected={!query.status}>
          All statuses
        </option>
        {STATUSES.map((status) => (
          <option value={status} selected={query.status === status}>
            {status}
          </option>
        ))}
      </select>
    </div>
    {query.limit && query.limit !== DEFAULT_LIMIT && (
      <input type="hidden" name="limit" value={String(query.limit)} />
    )}
    <button type="submit" class="secondary">
      Show orders
    </button>
  </form>
);

/**
 * `/ui/orders`: orders that have not expired, newest first, with status and time to expiry,
 * filtered by status and paged; the auction runs are under `/ui/orders/executions`.
 */
export function registerOrderPages(app: Hono, services: DashboardServices): void {
  app.get('/ui/orders', async (c) => {
    const query = parseQuery(ordersQuery, c.req.query(), 'the orders page');
    const [page, runs] = await Promise.all([
      services.api.orders.list({
        limit: query.limit ?? DEFAULT_LIMIT,
        ...(query.status ? { status: query.status } : {}),
        ...(query.cursor ? { cursor: query.cursor } : {}),
      }),
      services.api.auction.list(3),
    ]);
    const now = services.api.clock.now();
    return c.html(
      <Page title="Orders" current="orders">
        <OrdersNav current="orders" />
        <p class="help">
          Energy-auction orders kept until they expire (24 h after they were received, unless configured
          otherwise). The auction decides pending orders; accepted results go to bucket{' '}
          <code>order-results</code>.
        </p>
        <div class="actions">
          <StartAuctionForm />
        </div>
        <Filters query={query} />
        {page.orders.length === 0 ? (
          <Empty>
            {query.status ? `No ${query.status} orders.` : 'No orders.'} Submit some with{' '}
            <code>tributary orders submit orders.json</code> or <code>POST /orders</code>.
          </Empty>
        ) : (
          <OrdersTable orders={page.orders} now={now} />
        )}
        <nav aria-label="Pages of orders" class="actions">
          {query.cursor && <a href={ordersHref(query)}>First page</a>}
          {page.next && (
            <a href={ordersHref(query, page.next)} rel="next">
              Next page
            </a>
          )}
        </nav>
        <h2>Latest auction runs</h2>
        {runs.length === 0 ? (
          <Empty>No auction run yet.</Empty>
        ) : (
          <ExecutionsTable executions={runs} now={now} />
        )}
        <p>
          <a href="/ui/orders/executions">All auction runs</a>
        </p>
      </Page>,
    );
  });
  registerExecutionPages(app, services);
}
