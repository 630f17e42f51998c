import { beforeEach, describe, expect, it } from 'vitest';
import { useMemoryDb } from '../../test/support/memory-db.js';
import type { ScheduleSpec } from '../topology.js';
import { ManualClock } from './clock.js';
import { InvalidScheduleExpressionError } from './schedule-expression.js';
import { Scheduler } from './scheduler.js';
import { WorkflowRunner } from './workflow-runner.js';

const HOUR = 3_600_000;

const hourly: ScheduleSpec = {
  description: 'test: the auction every hour',
  expression: 'rate(1 hour)',
  target: { stateMachine: 'auction', input: { source: 'schedule' } },
};

const database = useMemoryDb(['schedules', 'workflow_history', 'workflow_executions']);
let clock: ManualClock;
let started: { stateMachine: string; input: unknown; options: unknown; at: string }[];

function scheduler(schedules: Record<string, ScheduleSpec> = { hourly }, fail = false): Scheduler {
  return new Scheduler({
    db: database(),
    clock,
    schedules,
    log: { error: () => {} },
    start: async (stateMachine, input, options) => {
      if (fail) throw new Error('the runner is closed');
      started.push({ stateMachine, input, options, at: clock.now().toISOString() });
      return `execution-${started.length}`;
    },
  });
}

beforeEach(() => {
  clock = new ManualClock('2024-09-01T12:00:00Z');
  started = [];
});

describe('Scheduler', () => {
  it('starts an execution each time a schedule is due, with its target input, and records it', async () => {
    const schedules = scheduler();
    expect(await schedules.tick()).toEqual([]);
    expect((await schedules.list())[0]).toMatchObject({ nextRunAt: new Date('2024-09-01T13:00:00Z') });

    clock.advance(HOUR - 1);
    expect(await schedules.tick()).toEqual([]);
    clock.advance(1);
    expect(await schedules.tick()).toEqual([
      { schedule: 'hourly', dueAt: new Date('2024-09-01T13:00:00Z'), executionId: 'execution-1' },
    ]);
    expect(await schedules.tick()).toEqual([]);

    expect(started).toEqual([
      {
        stateMachine: 'auction',
        input: { source: 'schedule' },
        options: { trigger: 'scheduled', schedule: 'hourly' },
        at: '2024-09-01T13:00:00.000Z',
      },
    ]);
    expect(await schedules.list()).toEqual([
      {
        name: 'hourly',
        description: hourly.description,
        expression: 'rate(1 hour)',
        stateMachine: 'auction',
        nextRunAt: new Date('2024-09-01T14:00:00Z'),
        lastRunAt: new Date('2024-09-01T13:00:00Z'),
        lastExecutionId: 'execution-1',
        lastError: null,
      },
    ]);
  });

  it('runs a schedule once, not once per missed slot, after the server was down, then keeps its cadence', async () => {
    await scheduler().tick();

    // Down from 12:00 to 22:30: ten hourly slots passed. A new process, the same database.
    clock.set('2024-09-01T22:30:00Z');
    const restarted = scheduler();
    expect(await restarted.tick()).toEqual([
      { schedule: 'hourly', dueAt: new Date('2024-09-01T13:00:00Z'), executionId: 'execution-1' },
    ]);
    expect(await restarted.tick()).toEqual([]);

    clock.set('2024-09-01T23:00:00Z');
    expect((await restarted.tick()).map((run) => run.executionId)).toEqual(['execution-2']);
    expect(started.map((run) => run.at)).toEqual(['2024-09-01T22:30:00.000Z', '2024-09-01T23:00:00.000Z']);
  });

  it('recomputes the next run of a schedule whose expression changed in configuration', async () => {
    await scheduler().tick();
    clock.advance(60_000);

    const changed = scheduler({ hourly: { ...hourly, expression: 'cron(0/5 * * * ? *)' } });
    expect((await changed.list())[0]?.nextRunAt).toBeNull();
    expect(await changed.tick()).toEqual([]);
    expect((await changed.list())[0]).toMatchObject({
      expression: 'cron(0/5 * * * ? *)',
      nextRunAt: new Date('2024-09-01T12:05:00Z'),
    });
  });

  it('records a failure to start and moves on to the next slot', async () => {
    const failing = scheduler({ hourly }, true);
    await failing.tick();
    clock.advance(HOUR);

    expect(await failing.tick()).toEqual([
      { schedule: 'hourly', dueAt: new Date('2024-09-01T13:00:00Z'), error: 'the runner is closed' },
    ]);
    expect((await failing.list())[0]).toMatchObject({
      lastError: 'the runner is closed',
      nextRunAt: new Date('2024-09-01T14:00:00Z'),
    });
  });

  it('starts a due schedule once when ticked concurrently', async () => {
    const schedules = scheduler();
    await schedules.tick();
    clock.advance(HOUR);

    await Promise.all([schedules.tick(), schedules.tick(), scheduler().tick()]);
    expect(started).toHaveLength(1);
  });

  it('ticks in the background until stopped', async () => {
    const schedules = scheduler();
    await schedules.tick();
    clock.advance(HOUR);

    schedules.start({ intervalMs: 5 });
    for (let i = 0; i < 100 && started.length === 0; i++)
      await new Promise((resolve) => setTimeout(resolve, 5));
    await schedules.stop();

    expect(started).toHaveLength(1);
  });

  it('starts a workflow execution that records the schedule that started it', async () => {
    const runner = new WorkflowRunner({
      db: database(),
      clock,
      stateMachines: {
        auction: {
          description: 'test: echo',
          definition: () => ({ StartAt: 'Echo', States: { Echo: { Type: 'Pass', End: true } } }),
        },
      },
      tasks: {},
    });
    const schedules = new Scheduler({
      db: database(),
      clock,
      schedules: { hourly },
      start: (stateMachine, input, options) => runner.start(stateMachine, input, options),
    });
    await schedules.tick();
    clock.advance(HOUR);

    const [run] = await schedules.tick();
    const execution = await runner.waitFor(run?.executionId ?? '');
    expect(execution).toMatchObject({
      stateMachine: 'auction',
      status: 'SUCCEEDED',
      trigger: 'scheduled',
      schedule: 'hourly',
      output: { source: 'schedule' },
    });
    expect((await schedules.list())[0]?.lastExecutionId).toBe(execution.id);
  });

  it('refuses an invalid expression at construction, naming the schedule', () => {
    expect(() => scheduler({ nightly: { ...hourly, expression: 'rate(1 hours)' } })).toThrow(
      new InvalidScheduleExpressionError('rate(1 hours)', 'use "hour" for a value of 1 (schedule "nightly")'),
    );
  });
});
