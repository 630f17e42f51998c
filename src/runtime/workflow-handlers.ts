import type { Clock } from '../ports/clock.js';
import type { Sleep } from './clock.js';
import { type LocalDefinition, waitMilliseconds } from './workflow-definition.js';
import { RetryBackoff } from './workflow-retry.js';

/** A local function a Task state runs: JSON in, JSON out; a thrown error's `name` is its ASL error. */
export type TaskFunction = (input: unknown) => Promise<unknown>;

type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** `taskResourceLocalHandlers` of aws-local-stepfunctions: one function per Task state name. */
export type LocalHandlers = Record<string, (input: JsonValue) => Promise<JsonValue>>;

export interface HandlerDeps {
  clock: Clock;
  sleep: Sleep;
  tasks: Readonly<Record<string, TaskFunction>>;
  /** Ends the execution's sleeps when it is aborted. */
  signal: AbortSignal;
}

/**
 * The local handlers of one execution: each Task state calls its function (input and output go
 * through JSON, as they would through Lambda), after any retry backoff due; each Wait state
 * (a Task in the runnable definition) sleeps on the clock and passes its input through.
 */
export function localHandlers(local: LocalDefinition, deps: HandlerDeps): LocalHandlers {
  const handlers: LocalHandlers = {};
  for (const [state, task] of local.tasks) {
    const fn = deps.tasks[task.functionName];
    if (!fn) throw new Error(`no local function "${task.functionName}"`);
    const backoff = task.retriers.length > 0 ? new RetryBackoff(task.retriers) : undefined;
    handlers[state] = async (input) => {
      const key = backoff ? JSON.stringify(input) : '';
      const delay = backoff?.takeDelay(key);
      if (delay !== undefined) await pause(deps, delay);
      try {
        const output = await fn(structuredClone(input));
        backoff?.succeeded(key);
        return output === undefined ? null : (JSON.parse(JSON.stringify(output)) as JsonValue);
      } catch (thrown) {
        const error = thrown instanceof Error ? thrown : new Error(String(thrown));
        backoff?.failed(key, error);
        throw error;
      }
    };
  }
  for (const [state, wait] of local.waits) {
    handlers[state] = async (received) => {
      const { input, ...values } = received as { input: JsonValue; seconds?: unknown; timestamp?: unknown };
      await pause(deps, waitMilliseconds(wait, values, deps.clock.now()));
      return input;
    };
  }
  return handlers;
}

/**
 * Sleeps on the clock, after letting the execution's history catch up: the interpreter queues
 * events synchronously and the history writer takes them within microtasks, so after one turn of
 * the event loop every event so far carries the time before the sleep (a manual clock's sleep
 * moves time at once).
 */
async function pause(deps: HandlerDeps, ms: number): Promise<void> {
  await new Promise((resolve) => setImmediate(resolve));
  if (ms > 0) await deps.sleep(ms, deps.signal);
}
