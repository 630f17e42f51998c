import type { Context } from 'aws-lambda';
import { type AuctionTaskDeps, createAuctionTaskHandlers } from '../functions/auction-tasks.js';
import type { FunctionName } from '../topology.js';
import { systemClock } from './clock.js';
import { functionLogger, withLogging } from './lambda.js';

/** The functions a state machine's Task states invoke, each with its own entry. */
export type TaskFunctionName = Extract<
  FunctionName,
  'auction-fetch-results' | 'auction-store-result' | 'auction-notify' | 'auction-summarize' | 'orders-purge'
>;

/**
 * Errors a task raises on purpose for the state machine to route (its `Catch` and `Retry`).
 * Lambda reports an error's `name` as its type, which is the name the ASL matches.
 */
const ROUTED_ERRORS = new Set(['OrderRejected', 'Platform.Unavailable']);

/**
 * A Lambda handler for one Task of the auction or purge workflow: the event is the state's
 * effective input, the return value its result (Step Functions invokes the function directly).
 * Only the ports the task uses are built (and only their variables required); any other port is
 * a stand-in that names itself if it is ever reached.
 */
export function auctionTaskHandler(
  name: TaskFunctionName,
  deps: Partial<AuctionTaskDeps>,
): (event: unknown, context: Context) => Promise<unknown> {
  const task = createAuctionTaskHandlers({
    orders: deps.orders ?? notWired(name, 'orders'),
    platform: deps.platform ?? notWired(name, 'platform'),
    notifier: deps.notifier ?? notWired(name, 'notifier'),
    objects: deps.objects ?? notWired(name, 'objects'),
    clock: deps.clock ?? systemClock,
  })[name];
  if (!task) throw new Error(`no auction task handler is named "${name}"`);
  return withLogging(functionLogger(name), (event) => task(event), {
    expected: (error) => ROUTED_ERRORS.has(error.name),
  });
}

function notWired<T>(task: string, port: string): T {
  return new Proxy(
    {},
    {
      get(_target, property) {
        throw new Error(
          `${task} has no ${port} port: it was not expected to use one (reached .${String(property)})`,
        );
      },
    },
  ) as T;
}
