import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { useMemoryDb } from '../../test/support/memory-db.js';
import type { StateMachineSpec } from '../topology.js';
import { ManualClock } from './clock.js';
import { WorkflowRunner } from './workflow-runner.js';
import {
  ExecutionAlreadyExistsError,
  ExecutionNotFoundError,
  INTERRUPTED_CAUSE,
  InvalidExecutionNameError,
  UnknownStateMachineError,
  WorkflowDefinitionError,
} from './workflow-types.js';

/** Hang: a task that returns only when the test releases it. */
const hanging: StateMachineSpec = {
  description: 'test: one task that waits for the test',
  definition: (resourceFor) => ({
    StartAt: 'Hang',
    States: { Hang: { Type: 'Task', Resource: resourceFor('hang'), End: true } },
  }),
};

const database = useMemoryDb(['workflow_history', 'workflow_executions']);
let clock: ManualClock;
let release: () => void;
let runners: WorkflowRunner[];

function runner(): WorkflowRunner {
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  const created = new WorkflowRunner({
    db: database(),
    clock,
    stateMachines: { hanging },
    tasks: {
      hang: async (input) => {
        await released;
        return input;
      },
    },
  });
  runners.push(created);
  return created;
}

async function until(check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 200 && !(await check()); i++) await new Promise((resolve) => setTimeout(resolve, 10));
}

async function startHanging(workflows: WorkflowRunner): Promise<string> {
  const id = await workflows.start('hanging', { n: 1 });
  await until(async () => (await workflows.history(id)).some((event) => event.stateName === 'Hang'));
  return id;
}

beforeEach(() => {
  clock = new ManualClock('2024-09-01T12:00:00Z');
  runners = [];
});

afterEach(async () => {
  release();
  for (const created of runners) await created.close();
});

describe('WorkflowRunner lifecycle', () => {
  it('returns from start at once with the execution RUNNING and its history readable', async () => {
    const workflows = runner();
    const id = await startHanging(workflows);

    expect(await workflows.get(id)).toMatchObject({ status: 'RUNNING', input: { n: 1 }, stoppedAt: null });
    expect((await workflows.history(id)).map((event) => [event.type, event.stateName])).toEqual([
      ['ExecutionStarted', null],
      ['StateEntered', 'Hang'],
    ]);

    release();
    expect(await workflows.waitFor(id)).toMatchObject({ status: 'SUCCEEDED', output: { n: 1 } });
  });

  it('fails visibly, on the next start-up, an execution whose fabric died while it ran', async () => {
    const crashed = runner();
    const id = await startHanging(crashed);
    clock.advance(60_000);

    // A new fabric on the same database (the old process is gone: the data-dir lock says so).
    const restarted = runner();
    expect(await restarted.recoverInterrupted()).toEqual([id]);

    expect(await restarted.get(id)).toMatchObject({
      status: 'FAILED',
      error: 'States.Runtime',
      cause: INTERRUPTED_CAUSE,
      stoppedAt: new Date('2024-09-01T12:01:00Z'),
    });
    const history = await restarted.history(id);
    expect(history.map((event) => [event.seq, event.type])).toEqual([
      [1, 'ExecutionStarted'],
      [2, 'StateEntered'],
      [3, 'ExecutionFailed'],
    ]);
    expect(history[2]).toMatchObject({ error: 'States.Runtime', cause: INTERRUPTED_CAUSE });
    expect(await restarted.recoverInterrupted()).toEqual([]);
  });

  it('recovers a RUNNING row without history and leaves its own running executions alone', async () => {
    await database().query(
      `INSERT INTO workflow_executions (id, state_machine, name, status, input, started_at)
       VALUES ('left-over', 'hanging', 'left-over', 'RUNNING', '{}', now())`,
    );
    const workflows = runner();
    const mine = await startHanging(workflows);

    expect(await workflows.recoverInterrupted()).toEqual(['left-over']);
    expect((await workflows.history('left-over')).map((event) => [event.seq, event.type])).toEqual([
      [1, 'ExecutionFailed'],
    ]);
    expect((await workflows.get(mine))?.status).toBe('RUNNING');
  });

  it('fails running executions as interrupted when closed', async () => {
    const workflows = runner();
    const id = await startHanging(workflows);

    await workflows.close();

    expect(await workflows.get(id)).toMatchObject({ status: 'FAILED', cause: INTERRUPTED_CAUSE });
    expect((await workflows.history(id)).at(-1)).toMatchObject({ type: 'ExecutionFailed' });
    await expect(workflows.start('hanging', {})).rejects.toThrow(/closed/);
  });

  it('aborts a running execution', async () => {
    const workflows = runner();
    const id = await startHanging(workflows);

    expect(await workflows.abort(id)).toMatchObject({ status: 'ABORTED', error: null });
    expect((await workflows.history(id)).at(-1)).toMatchObject({ type: 'ExecutionAborted' });
    expect((await workflows.abort(id)).status).toBe('ABORTED');
    await expect(workflows.abort('nope')).rejects.toThrow(ExecutionNotFoundError);
  });

  it('records what started an execution and keeps names unique per state machine', async () => {
    const workflows = runner();
    release();
    const id = await workflows.start(
      'hanging',
      {},
      { trigger: 'scheduled', schedule: 'hourly', name: 'run-1' },
    );

    expect(await workflows.waitFor(id)).toMatchObject({
      name: 'run-1',
      trigger: 'scheduled',
      schedule: 'hourly',
    });
    await expect(workflows.start('hanging', {}, { name: 'run-1' })).rejects.toThrow(
      ExecutionAlreadyExistsError,
    );
    await expect(workflows.start('hanging', {}, { name: 'has space' })).rejects.toThrow(
      InvalidExecutionNameError,
    );
    await expect(workflows.start('missing', {})).rejects.toThrow(UnknownStateMachineError);
  });

  it('refuses at construction a Task whose function has no local handler', () => {
    expect(
      () =>
        new WorkflowRunner({
          db: database(),
          clock,
          stateMachines: { hanging },
          tasks: { other: async () => 1 },
        }),
    ).toThrow(new WorkflowDefinitionError('hanging', 'function "hang" has no local handler'));
  });

  it('refuses to start an invalid definition, and records nothing', async () => {
    const broken: StateMachineSpec = {
      description: 'test: a transition to a missing state',
      definition: () => ({ StartAt: 'A', States: { A: { Type: 'Pass', Next: 'Nowhere' } } }),
    };
    const workflows = new WorkflowRunner({ db: database(), clock, stateMachines: { broken }, tasks: {} });

    await expect(workflows.start('broken', {})).rejects.toThrow(/state machine "broken".*Nowhere/s);
    expect(await workflows.list()).toEqual([]);
  });
});
