import type { StateMachine } from 'aws-local-stepfunctions';
import type { Clock } from '../ports/clock.js';
import type { WorkflowStore } from './workflow-store.js';
import type { HistoryEvent, HistoryEventType } from './workflow-types.js';

/** An event of aws-local-stepfunctions' `eventLogs` (the package does not export the type). */
export type InterpreterEvent =
  ReturnType<StateMachine['run']>['eventLogs'] extends AsyncGenerator<infer E> ? E : never;

/** Rows per INSERT. */
const BATCH_SIZE = 1000;
/** How long a flush waits for more events before writing a partial batch. */
const GATHER_MS = 10;

/**
 * Writes an execution's history as it happens. Events are numbered and stamped with the clock
 * the moment they are recorded (the interpreter's own timestamps are wall-clock), then written in
 * batches by one background flush, so a Map over thousands of items costs a few INSERTs, and the
 * history of a running execution can be read while it runs.
 */
export class HistoryWriter {
  private buffer: PendingHistoryEvent[] = [];
  private seq = 0;
  private flushing: Promise<void> | undefined;

  constructor(
    private readonly store: WorkflowStore,
    private readonly executionId: string,
    private readonly clock: Clock,
    /** States that run as Tasks but are Wait states of the definition. */
    private readonly waitStates: ReadonlySet<string>,
    private readonly log: { error(message: string, fields?: Record<string, unknown>): void },
  ) {}

  /**
   * Numbers and stamps the event now, and serialises its input and output now too: the objects
   * are the interpreter's, and a task could still change them.
   */
  record(event: InterpreterEvent): void {
    const row = toHistoryEvent(event, ++this.seq, this.clock.now(), this.waitStates);
    this.buffer.push({ ...row, input: jsonOrNull(row.input), output: jsonOrNull(row.output) });
    this.flushing ??= this.flush();
  }

  /** Resolves when every recorded event is written. */
  async drain(): Promise<void> {
    while (this.flushing) await this.flushing;
  }

  private async flush(): Promise<void> {
    try {
      while (this.buffer.length > 0) {
        // Let a burst (a Map's iterations) gather: one INSERT costs about as much as a few rows.
        if (this.buffer.length < BATCH_SIZE) await new Promise((resolve) => setTimeout(resolve, GATHER_MS));
        const batch = this.buffer.splice(0, BATCH_SIZE);
        try {
          await this.store.appendHistory(this.executionId, batch);
        } catch (error) {
          this.log.error('workflow history could not be written', {
            executionId: this.executionId,
            events: `${batch[0]?.seq}..${batch.at(-1)?.seq}`,
            error: error instanceof Error ? error.message : String(error),
          });
        }
      }
    } finally {
      this.flushing = undefined;
    }
  }
}

/** A history event waiting to be written, its input and output already JSON text. */
export type PendingHistoryEvent = Omit<HistoryEvent, 'input' | 'output'> & {
  input: string | null;
  output: string | null;
};

function jsonOrNull(value: unknown): string | null {
  return value === null || value === undefined ? null : JSON.stringify(value);
}

/** One interpreter event as a history row. Wait states are reported as Tasks; this restores them. */
export function toHistoryEvent(
  event: InterpreterEvent,
  seq: number,
  at: Date,
  waitStates: ReadonlySet<string>,
): HistoryEvent {
  const row: HistoryEvent = {
    seq,
    at,
    type: event.type as HistoryEventType,
    stateName: null,
    stateType: null,
    mapIndex: null,
    input: null,
    output: null,
    error: null,
    cause: null,
    retryAttempt: null,
  };
  // Map iteration and Parallel branch events are the nested execution's events, spread: they
  // carry its input, output, Error and Cause beyond what the package's types declare.
  const nested = event as { input?: unknown; output?: unknown; Error?: unknown; Cause?: unknown };
  const failure = () => {
    row.error = nested.Error === undefined ? null : String(nested.Error);
    row.cause = causeText(nested.Cause);
  };
  switch (event.type) {
    case 'ExecutionStarted':
      row.input = event.input;
      break;
    case 'ExecutionSucceeded':
      row.output = event.output;
      break;
    case 'ExecutionFailed':
      failure();
      break;
    case 'MapIterationStarted':
    case 'MapIterationSucceeded':
    case 'MapIterationFailed':
    case 'ParallelBranchStarted':
    case 'ParallelBranchSucceeded':
    case 'ParallelBranchFailed':
      row.stateName = event.parentState.name;
      row.stateType = event.parentState.type;
      if ('index' in event) row.mapIndex = event.index;
      if (event.type.endsWith('Started')) row.input = nested.input ?? null;
      if (event.type.endsWith('Succeeded')) row.output = nested.output ?? null;
      if (event.type.endsWith('Failed')) failure();
      break;
    case 'StateEntered':
    case 'StateExited':
    case 'StateFailed':
    case 'StateRetried':
    case 'StateCaught':
      row.stateName = event.state.name;
      row.stateType = waitStates.has(event.state.name) ? 'Wait' : event.state.type;
      row.mapIndex = event.index ?? null;
      if (event.type === 'StateEntered') row.input = event.state.input;
      if (event.type === 'StateExited') row.output = event.state.output ?? null;
      if (event.type === 'StateFailed') failure();
      if (event.type === 'StateRetried') row.retryAttempt = event.retry.attempt;
      break;
    default:
      break;
  }
  return row;
}

/** The interpreter's Cause is the error's `cause` if it has one, else its message. */
export function causeText(cause: unknown): string | null {
  if (cause === undefined || cause === null) return null;
  if (typeof cause === 'string') return cause;
  if (cause instanceof Error) return cause.message;
  try {
    return JSON.stringify(cause);
  } catch {
    return String(cause);
  }
}
