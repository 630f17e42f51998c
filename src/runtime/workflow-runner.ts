import './promise-polyfill.js';
import { randomUUID } from 'node:crypto';
import type { SqlClient } from '../adapters/sql/sql-client.js';
import type { Clock } from '../ports/clock.js';
import type { AslDefinition, StateMachineSpec } from '../topology.js';
import { type Sleep, sleepOf } from './clock.js';
import { LOCAL_ACCOUNT, LOCAL_REGION } from './local-bus.js';
import { type LocalDefinition, prepareLocalDefinition } from './workflow-definition.js';
import { launchExecution, type RunningExecution } from './workflow-execution.js';
import type { TaskFunction } from './workflow-handlers.js';
import { type Interpreter, loadInterpreter } from './workflow-interpreter.js';
import { WorkflowStore } from './workflow-store.js';
import {
  type Execution,
  ExecutionNotFoundError,
  type ExecutionSummary,
  type HistoryEvent,
  INTERRUPTED_CAUSE,
  INTERRUPTED_ERROR,
  InvalidExecutionNameError,
  type ListExecutionsOptions,
  type StartExecutionOptions,
  UnknownStateMachineError,
  WorkflowDefinitionError,
} from './workflow-types.js';

export type { TaskFunction } from './workflow-handlers.js';

/** The ARN a Task state names to run local function `name`. */
export function localFunctionArn(name: string): string {
  return `arn:aws:lambda:${LOCAL_REGION}:${LOCAL_ACCOUNT}:function:${name}`;
}

const LOCAL_FUNCTION_ARN = /^arn:aws:lambda:[^:]*:[^:]*:function:([^:]+)$/;

export interface WorkflowRunnerOptions {
  db: SqlClient;
  clock: Clock;
  stateMachines: Readonly<Record<string, StateMachineSpec>>;
  /** Local functions by name: what the Task states run. */
  tasks: Readonly<Record<string, TaskFunction>>;
  /** The Task `Resource` of a function (default {@link localFunctionArn}). */
  resourceFor?: (functionName: string) => string;
  /** How Wait states and retry backoff wait (default: the clock's own `sleep`, else real time). */
  sleep?: Sleep;
  log?: { error(message: string, fields?: Record<string, unknown>): void };
}

/**
 * The embedded fabric's Step Functions: runs the topology's state machines with
 * aws-local-stepfunctions, each Task state on a local function, and keeps every execution and
 * its history in SQL as it happens, so both survive restarts and a running execution's history
 * can be read.
 *
 * Time: Wait states and Task retry backoff wait on the runner's clock (`sleep`), so with a
 * {@link ManualClock} a workflow that polls k times runs at once and the clock shows the k waits.
 * Task timeouts, an execution's TimeoutSeconds and Map/Parallel retry backoff remain the
 * interpreter's, in real time.
 *
 * Crashes: an execution cannot resume after its process died (the interpreter keeps its state in
 * memory), so it is failed visibly instead: {@link recoverInterrupted}, run when the embedded
 * fabric opens, and {@link close} mark it FAILED with error `States.Runtime` and cause
 * {@link INTERRUPTED_CAUSE}, with an ExecutionFailed event saying so. Starting it again is safe
 * when its tasks are idempotent, as Step Functions tasks must be.
 *
 * @example
 * const runner = new WorkflowRunner({ db, clock, stateMachines: topology.stateMachines, tasks });
 * const id = await runner.start('auction', {});
 * const execution = await runner.waitFor(id);
 */
export class WorkflowRunner {
  private readonly store: WorkflowStore;
  private readonly clock: Clock;
  private readonly sleep: Sleep;
  private readonly tasks: Readonly<Record<string, TaskFunction>>;
  private readonly log: NonNullable<WorkflowRunnerOptions['log']>;
  private readonly machines = new Map<string, LocalDefinition>();
  private readonly interpreters = new Map<string, Promise<Interpreter>>();
  private readonly running = new Map<string, RunningExecution>();
  private closed = false;

  /** Throws {@link WorkflowDefinitionError} when a definition cannot run locally. */
  constructor(options: WorkflowRunnerOptions) {
    this.store = new WorkflowStore(options.db);
    this.clock = options.clock;
    this.sleep = options.sleep ?? sleepOf(options.clock);
    this.tasks = options.tasks;
    this.log = options.log ?? { error: (message, fields) => console.error(message, fields ?? '') };
    const resourceFor = options.resourceFor ?? localFunctionArn;
    const functionByResource = new Map(Object.keys(options.tasks).map((name) => [resourceFor(name), name]));
    for (const [name, spec] of Object.entries(options.stateMachines)) {
      const functionFor = (resource: string) => {
        const fn = functionByResource.get(resource);
        const named = LOCAL_FUNCTION_ARN.exec(resource)?.[1];
        if (!fn && named) throw new WorkflowDefinitionError(name, `function "${named}" has no local handler`);
        return fn;
      };
      this.machines.set(name, prepareLocalDefinition(name, spec.definition(resourceFor), functionFor));
    }
  }

  stateMachineNames(): string[] {
    return [...this.machines.keys()];
  }

  /** The ASL of a state machine, as written (Task resources are local ARNs). */
  definition(stateMachine: string): AslDefinition {
    return structuredClone(this.machine(stateMachine).original);
  }

  /** Loads the interpreter and validates every definition (otherwise done at the first start). */
  async prepare(): Promise<void> {
    await Promise.all(this.stateMachineNames().map((name) => this.interpreter(name)));
  }

  /**
   * Starts an execution and returns its id at once; it runs in the background. It is recorded
   * RUNNING with its input first. Throws {@link UnknownStateMachineError},
   * {@link ExecutionAlreadyExistsError} for a name in use, {@link InvalidExecutionNameError}.
   */
  async start(
    stateMachine: string,
    input: unknown = {},
    options: StartExecutionOptions = {},
  ): Promise<string> {
    if (this.closed) throw new Error('the workflow runner is closed');
    const local = this.machine(stateMachine);
    const interpreter = await this.interpreter(stateMachine);
    const id = randomUUID();
    const name = options.name ?? id;
    if (!isValidName(name)) throw new InvalidExecutionNameError(name);
    const jsonInput: unknown = JSON.parse(JSON.stringify(input ?? {}));
    await this.store.insertRunning({
      id,
      stateMachine,
      name,
      trigger: options.trigger ?? 'manual',
      schedule: options.schedule ?? null,
      input: jsonInput,
      startedAt: this.clock.now(),
    });
    const entry = launchExecution({
      id,
      stateMachine,
      name,
      local,
      interpreter,
      input: jsonInput,
      traceId: options.traceId ?? id,
      store: this.store,
      clock: this.clock,
      sleep: this.sleep,
      tasks: this.tasks,
      log: this.log,
    });
    entry.done = entry.done.finally(() => this.running.delete(id));
    this.running.set(id, entry);
    return id;
  }

  /** Starts an execution and waits for its end. */
  async run(
    stateMachine: string,
    input: unknown = {},
    options: StartExecutionOptions = {},
  ): Promise<Execution> {
    return this.waitFor(await this.start(stateMachine, input, options));
  }

  /** Waits for an execution to end (one of another process is polled every `pollMs`). */
  async waitFor(executionId: string, options: { pollMs?: number } = {}): Promise<Execution> {
    for (;;) {
      await this.running.get(executionId)?.done;
      const execution = await this.store.get(executionId);
      if (!execution) throw new ExecutionNotFoundError(executionId);
      if (execution.status !== 'RUNNING') return execution;
      if (!this.running.has(executionId))
        await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 250));
    }
  }

  /** Waits until no execution started here is running. */
  async settle(): Promise<void> {
    while (this.running.size > 0) await Promise.all([...this.running.values()].map((entry) => entry.done));
  }

  get(executionId: string): Promise<Execution | undefined> {
    return this.store.get(executionId);
  }

  list(options: ListExecutionsOptions = {}): Promise<ExecutionSummary[]> {
    return this.store.list(options);
  }

  history(executionId: string, options: { afterSeq?: number; limit?: number } = {}): Promise<HistoryEvent[]> {
    return this.store.history(executionId, options);
  }

  /**
   * Stops a running execution (Step Functions StopExecution): status ABORTED. A task already
   * running finishes in the background, its result ignored. Only executions of this process.
   */
  async abort(executionId: string): Promise<Execution> {
    const entry = this.running.get(executionId);
    if (entry) {
      entry.abort();
      await entry.done;
    }
    const execution = await this.store.get(executionId);
    if (!execution) throw new ExecutionNotFoundError(executionId);
    if (execution.status === 'RUNNING') throw new Error(`execution "${executionId}" runs in another process`);
    return execution;
  }

  /**
   * Fails, as interrupted, the executions left RUNNING by a process that is gone. Only for the
   * embedded fabric at start-up, where the data-dir lock proves it (on a shared database other
   * workers' executions would be failed too). Returns their ids.
   */
  recoverInterrupted(): Promise<string[]> {
    return this.store.failRunning(INTERRUPTED_ERROR, INTERRUPTED_CAUSE, this.clock.now(), {
      except: [...this.running.keys()],
    });
  }

  /** Stops accepting executions and fails the running ones as interrupted. */
  async close(): Promise<void> {
    this.closed = true;
    for (const entry of this.running.values()) {
      entry.interrupted = true;
      entry.abort();
    }
    await this.settle();
  }

  private machine(stateMachine: string): LocalDefinition {
    const local = this.machines.get(stateMachine);
    if (!local) throw new UnknownStateMachineError(stateMachine);
    return local;
  }

  private interpreter(stateMachine: string): Promise<Interpreter> {
    let interpreter = this.interpreters.get(stateMachine);
    if (!interpreter) {
      interpreter = loadInterpreter(stateMachine, this.machine(stateMachine));
      interpreter.catch(() => this.interpreters.delete(stateMachine));
      this.interpreters.set(stateMachine, interpreter);
    }
    return interpreter;
  }
}

/** Step Functions execution names: 1–80 characters, no whitespace, brackets, wildcards, specials or controls. */
function isValidName(name: string): boolean {
  return (
    name.length >= 1 &&
    name.length <= 80 &&
    ![...name].some((char) => {
      const code = char.codePointAt(0) ?? 0;
      return code < 0x20 || (code >= 0x7f && code <= 0x9f) || /[\s<>{}[\]?*"#%\\^|~`$&,;:/]/.test(char);
    })
  );
}
