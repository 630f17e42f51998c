import { z } from 'zod';
import {
  type FetchInput,
  fetchAuctionResults,
  type NotifyInput,
  notifyAuction,
  type StoreInput,
  storeAuctionResult,
  summarizeAuction,
} from '../core/auction/auction-steps.js';
import type { AuctionPlatform } from '../ports/auction-platform.js';
import type { Clock } from '../ports/clock.js';
import type { Notifier } from '../ports/notifier.js';
import type { ObjectStore } from '../ports/object-store.js';
import type { OrdersRepository } from '../ports/orders-repository.js';

/** A Step Functions Task handler: the Lambda event is the state's effective input. */
export type TaskHandler = (input: unknown) => Promise<unknown>;

export interface AuctionTaskDeps {
  orders: OrdersRepository;
  platform: AuctionPlatform;
  notifier: Notifier;
  objects: ObjectStore;
  clock: Clock;
}

const config = z.object({ waitSeconds: z.number().positive(), maxAttempts: z.number().int().positive() });
const result = z.object({
  record_id: z.string(),
  status: z.enum(['accepted', 'rejected']),
  power: z.number(),
});
const fetchInput = z.object({ config, attempt: z.number().int().min(0), executionId: z.string() });
const storeInput = z.object({ result, executionId: z.string() });
const notifyInput = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('order-rejected'), executionId: z.string(), result, rejection: z.unknown() }),
  z.object({ kind: z.literal('auction-no-results'), executionId: z.string(), attempts: z.number() }),
  z.object({
    kind: z.literal('auction-failed'),
    executionId: z.string(),
    error: z.object({ Error: z.string().optional(), Cause: z.string().optional() }),
  }),
]);
const summarizeInput = z.object({
  stored: z.array(z.object({ status: z.string().optional(), alerted: z.boolean().optional() })),
});

/**
 * The auction's Task handlers (`auction-fetch-results`, `auction-store-result`, `auction-notify`,
 * `auction-summarize`) and `orders-purge`: each parses its input with zod and calls the core step.
 */
export function createAuctionTaskHandlers(deps: AuctionTaskDeps): Record<string, TaskHandler> {
  return {
    'auction-fetch-results': async (input) =>
      fetchAuctionResults(fetchInput.parse(input) as FetchInput, deps),
    'auction-store-result': async (input) => storeAuctionResult(storeInput.parse(input) as StoreInput, deps),
    'auction-notify': async (input) => notifyAuction(notifyInput.parse(input) as NotifyInput, deps),
    'auction-summarize': async (input) => summarizeAuction(summarizeInput.parse(input)),
    'orders-purge': async () => ({ purged: await deps.orders.purgeExpired(deps.clock.now()) }),
  };
}
