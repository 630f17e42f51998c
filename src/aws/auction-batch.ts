import type { Order, OrdersRepository } from '../ports/orders-repository.js';

/**
 * How many pending orders one auction execution takes on AWS.
 *
 * Step Functions caps every state's input and output at 256 KiB. FetchResults returns one result
 * per order (`orders`), and after the Map the state holds one outcome per order too (`stored`), so
 * thousands of orders would fail the execution with `States.DataLimitExceeded`. On AWS an
 * execution therefore takes at most `AUCTION_BATCH_LIMIT` orders (default 500), and fewer when
 * their ids are long: their estimated share of the state stays within {@link ORDERS_PAYLOAD_BUDGET},
 * well under the cap, leaving room for the rest of the state. The orders left over are the newest
 * (`pending` is oldest first); the next scheduled run takes them.
 */
export const STEP_FUNCTIONS_PAYLOAD_BYTES = 256 * 1024;

/** The share of the state the orders of one execution may take. */
export const ORDERS_PAYLOAD_BUDGET = 160 * 1024;

/**
 * Bytes one order adds to the auction state at its largest (after the Map): its result,
 * `{"record_id":…,"status":"accepted","power":…}` (a number prints in at most 24 characters), and
 * its outcome, `{"record_id":…,"status":"accepted","alerted":false}`, with their commas.
 */
export function orderPayloadBytes(recordId: string): number {
  return 2 * Buffer.byteLength(JSON.stringify(recordId)) + 120;
}

/** The oldest `orders` whose estimated payload fits the budget (at least one, so a run progresses). */
export function withinPayloadBudget(orders: readonly Order[], budget = ORDERS_PAYLOAD_BUDGET): Order[] {
  let used = 0;
  const taken: Order[] = [];
  for (const order of orders) {
    used += orderPayloadBytes(order.recordId);
    if (taken.length > 0 && used > budget) break;
    taken.push(order);
  }
  return taken;
}

/**
 * The orders repository as the auction's FetchResults sees it on AWS: `pending` gives at most
 * `batchLimit` orders, within the payload budget; every other method is the repository's own.
 */
export function capPendingForStepFunctions(orders: OrdersRepository, batchLimit: number): OrdersRepository {
  return {
    upsert: (input, times) => orders.upsert(input, times),
    get: (recordId) => orders.get(recordId),
    list: (options) => orders.list(options),
    pending: async (limit) => withinPayloadBudget(await orders.pending(Math.min(limit, batchLimit))),
    markResult: (recordId, result) => orders.markResult(recordId, result),
    purgeExpired: (now) => orders.purgeExpired(now),
  };
}
