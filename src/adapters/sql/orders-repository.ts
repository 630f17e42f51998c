import type { Clock } from '../../ports/clock.js';
import type {
  Order,
  OrderInput,
  OrderPage,
  OrderStatus,
  OrdersRepository,
} from '../../ports/orders-repository.js';
import { orderCursor, readOrderCursor } from '../common/order-cursor.js';
import { checkedLimit } from './event-cursors.js';
import type { SqlClient } from './sql-client.js';

/** Orders per INSERT: a request holds at most 1,000; larger calls (seeding, benchmarks) are split. */
const CHUNK_SIZE = 5_000;

/**
 * The orders repository over SQL (table `orders` of migration `007-orders.sql`), for PGlite and
 * a PostgreSQL server alike. "Now", for expiry, is the injected clock's; `purgeExpired` takes it
 * explicitly from its scheduled job. Lists are newest first by `seq` (renewed on every post),
 * with an opaque cursor.
 *
 * @example
 * const orders = createSqlOrdersRepository(db, systemClock);
 * await orders.upsert([{ recordId: 'a', parameter1: 'x', parameter2: 4 }], { receivedAt, expiresAt });
 * const page = await orders.list({ status: 'pending', limit: 100 });
 */
export function createSqlOrdersRepository(db: SqlClient, clock: Clock): OrdersRepository {
  return {
    upsert: (orders, times) => upsert(db, orders, times),
    async get(recordId) {
      const { rows } = await db.query<OrderRow>(
        'SELECT * FROM orders WHERE record_id = $1 AND expires_at > $2',
        [recordId, clock.now()],
      );
      return rows[0] && toOrder(rows[0]);
    },
    list: (options) => list(db, clock.now(), options),
    async pending(limit) {
      const { rows } = await db.query<OrderRow>(
        `SELECT * FROM orders WHERE status = 'pending' AND expires_at > $1 ORDER BY seq LIMIT $2`,
        [clock.now(), checkedLimit(limit)],
      );
      return rows.map(toOrder);
    },
    async markResult(recordId, result) {
      const { rowCount } = await db.query(
        `UPDATE orders SET status = $2, power = $3, decided_at = $4 WHERE record_id = $1 AND expires_at > $5`,
        [recordId, result.status, result.power ?? null, result.decidedAt, clock.now()],
      );
      return rowCount > 0;
    },
    async purgeExpired(now) {
      const { rowCount } = await db.query('DELETE FROM orders WHERE expires_at <= $1', [now]);
      return rowCount;
    },
  };
}

async function upsert(
  db: SqlClient,
  orders: readonly OrderInput[],
  times: { receivedAt: Date; expiresAt: Date },
): Promise<void> {
  // The last order of a repeated record_id wins: one statement cannot update a row twice.
  const unique = [...new Map(orders.map((order) => [order.recordId, order])).values()];
  if (unique.length === 0) return;
  const write = async (tx: SqlClient) => {
    for (let start = 0; start < unique.length; start += CHUNK_SIZE) {
      const chunk = unique.slice(start, start + CHUNK_SIZE);
      // Rows are written in record_id order, so concurrent posts of the same IDs lock them in
      // one order and cannot deadlock.
      await tx.query(
        `INSERT INTO orders AS o (record_id, parameter_1, parameter_2, status, received_at, expires_at)
         SELECT record_id, parameter_1, parameter_2, 'pending', $4, $5
         FROM unnest($1::text[], $2::text[], $3::float8[]) AS t (record_id, parameter_1, parameter_2)
         ORDER BY record_id
         ON CONFLICT (record_id) DO UPDATE SET
           parameter_1 = excluded.parameter_1, parameter_2 = excluded.parameter_2, status = 'pending',
           received_at = excluded.received_at, expires_at = excluded.expires_at, power = NULL,
           decided_at = NULL, seq = excluded.seq`,
        [
          chunk.map((order) => order.recordId),
          chunk.map((order) => order.parameter1),
          chunk.map((order) => order.parameter2),
          times.receivedAt,
          times.expiresAt,
        ],
      );
    }
  };
  // One statement is atomic on its own; only several chunks need a transaction (a request has
  // at most 1,000 orders, so the API path saves BEGIN and COMMIT round trips).
  await (unique.length <= CHUNK_SIZE ? write(db) : db.transaction(write));
}

async function list(
  db: SqlClient,
  now: Date,
  options: { status?: OrderStatus; limit: number; cursor?: string },
): Promise<OrderPage> {
  const limit = checkedLimit(options.limit);
  const params: unknown[] = [now];
  const where = ['expires_at > $1'];
  if (options.status !== undefined) where.push(`status = $${params.push(options.status)}`);
  if (options.cursor !== undefined) where.push(`seq < $${params.push(readOrderCursor(options.cursor))}`);
  const { rows } = await db.query<OrderRow>(
    `SELECT * FROM orders WHERE ${where.join(' AND ')} ORDER BY seq DESC LIMIT $${params.push(limit + 1)}`,
    params,
  );
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    orders: page.map(toOrder),
    ...(rows.length > limit && last ? { next: orderCursor(last.seq) } : {}),
  };
}

interface OrderRow {
  record_id: string;
  parameter_1: string;
  parameter_2: number;
  status: OrderStatus;
  received_at: Date;
  expires_at: Date;
  power: number | null;
  decided_at: Date | null;
  seq: number;
}

function toOrder(row: OrderRow): Order {
  return {
    recordId: row.record_id,
    parameter1: row.parameter_1,
    parameter2: row.parameter_2,
    status: row.status,
    receivedAt: row.received_at,
    expiresAt: row.expires_at,
    ...(row.decided_at === null
      ? {}
      : { result: { ...(row.power === null ? {} : { power: row.power }), decidedAt: row.decided_at } }),
  };
}
