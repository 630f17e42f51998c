import { beforeEach, describe, expect, it } from 'vitest';
import { useMemoryDb } from '../../test/support/memory-db.js';
import { validateAsl } from '../../test/support/validate-asl.js';
import type { StateMachineSpec } from '../topology.js';
import { ManualClock } from './clock.js';
import { localFunctionArn, type TaskFunction, WorkflowRunner } from './workflow-runner.js';
import type { HistoryEvent } from './workflow-types.js';

class Flaky extends Error {
  override name = 'Flaky';
}
class Rejected extends Error {
  override name = 'Rejected';
}

/**
 * Polls until ready (a Wait of `$.waitSeconds` between polls, at most 4 polls, then Fail), then
 * handles each item in a Map (2 at a time); a rejected item is caught and alerted.
 */
const polling: StateMachineSpec = {
  description: 'test: poll, wait, map with catch',
  definition: (resourceFor) => ({
    StartAt: 'Poll',
    States: {
      Poll: {
        Type: 'Task',
        Resource: resourceFor('poll'),
        Retry: [{ ErrorEquals: ['Flaky'], IntervalSeconds: 2, BackoffRate: 3, MaxAttempts: 2 }],
        Next: 'IsReady',
      },
      IsReady: {
        Type: 'Choice',
        Choices: [
          { Variable: '$.ready', BooleanEquals: true, Next: 'Process' },
          { Variable: '$.attempt', NumericGreaterThanEquals: 4, Next: 'GiveUp' },
        ],
        Default: 'Pause',
      },
      Pause: { Type: 'Wait', SecondsPath: '$.waitSeconds', Next: 'Poll' },
      Process: {
        Type: 'Map',
        ItemsPath: '$.items',
        MaxConcurrency: 2,
        ItemProcessor: {
          ProcessorConfig: { Mode: 'INLINE' },
          StartAt: 'Handle',
          States: {
            Handle: {
              Type: 'Task',
              Resource: resourceFor('handle'),
              Catch: [{ ErrorEquals: ['Rejected'], ResultPath: '$.error', Next: 'Alert' }],
              End: true,
            },
            Alert: { Type: 'Task', Resource: resourceFor('alert'), End: true },
          },
        },
        ResultPath: '$.results',
        Next: 'Done',
      },
      Done: { Type: 'Pass', Parameters: { 'results.$': '$.results' }, End: true },
      GiveUp: { Type: 'Fail', Error: 'NeverReady', Cause: 'the platform never had results' },
    },
  }),
};

const database = useMemoryDb(['workflow_history', 'workflow_executions']);
let clock: ManualClock;
let calls: { poll: number; handling: number; maxHandling: number; alerts: unknown[] };

function tasks(readyAfter: number, options: { flakyFirst?: boolean } = {}): Record<string, TaskFunction> {
  return {
    async poll(input) {
      calls.poll += 1;
      if (options.flakyFirst && calls.poll === 1) throw new Flaky('the platform answered 500');
      const state = input as { attempt?: number };
      const attempt = (state.attempt ?? 0) + 1;
      return { ...state, attempt, ready: attempt >= readyAfter };
    },
    async handle(input) {
      const { id } = input as { id: string };
      calls.handling += 1;
      calls.maxHandling = Math.max(calls.maxHandling, calls.handling);
      await new Promise((resolve) => setTimeout(resolve, 5));
      calls.handling -= 1;
      if (id === 'bad') throw new Rejected(`item ${id} was rejected`);
      return { id, status: 'accepted' };
    },
    async alert(input) {
      calls.alerts.push(input);
      return { alerted: true };
    },
  };
}

function runner(readyAfter: number, options: { flakyFirst?: boolean } = {}): WorkflowRunner {
  return new WorkflowRunner({
    db: database(),
    clock,
    stateMachines: { polling },
    tasks: tasks(readyAfter, options),
  });
}

const pick = (events: HistoryEvent[], type: string, state?: string) =>
  events.filter((event) => event.type === type && (state === undefined || event.stateName === state));

beforeEach(() => {
  clock = new ManualClock('2024-09-01T12:00:00Z');
  calls = { poll: 0, handling: 0, maxHandling: 0, alerts: [] };
});

describe('WorkflowRunner', () => {
  it('runs Task, Choice, Wait, Map and Catch to success and records each state with its input and output', async () => {
    const input = { waitSeconds: 30, items: [{ id: 'a' }, { id: 'bad' }, { id: 'c' }, { id: 'd' }] };
    const execution = await runner(3).run('polling', input);

    expect(execution).toMatchObject({
      stateMachine: 'polling',
      status: 'SUCCEEDED',
      trigger: 'manual',
      input,
      error: null,
      startedAt: new Date('2024-09-01T12:00:00Z'),
    });
    expect(execution.output).toEqual({
      results: [
        { id: 'a', status: 'accepted' },
        { alerted: true },
        { id: 'c', status: 'accepted' },
        { id: 'd', status: 'accepted' },
      ],
    });
    expect(calls.alerts).toEqual([
      { id: 'bad', error: { Error: 'Rejected', Cause: 'item bad was rejected' } },
    ]);
    expect(calls.maxHandling).toBe(2);

    const history = await runner(3).history(execution.id);
    expect(history.map((event) => event.seq)).toEqual(history.map((_, index) => index + 1));
    expect(history[0]).toMatchObject({ type: 'ExecutionStarted', input });
    expect(history.at(-1)).toMatchObject({ type: 'ExecutionSucceeded', output: execution.output });
    expect(pick(history, 'StateEntered', 'Poll')[0]).toMatchObject({ stateType: 'Task', input });
    expect(pick(history, 'StateExited', 'Poll')[0]).toMatchObject({
      output: { ...input, attempt: 1, ready: false },
    });
    // Poll ×3, IsReady ×3, Pause ×2, Process, Handle ×4, Alert, Done: each entered and exited.
    expect(pick(history, 'StateEntered')).toHaveLength(15);
    expect(pick(history, 'StateExited')).toHaveLength(15);
    expect(pick(history, 'StateFailed', 'Handle')).toEqual([
      expect.objectContaining({ mapIndex: 1, error: 'Rejected', cause: 'item bad was rejected' }),
    ]);
    expect(pick(history, 'StateCaught', 'Handle')).toEqual([expect.objectContaining({ mapIndex: 1 })]);
    expect(
      pick(history, 'MapIterationSucceeded')
        .map((event) => event.mapIndex)
        .sort(),
    ).toEqual([0, 1, 2, 3]);
  });

  it('waits on the clock: k Wait loops run at once and the clock shows k × the wait', async () => {
    const execution = await runner(4).run('polling', { waitSeconds: 30, items: [] });

    expect(execution.status).toBe('SUCCEEDED');
    expect(clock.now()).toEqual(new Date('2024-09-01T12:01:30Z'));
    expect(execution.stoppedAt).toEqual(new Date('2024-09-01T12:01:30Z'));
    const history = await runner(4).history(execution.id);
    const waits = pick(history, 'StateEntered', 'Pause');
    expect(waits.map((event) => [event.stateType, event.at.toISOString()])).toEqual([
      ['Wait', '2024-09-01T12:00:00.000Z'],
      ['Wait', '2024-09-01T12:00:30.000Z'],
      ['Wait', '2024-09-01T12:01:00.000Z'],
    ]);
    expect(pick(history, 'StateExited', 'Pause').map((event) => event.at.toISOString())).toEqual([
      '2024-09-01T12:00:30.000Z',
      '2024-09-01T12:01:00.000Z',
      '2024-09-01T12:01:30.000Z',
    ]);
  });

  it('retries a failing task after its backoff on the clock and records the failure and the retry', async () => {
    const execution = await runner(1, { flakyFirst: true }).run('polling', { waitSeconds: 30, items: [] });

    expect(execution.status).toBe('SUCCEEDED');
    expect(calls.poll).toBe(2);
    expect(clock.now()).toEqual(new Date('2024-09-01T12:00:02Z'));
    const history = await runner(1).history(execution.id);
    expect(pick(history, 'StateFailed', 'Poll')).toEqual([
      expect.objectContaining({ error: 'Flaky', cause: 'the platform answered 500' }),
    ]);
    expect(pick(history, 'StateRetried', 'Poll')).toEqual([expect.objectContaining({ retryAttempt: 1 })]);
    expect(pick(history, 'StateExited', 'Poll')[0]?.at).toEqual(new Date('2024-09-01T12:00:02Z'));
  });

  it('fails through a Fail state with its error and cause', async () => {
    const execution = await runner(99).run('polling', { waitSeconds: 10, items: [] });

    expect(execution).toMatchObject({
      status: 'FAILED',
      error: 'NeverReady',
      cause: 'the platform never had results',
      output: null,
    });
    expect(calls.poll).toBe(4);
    expect(clock.now()).toEqual(new Date('2024-09-01T12:00:30Z'));
    const history = await runner(99).history(execution.id);
    expect(history.at(-1)).toMatchObject({ type: 'ExecutionFailed', error: 'NeverReady' });
    expect(pick(history, 'StateEntered', 'GiveUp')).toHaveLength(1);
  });

  it('fails an execution whose SecondsPath gives no usable number', async () => {
    const execution = await runner(2).run('polling', { waitSeconds: 'soon', items: [] });

    expect(execution).toMatchObject({ status: 'FAILED', error: 'States.Runtime' });
    expect(execution.cause).toContain('SecondsPath');
  });

  it('lists executions newest first, filtered by state machine and status', async () => {
    const workflows = runner(2);
    const first = await workflows.run('polling', { waitSeconds: 1, items: [] });
    clock.advance(60_000);
    const second = await workflows.run('polling', { waitSeconds: 'bad', items: [] }, { name: 'second' });

    expect((await workflows.list()).map((execution) => execution.id)).toEqual([second.id, first.id]);
    expect(await workflows.list({ status: 'SUCCEEDED' })).toEqual([
      expect.objectContaining({ id: first.id }),
    ]);
    expect(await workflows.list({ stateMachine: 'other' })).toEqual([]);
    expect(await workflows.list({ limit: 1 })).toEqual([
      expect.objectContaining({ id: second.id, name: 'second' }),
    ]);
  });

  it('has a definition that asl-validator accepts', () => {
    expect(validateAsl(polling.definition(localFunctionArn))).toEqual({ valid: true, errors: [] });
  });
});
