/** Types and errors of the embedded fabric's workflow runner (a local Step Functions). */

export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'ABORTED' | 'TIMED_OUT';

/** Who started an execution: a person or program, or a schedule. */
export type ExecutionTrigger = 'manual' | 'scheduled';

export interface ExecutionSummary {
  id: string;
  stateMachine: string;
  name: string;
  status: ExecutionStatus;
  trigger: ExecutionTrigger;
  /** The schedule that started it, for a scheduled execution. */
  schedule: string | null;
  error: string | null;
  cause: string | null;
  startedAt: Date;
  stoppedAt: Date | null;
}

export interface Execution extends ExecutionSummary {
  input: unknown;
  /** The execution's output once it SUCCEEDED, else null. */
  output: unknown;
}

/** Event types of the history, as aws-local-stepfunctions names them. */
export type HistoryEventType =
  | 'ExecutionStarted'
  | 'ExecutionSucceeded'
  | 'ExecutionFailed'
  | 'ExecutionAborted'
  | 'ExecutionTimeout'
  | 'StateEntered'
  | 'StateExited'
  | 'StateFailed'
  | 'StateRetried'
  | 'StateCaught'
  | 'MapIterationStarted'
  | 'MapIterationSucceeded'
  | 'MapIterationFailed'
  | 'ParallelBranchStarted'
  | 'ParallelBranchSucceeded'
  | 'ParallelBranchFailed';

/**
 * One event of an execution's history. State events carry the state (a Map iteration's with its
 * `mapIndex`), its input when entered, its output when exited, and the error when it failed.
 */
export interface HistoryEvent {
  seq: number;
  at: Date;
  type: HistoryEventType;
  stateName: string | null;
  stateType: string | null;
  mapIndex: number | null;
  input: unknown;
  output: unknown;
  error: string | null;
  cause: string | null;
  /** For StateRetried: the attempt (1 for the first retry). */
  retryAttempt: number | null;
}

export interface StartExecutionOptions {
  /** The execution name, unique per state machine (default: the execution id). */
  name?: string;
  trigger?: ExecutionTrigger;
  schedule?: string;
  /** Trace id for everything the execution's tasks cause (default: the execution id). */
  traceId?: string;
}

export interface ListExecutionsOptions {
  stateMachine?: string;
  status?: ExecutionStatus;
  /** Most recent first; default 50. */
  limit?: number;
}

/** Error and cause given to an execution that was running when its fabric stopped. */
export const INTERRUPTED_ERROR = 'States.Runtime';
export const INTERRUPTED_CAUSE = 'interrupted: the fabric stopped while this execution ran; start it again';

export class UnknownStateMachineError extends Error {
  constructor(readonly stateMachine: string) {
    super(`state machine "${stateMachine}" is not declared in the topology`);
    this.name = 'UnknownStateMachineError';
  }
}

export class ExecutionNotFoundError extends Error {
  constructor(readonly executionId: string) {
    super(`execution "${executionId}" does not exist`);
    this.name = 'ExecutionNotFoundError';
  }
}

export class ExecutionAlreadyExistsError extends Error {
  constructor(
    readonly stateMachine: string,
    readonly executionName: string,
  ) {
    super(`state machine "${stateMachine}" already has an execution named "${executionName}"`);
    this.name = 'ExecutionAlreadyExistsError';
  }
}

export class InvalidExecutionNameError extends Error {
  constructor(readonly executionName: string) {
    super(
      `execution name "${executionName}" is invalid: 1 to 80 characters, without whitespace, control characters or any of <>{}[]?*"#%\\^|~\`$&,;:/`,
    );
    this.name = 'InvalidExecutionNameError';
  }
}

/** The definition cannot run locally (a Task without a local function, an unsupported feature). */
export class WorkflowDefinitionError extends Error {
  constructor(
    readonly stateMachine: string,
    message: string,
  ) {
    super(`state machine "${stateMachine}": ${message}`);
    this.name = 'WorkflowDefinitionError';
  }
}
