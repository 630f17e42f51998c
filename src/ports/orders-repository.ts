import type { OrderInput } from '../core/orders/types.js';

export type { OrderInput } from '../core/orders/types.js';

export type OrderStatus = 'pending' | 'accepted' | 'rejected';

/** What the auction decided about an order. */
export interface OrderResult {
  /** Power awarded, in the platform's unit (accepted orders; absent when none was given). */
  power?: number;
  decidedAt: Date;
}

/** A stored order that has not expired. */
export interface Order extends OrderInput {
  status: OrderStatus;
  /** When the current version was received (posting the `record_id` again renews it). */
  receivedAt: Date;
  /** From this instant on, the order is gone for every read. */
  expiresAt: Date;
  /** Present once the auction decided (status `accepted` or `rejected`). */
  result?: OrderResult;
}

export interface OrderPage {
  orders: Order[];
  /** Pass as `cursor` for the next page; absent when there is nothing more. */
  next?: string;
}

/**
 * Persistence of the orders pipeline. One implementation over SQL serves PGlite and a PostgreSQL
 * server; a DynamoDB one (with its TTL) comes with the AWS target.
 *
 * Expiry: an order whose `expiresAt` is at or before the repository clock's now is invisible to
 * every read (`get`, `list`, `pending`) and to `markResult`, whether or not `purgeExpired` has
 * deleted it yet.
 */
export interface OrdersRepository {
  /**
   * Stores each order as pending with these times. An order whose `recordId` is stored (expired
   * or not) is replaced: new parameters and times, status back to pending, result cleared; it
   * also moves to the front of `list`. Atomic: all are stored or none. Should `orders` repeat a
   * `recordId`, the last one wins (the API refuses such a request before it gets here).
   */
  upsert(orders: readonly OrderInput[], times: { receivedAt: Date; expiresAt: Date }): Promise<void>;
  get(recordId: string): Promise<Order | undefined>;
  /** Newest first (by the time each order was last posted), optionally of one status. */
  list(options: { status?: OrderStatus; limit: number; cursor?: string }): Promise<OrderPage>;
  /** Up to `limit` pending orders for the auction, oldest first. */
  pending(limit: number): Promise<Order[]>;
  /**
   * Records the auction's decision, replacing an earlier one. Returns false, and changes nothing,
   * when the order is absent or expired.
   */
  markResult(
    recordId: string,
    result: { status: 'accepted' | 'rejected'; power?: number; decidedAt: Date },
  ): Promise<boolean>;
  /** Deletes the orders expired at `now` (`expiresAt <= now`); returns how many. */
  purgeExpired(now: Date): Promise<number>;
}
