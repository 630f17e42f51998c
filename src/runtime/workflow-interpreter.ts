import type { StateMachine } from 'aws-local-stepfunctions';
import type { LocalDefinition } from './workflow-definition.js';
import type { LocalHandlers } from './workflow-handlers.js';
import { causeText, type InterpreterEvent } from './workflow-history.js';
import type { ExecutionOutcome } from './workflow-store.js';
import { WorkflowDefinitionError } from './workflow-types.js';

type InterpreterModule = typeof import('aws-local-stepfunctions');
type Definition = ConstructorParameters<InterpreterModule['StateMachine']>[0];
type RunOptions = NonNullable<Parameters<StateMachine['run']>[1]>;
type JsonInput = Parameters<StateMachine['run']>[0];

let interpreterModule: Promise<InterpreterModule> | undefined;

/** One state machine, ready to run on local handlers. */
export interface Interpreter {
  run(
    input: unknown,
    handlers: LocalHandlers,
    context: NonNullable<RunOptions['context']>,
  ): { abort(): void; result: Promise<unknown>; eventLogs: AsyncGenerator<InterpreterEvent> };
}

/**
 * Loads aws-local-stepfunctions (at the first execution, not with the fabric: the package loads
 * the AWS SDK's Lambda client, which the rest of the embedded runtime never needs), validates the
 * definition as written (the package runs asl-validator), and prepares its runnable copy.
 */
export async function loadInterpreter(stateMachine: string, local: LocalDefinition): Promise<Interpreter> {
  interpreterModule ??= import('aws-local-stepfunctions');
  const { StateMachine } = await interpreterModule;
  try {
    // The validator adds fields to what it checks: give it a copy.
    new StateMachine(structuredClone(local.original) as unknown as Definition);
  } catch (error) {
    throw new WorkflowDefinitionError(stateMachine, error instanceof Error ? error.message : String(error));
  }
  const machine = new StateMachine(local.runnable as unknown as Definition, {
    validationOptions: { noValidate: true },
  });
  // Task retries happen at once in the interpreter; the handlers wait out the backoff on the clock.
  const retryIntervalOverrides = Object.fromEntries(
    [...local.tasks].filter(([, task]) => task.retriers.length > 0).map(([name]) => [name, 0]),
  );
  return {
    run: (input, handlers, context) =>
      machine.run(input as JsonInput, {
        overrides: { taskResourceLocalHandlers: handlers, retryIntervalOverrides },
        context,
      }),
  };
}

/** How an execution ended, from the error its result rejected with. */
export function executionOutcome(error: unknown): ExecutionOutcome {
  const failure = error as { name?: string; message?: string; cause?: unknown } | undefined;
  switch (failure?.name) {
    case 'ExecutionAbortedError':
      return { status: 'ABORTED' };
    case 'ExecutionTimeoutError':
      return {
        status: 'TIMED_OUT',
        error: 'States.Timeout',
        cause: 'the execution ran longer than its TimeoutSeconds',
      };
    case 'ExecutionError': {
      // The error that failed the execution, as its ExecutionFailed event reports it.
      const cause = failure.cause as { name?: string; message?: string; cause?: unknown } | undefined;
      return {
        status: 'FAILED',
        error: cause?.name ?? 'States.Runtime',
        cause: causeText(cause?.cause ?? cause?.message),
      };
    }
    default:
      return { status: 'FAILED', error: 'States.Runtime', cause: causeText(failure?.message ?? error) };
  }
}
