import type { AuctionOrderResult, AuctionPlatform } from '../../ports/auction-platform.js';
import type { Clock } from '../../ports/clock.js';
import type { Alert, Notifier } from '../../ports/notifier.js';
import type { ObjectStore } from '../../ports/object-store.js';
import type { OrdersRepository } from '../../ports/orders-repository.js';

/** Most pending orders one execution asks the platform about. */
export const MAX_ORDERS_PER_AUCTION = 10_000;

/** The bucket accepted orders are written to, one JSON object each. */
export const ORDER_RESULTS_BUCKET = 'order-results';

export interface FetchInput {
  config: { waitSeconds: number; maxAttempts: number };
  attempt: number;
  executionId: string;
}

export type FetchOutput = FetchInput &
  ({ results: false } | { results: true; orders: AuctionOrderResult[]; unknown: string[] });

/**
 * FetchResults: asks the platform about every pending, unexpired order. Results for orders it was
 * not asked about are dropped (and listed in `unknown`), so a confused platform cannot touch
 * other orders. With no pending orders there is nothing to wait for: results, none.
 */
export async function fetchAuctionResults(
  input: FetchInput,
  deps: { orders: Pick<OrdersRepository, 'pending'>; platform: AuctionPlatform },
): Promise<FetchOutput> {
  const attempt = input.attempt + 1;
  const pending = await deps.orders.pending(MAX_ORDERS_PER_AUCTION);
  if (pending.length === 0) return { ...input, attempt, results: true, orders: [], unknown: [] };
  const answer = await deps.platform.fetchResults(
    pending.map((o) => ({ record_id: o.recordId, parameter_1: o.parameter1, parameter_2: o.parameter2 })),
    { executionId: input.executionId, attempt },
  );
  if (!answer.results) return { ...input, attempt, results: false };
  const asked = new Set(pending.map((o) => o.recordId));
  const orders = answer.orders.filter((o) => asked.has(o.record_id));
  const unknown = answer.orders.filter((o) => !asked.has(o.record_id)).map((o) => o.record_id);
  return { ...input, attempt, results: true, orders, unknown };
}

/** StoreResult raises this for a rejected order; its name is what the state machine catches. */
export class OrderRejectedError extends Error {
  constructor(recordId: string) {
    super(`order ${recordId} was rejected by the auction platform`);
    this.name = 'OrderRejected';
  }
}

export interface StoreInput {
  result: AuctionOrderResult;
  executionId: string;
}

export type StoreOutput = { record_id: string; status: 'accepted' | 'expired'; alerted: false };

/**
 * StoreResult: an accepted order is written to `order-results/orders/<record_id>.json` (the
 * order, its result, when and by which execution) and marked accepted. A rejected one raises
 * {@link OrderRejectedError}. An order that expired meanwhile is left alone. Idempotent: a
 * retried task writes the same object again.
 */
export async function storeAuctionResult(
  input: StoreInput,
  deps: {
    orders: Pick<OrdersRepository, 'get' | 'markResult'>;
    objects: Pick<ObjectStore, 'put'>;
    clock: Clock;
  },
): Promise<StoreOutput> {
  const { result, executionId } = input;
  if (result.status === 'rejected') throw new OrderRejectedError(result.record_id);
  const order = await deps.orders.get(result.record_id);
  if (!order) return { record_id: result.record_id, status: 'expired', alerted: false };
  const decidedAt = deps.clock.now();
  const document = {
    order: { record_id: order.recordId, parameter_1: order.parameter1, parameter_2: order.parameter2 },
    result: { status: result.status, power: result.power },
    receivedAt: order.receivedAt.toISOString(),
    decidedAt: decidedAt.toISOString(),
    executionId,
  };
  await deps.objects.put({
    bucket: ORDER_RESULTS_BUCKET,
    key: orderResultKey(result.record_id),
    body: new TextEncoder().encode(`${JSON.stringify(document, null, 2)}\n`),
    contentType: 'application/json',
  });
  await deps.orders.markResult(result.record_id, { status: 'accepted', power: result.power, decidedAt });
  return { record_id: result.record_id, status: 'accepted', alerted: false };
}

/** The key of an accepted order's result object in bucket {@link ORDER_RESULTS_BUCKET}. */
export const orderResultKey = (recordId: string) => `orders/${recordId}.json`;

export type NotifyInput =
  | { kind: 'order-rejected'; executionId: string; result: AuctionOrderResult; rejection: unknown }
  | { kind: 'auction-no-results'; executionId: string; attempts: number }
  | { kind: 'auction-failed'; executionId: string; error: { Error?: string; Cause?: string } };

/**
 * NotifyRejected / NotifyNoResults / NotifyFailure: raises the alert (kept in the outbox, sent to
 * the webhook when configured). A rejected order is then marked rejected: in that order, so that
 * a crash in between leaves the order pending for the next run to alert on, rather than decided
 * with no alert. Alert ids are derived from the execution, so a retried task alerts once.
 *
 * With `objects`, a rejected order's result object is deleted before the mark: an execution that
 * stopped between StoreResult's write and its mark (the embedded fabric killed: its executions
 * cannot resume) left the order pending with an object, and the next run may be told "rejected".
 */
export async function notifyAuction(
  input: NotifyInput,
  deps: {
    orders: Pick<OrdersRepository, 'markResult'>;
    notifier: Notifier;
    clock: Clock;
    objects?: Pick<ObjectStore, 'delete'>;
  },
): Promise<{ record_id?: string; status?: 'rejected'; alerted: true }> {
  let alert: Alert;
  if (input.kind === 'order-rejected') {
    const { record_id } = input.result;
    alert = {
      id: `${input.executionId}/rejected/${record_id}`,
      kind: input.kind,
      text: `Auction: order ${record_id} was rejected (execution ${input.executionId})`,
      details: { executionId: input.executionId, result: input.result },
    };
    await deps.notifier.notify(alert);
    await deps.objects?.delete(ORDER_RESULTS_BUCKET, orderResultKey(record_id));
    await deps.orders.markResult(record_id, { status: 'rejected', decidedAt: deps.clock.now() });
    return { record_id, status: 'rejected', alerted: true };
  }
  alert =
    input.kind === 'auction-no-results'
      ? {
          id: `${input.executionId}/no-results`,
          kind: input.kind,
          text: `Auction: no results after ${input.attempts} attempts (execution ${input.executionId}); pending orders wait for the next run`,
          details: { executionId: input.executionId, attempts: input.attempts },
        }
      : {
          id: `${input.executionId}/failed`,
          kind: input.kind,
          text: `Auction: the platform kept failing (execution ${input.executionId}): ${input.error.Error ?? 'error'}: ${input.error.Cause ?? ''}`.trim(),
          details: { executionId: input.executionId, error: input.error },
        };
  await deps.notifier.notify(alert);
  return { alerted: true };
}

/** Summarize: the execution's output. */
export function summarizeAuction(input: { stored: { status?: string; alerted?: boolean }[] }) {
  const stored = input.stored ?? [];
  return {
    accepted: stored.filter((s) => s.status === 'accepted').length,
    rejected: stored.filter((s) => s.status === 'rejected').length,
    alerted: stored.filter((s) => s.alerted === true).length,
  };
}
