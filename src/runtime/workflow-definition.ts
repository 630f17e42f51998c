import type { AslDefinition } from '../topology.js';
import { WorkflowDefinitionError } from './workflow-types.js';

/** A `Retry` entry of a state (Amazon States Language). */
export interface Retrier {
  ErrorEquals: string[];
  IntervalSeconds?: number;
  MaxAttempts?: number;
  BackoffRate?: number;
  MaxDelaySeconds?: number;
  JitterStrategy?: 'NONE' | 'FULL';
}

/** A Task state that runs a local function. */
export interface LocalTask {
  functionName: string;
  retriers: Retrier[];
}

/** How long a Wait state waits: exactly one of these is set. */
export interface LocalWait {
  seconds?: number;
  timestamp?: string;
  /** Set when the duration comes from the input: the value arrives in the handler's input. */
  fromPath?: 'seconds' | 'timestamp';
}

/**
 * A definition ready for the local interpreter. `runnable` is a copy of `original` in which each
 * Wait state is a Task of {@link WAIT_RESOURCE}: the runner's handler for it waits on the
 * runner's clock (aws-local-stepfunctions would wait in real time) and passes its input through.
 */
export interface LocalDefinition {
  original: AslDefinition;
  runnable: AslDefinition;
  /** Task states by name (state names are unique in the whole definition, nested ones included). */
  tasks: Map<string, LocalTask>;
  waits: Map<string, LocalWait>;
}

/** The Resource of the Task states that stand for Wait states in {@link LocalDefinition.runnable}. */
export const WAIT_RESOURCE = 'arn:aws:states:::tributary:wait';

/** The longest task timeout the interpreter's setTimeout can hold (about 24.8 days). */
const WAIT_TIMEOUT_SECONDS = Math.floor((2 ** 31 - 1) / 1000);

type State = Record<string, unknown> & { Type?: unknown };
type StateMap = Record<string, State>;

/**
 * Walks a definition, nested Map (`ItemProcessor`/`Iterator`) and Parallel branches included,
 * maps each Task state to the local function its `Resource` names (`functionFor`), and builds the
 * runnable copy. Throws {@link WorkflowDefinitionError} for what cannot run locally: a Task
 * whose resource is no local function, a repeated state name, JSONata, a distributed Map.
 */
export function prepareLocalDefinition(
  stateMachine: string,
  original: AslDefinition,
  functionFor: (resource: string) => string | undefined,
): LocalDefinition {
  const fail = (message: string): never => {
    throw new WorkflowDefinitionError(stateMachine, message);
  };
  const runnable = structuredClone(original);
  const tasks = new Map<string, LocalTask>();
  const waits = new Map<string, LocalWait>();
  const seen = new Set<string>();

  const walk = (machine: Record<string, unknown>, where: string) => {
    if (machine.QueryLanguage === 'JSONata')
      fail(`${where} uses JSONata, which the local runner does not run`);
    const states = machine.States as StateMap | undefined;
    if (!states || typeof states !== 'object') return fail(`${where} has no States`);
    for (const [name, state] of Object.entries(states)) {
      if (seen.has(name)) fail(`the state name "${name}" is used twice (names must be unique)`);
      seen.add(name);
      if (state.QueryLanguage === 'JSONata')
        fail(`state "${name}" uses JSONata, which the local runner does not run`);
      switch (state.Type) {
        case 'Task': {
          const resource = String(state.Resource);
          const functionName =
            functionFor(resource) ??
            fail(`Task state "${name}" has resource "${resource}", which is no local function`);
          tasks.set(name, { functionName, retriers: (state.Retry as Retrier[] | undefined) ?? [] });
          break;
        }
        case 'Wait':
          waits.set(name, localWait(state));
          states[name] = waitAsTask(state);
          break;
        case 'Map': {
          for (const key of ['ItemReader', 'ItemBatcher', 'ResultWriter']) {
            if (key in state)
              fail(
                `Map state "${name}" uses ${key} (a distributed Map), which the local runner does not run`,
              );
          }
          const processor = (state.ItemProcessor ??
            state.Iterator ??
            fail(`Map state "${name}" has no ItemProcessor`)) as Record<string, unknown>;
          walk(processor, `the ItemProcessor of Map state "${name}"`);
          break;
        }
        case 'Parallel': {
          const branches = (state.Branches as Record<string, unknown>[] | undefined) ?? [];
          branches.forEach((branch, index) => {
            walk(branch, `branch ${index} of Parallel state "${name}"`);
          });
          break;
        }
        default:
          break;
      }
    }
  };

  walk(runnable, 'the definition');
  return { original, runnable, tasks, waits };
}

function localWait(state: State): LocalWait {
  if (typeof state.Seconds === 'number') return { seconds: state.Seconds };
  if (typeof state.Timestamp === 'string') return { timestamp: state.Timestamp };
  if (typeof state.SecondsPath === 'string') return { fromPath: 'seconds' };
  return { fromPath: 'timestamp' };
}

/**
 * The Task that stands for a Wait state. Its Parameters hand the handler the state's effective
 * input (after InputPath) and, for SecondsPath/TimestampPath, the value the interpreter read from
 * it; the handler returns the input, so the output is the Wait state's (then OutputPath).
 */
function waitAsTask(state: State): State {
  const parameters: Record<string, string> = { 'input.$': '$' };
  if (typeof state.SecondsPath === 'string') parameters['seconds.$'] = state.SecondsPath;
  if (typeof state.TimestampPath === 'string') parameters['timestamp.$'] = state.TimestampPath;
  const task: State = {
    Type: 'Task',
    Resource: WAIT_RESOURCE,
    Parameters: parameters,
    TimeoutSeconds: WAIT_TIMEOUT_SECONDS,
  };
  for (const key of ['Comment', 'InputPath', 'OutputPath', 'Next', 'End']) {
    if (key in state) task[key] = state[key];
  }
  return task;
}

/** Milliseconds a Wait state waits, from its definition and the values its handler received. */
export function waitMilliseconds(
  wait: LocalWait,
  received: { seconds?: unknown; timestamp?: unknown },
  now: Date,
): number {
  if (wait.seconds !== undefined) return wait.seconds * 1000;
  if (wait.timestamp !== undefined) return Math.max(0, Date.parse(wait.timestamp) - now.getTime());
  if (wait.fromPath === 'seconds') {
    const seconds = received.seconds;
    if (typeof seconds !== 'number' || !Number.isInteger(seconds) || seconds < 0) {
      throw statesRuntimeError(`SecondsPath must give an integer >= 0, got ${JSON.stringify(seconds)}`);
    }
    return seconds * 1000;
  }
  const timestamp = received.timestamp;
  const time = typeof timestamp === 'string' && RFC3339.test(timestamp) ? Date.parse(timestamp) : Number.NaN;
  if (Number.isNaN(time)) {
    throw statesRuntimeError(
      `TimestampPath must give an RFC 3339 timestamp, got ${JSON.stringify(timestamp)}`,
    );
  }
  return Math.max(0, time - now.getTime());
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/** An error the interpreter reports as `States.Runtime` (neither retried nor caught by name). */
export function statesRuntimeError(message: string): Error {
  const error = new Error(message);
  error.name = 'States.Runtime';
  return error;
}
