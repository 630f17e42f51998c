import type { Clock } from '../ports/clock.js';
import type { Sleep } from './clock.js';
import { LOCAL_ACCOUNT, LOCAL_REGION } from './local-bus.js';
import { runInTrace } from './trace.js';
import type { LocalDefinition } from './workflow-definition.js';
import { localHandlers, type TaskFunction } from './workflow-handlers.js';
import { HistoryWriter } from './workflow-history.js';
import { executionOutcome, type Interpreter } from './workflow-interpreter.js';
import type { WorkflowStore } from './workflow-store.js';
import { INTERRUPTED_CAUSE, INTERRUPTED_ERROR } from './workflow-types.js';

/** An execution running in this process. */
export interface RunningExecution {
  /** Set when the fabric stops it: it then ends failed as interrupted, not aborted. */
  interrupted: boolean;
  abort(): void;
  /** Resolves once the execution's end and its whole history are recorded. It never rejects. */
  done: Promise<void>;
}

export interface LaunchArgs {
  id: string;
  stateMachine: string;
  name: string;
  local: LocalDefinition;
  interpreter: Interpreter;
  input: unknown;
  traceId: string;
  store: WorkflowStore;
  clock: Clock;
  sleep: Sleep;
  tasks: Readonly<Record<string, TaskFunction>>;
  log: { error(message: string, fields?: Record<string, unknown>): void };
}

/**
 * Runs a recorded execution in the background: the interpreter on the local handlers, within
 * the execution's trace, its events into the history as they come, and its outcome recorded once
 * the history is written.
 */
export function launchExecution(args: LaunchArgs): RunningExecution {
  const { id, stateMachine, name, local, store, clock, log } = args;
  const controller = new AbortController();
  const handlers = localHandlers(local, {
    clock,
    sleep: args.sleep,
    tasks: args.tasks,
    signal: controller.signal,
  });
  const arn = (kind: string, resource: string) =>
    `arn:aws:states:${LOCAL_REGION}:${LOCAL_ACCOUNT}:${kind}:${resource}`;
  const execution = runInTrace(args.traceId, () =>
    args.interpreter.run(args.input, handlers, {
      Execution: { Id: arn('execution', `${stateMachine}:${name}`), Name: name },
      StateMachine: { Id: arn('stateMachine', stateMachine), Name: stateMachine },
    }),
  );
  const history = new HistoryWriter(store, id, clock, new Set(local.waits.keys()), log);
  const entry: RunningExecution = {
    interrupted: false,
    abort: () => {
      controller.abort();
      execution.abort();
    },
    done: Promise.resolve(),
  };
  const follow = async () => {
    const consumed = (async () => {
      for await (const event of execution.eventLogs) {
        // An interrupted execution ends with the interrupted failure, not as aborted.
        if (!(entry.interrupted && event.type === 'ExecutionAborted')) history.record(event);
      }
    })();
    const outcome = await execution.result.then(
      (output) => ({ status: 'SUCCEEDED' as const, output }),
      executionOutcome,
    );
    await consumed;
    await history.drain();
    if (entry.interrupted) {
      await store.failRunning(INTERRUPTED_ERROR, INTERRUPTED_CAUSE, clock.now(), { ids: [id] });
    } else {
      await store.finish(id, outcome, clock.now());
    }
  };
  entry.done = follow().catch((error: unknown) => {
    log.error('workflow execution could not be recorded', {
      executionId: id,
      error: error instanceof Error ? error.message : String(error),
    });
  });
  return entry;
}
