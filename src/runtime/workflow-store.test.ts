import { beforeEach, expect, it } from 'vitest';
import { describeEachDriver } from '../../test/support/sql-drivers.js';
import { ManualClock } from './clock.js';
import { Scheduler } from './scheduler.js';
import type { PendingHistoryEvent } from './workflow-history.js';
import { WorkflowStore } from './workflow-store.js';
import { ExecutionAlreadyExistsError } from './workflow-types.js';

const at = new Date('2024-09-01T12:00:00.123Z');

function event(seq: number, fields: Partial<PendingHistoryEvent> = {}): PendingHistoryEvent {
  return {
    seq,
    at,
    type: 'StateEntered',
    stateName: null,
    stateType: null,
    mapIndex: null,
    input: null,
    output: null,
    error: null,
    cause: null,
    retryAttempt: null,
    ...fields,
  };
}

describeEachDriver('workflow and schedule tables', (getDb) => {
  let store: WorkflowStore;

  beforeEach(async () => {
    await getDb().query('DELETE FROM workflow_executions');
    await getDb().query('DELETE FROM schedules');
    store = new WorkflowStore(getDb());
  });

  it('keeps an execution, its history and its end, with JSON values as given', async () => {
    const base = { stateMachine: 'sm', trigger: 'manual' as const, schedule: null, startedAt: at };
    await store.insertRunning({ ...base, id: 'e1', name: 'first', input: { text: 'a "quoted" é', n: 1.5 } });
    await expect(store.insertRunning({ ...base, id: 'e2', name: 'first', input: {} })).rejects.toThrow(
      ExecutionAlreadyExistsError,
    );
    await store.appendHistory('e1', [
      event(1, { type: 'ExecutionStarted', input: '{"text":"a"}' }),
      event(2, { stateName: 'Each', stateType: 'Map', mapIndex: 3, input: '"just a string"' }),
      event(3, { type: 'StateRetried', stateName: 'T', retryAttempt: 2, output: 'null' }),
    ]);
    expect(await store.finish('e1', { status: 'SUCCEEDED', output: [1, 'two'] }, at)).toBe(true);
    expect(await store.finish('e1', { status: 'FAILED' }, at)).toBe(false);

    expect(await store.get('e1')).toMatchObject({
      status: 'SUCCEEDED',
      input: { text: 'a "quoted" é', n: 1.5 },
      output: [1, 'two'],
      startedAt: at,
      stoppedAt: at,
    });
    const history = await store.history('e1');
    expect(history.map((row) => [row.seq, row.type, row.mapIndex, row.input, row.retryAttempt])).toEqual([
      [1, 'ExecutionStarted', null, { text: 'a' }, null],
      [2, 'StateEntered', 3, 'just a string', null],
      [3, 'StateRetried', null, null, 2],
    ]);
    expect(history[0]?.at).toEqual(at);
    expect(await store.history('e1', { afterSeq: 2 })).toHaveLength(1);
  });

  it('fails RUNNING executions as interrupted with a history event after the last one', async () => {
    const base = { stateMachine: 'sm', trigger: 'manual' as const, schedule: null, startedAt: at, input: {} };
    await store.insertRunning({ ...base, id: 'a', name: 'a' });
    await store.insertRunning({ ...base, id: 'b', name: 'b' });
    await store.insertRunning({ ...base, id: 'c', name: 'c' });
    await store.appendHistory('a', [event(1), event(2)]);

    expect(await store.failRunning('States.Runtime', 'interrupted', at, { except: ['c'] })).toEqual([
      'a',
      'b',
    ]);
    expect((await store.history('a')).map((row) => [row.seq, row.type, row.cause])).toEqual([
      [1, 'StateEntered', null],
      [2, 'StateEntered', null],
      [3, 'ExecutionFailed', 'interrupted'],
    ]);
    expect((await store.list({ status: 'RUNNING' })).map((row) => row.id)).toEqual(['c']);
  });

  it('runs a due schedule once', async () => {
    const clock = new ManualClock('2024-09-01T12:00:00Z');
    const started: string[] = [];
    const scheduler = new Scheduler({
      db: getDb(),
      clock,
      schedules: { hourly: { description: 'h', expression: 'rate(1 hour)', target: { stateMachine: 'sm' } } },
      start: async (stateMachine) => {
        started.push(stateMachine);
        return 'execution-1';
      },
    });
    await scheduler.tick();
    clock.advance(5 * 3_600_000);

    expect(await scheduler.tick()).toEqual([
      { schedule: 'hourly', dueAt: new Date('2024-09-01T13:00:00Z'), executionId: 'execution-1' },
    ]);
    expect(await scheduler.tick()).toEqual([]);
    expect(started).toEqual(['sm']);
  });
});
