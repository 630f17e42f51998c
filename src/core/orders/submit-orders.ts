import type { Clock } from '../../ports/clock.js';
import type { OrdersRepository } from '../../ports/orders-repository.js';
import type { OrderInput } from './types.js';

export interface SubmitOrdersDeps {
  repository: Pick<OrdersRepository, 'upsert'>;
  clock: Clock;
  /** How long an order lives after it is received (`ORDER_TTL_HOURS`, 24 by default). */
  ttlHours: number;
}

export interface SubmittedOrders {
  accepted: number;
  recordIds: string[];
  receivedAt: Date;
  expiresAt: Date;
}

/**
 * Stores validated orders (see `validateOrdersBody`) as pending, all received now and expiring
 * `ttlHours` later. An order whose `record_id` is already stored replaces it: new parameters, a
 * renewed expiry, and back to pending with any earlier auction result cleared.
 */
export async function submitOrders(
  orders: readonly OrderInput[],
  deps: SubmitOrdersDeps,
): Promise<SubmittedOrders> {
  const receivedAt = deps.clock.now();
  const expiresAt = new Date(receivedAt.getTime() + Math.round(deps.ttlHours * 3_600_000));
  await deps.repository.upsert(orders, { receivedAt, expiresAt });
  return { accepted: orders.length, recordIds: orders.map((o) => o.recordId), receivedAt, expiresAt };
}
