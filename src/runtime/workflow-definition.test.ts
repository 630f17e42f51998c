import { describe, expect, it } from 'vitest';
import { prepareLocalDefinition, WAIT_RESOURCE, waitMilliseconds } from './workflow-definition.js';
import { localFunctionArn } from './workflow-runner.js';
import { WorkflowDefinitionError } from './workflow-types.js';

const functionFor = (resource: string) => /:function:(.+)$/.exec(resource)?.[1];

const nested = {
  StartAt: 'Fetch',
  States: {
    Fetch: { Type: 'Task', Resource: localFunctionArn('fetch'), Next: 'Pause' },
    Pause: { Type: 'Wait', SecondsPath: '$.wait', InputPath: '$.body', Next: 'Each' },
    Each: {
      Type: 'Map',
      Iterator: {
        StartAt: 'Store',
        States: {
          Store: {
            Type: 'Task',
            Resource: localFunctionArn('store'),
            Retry: [{ ErrorEquals: ['States.ALL'], MaxAttempts: 2 }],
            End: true,
          },
        },
      },
      Next: 'Both',
    },
    Both: {
      Type: 'Parallel',
      Branches: [
        {
          StartAt: 'Left',
          States: { Left: { Type: 'Task', Resource: localFunctionArn('left'), End: true } },
        },
        {
          StartAt: 'Later',
          States: { Later: { Type: 'Wait', Timestamp: '2024-09-02T00:00:00Z', End: true } },
        },
      ],
      End: true,
    },
  },
};

describe('prepareLocalDefinition', () => {
  it('finds the Task states of Map iterators and Parallel branches and their functions', () => {
    const local = prepareLocalDefinition('demo', nested, functionFor);

    expect(Object.fromEntries([...local.tasks].map(([state, task]) => [state, task.functionName]))).toEqual({
      Fetch: 'fetch',
      Store: 'store',
      Left: 'left',
    });
    expect(local.tasks.get('Store')?.retriers).toEqual([{ ErrorEquals: ['States.ALL'], MaxAttempts: 2 }]);
    expect(Object.fromEntries(local.waits)).toEqual({
      Pause: { fromPath: 'seconds' },
      Later: { timestamp: '2024-09-02T00:00:00Z' },
    });
  });

  it('runs each Wait state as a pass-through Task that receives the value of SecondsPath', () => {
    const local = prepareLocalDefinition('demo', nested, functionFor);
    const states = local.runnable.States as Record<string, Record<string, unknown>>;

    expect(states.Pause).toEqual({
      Type: 'Task',
      Resource: WAIT_RESOURCE,
      Parameters: { 'input.$': '$', 'seconds.$': '$.wait' },
      TimeoutSeconds: 2147483,
      InputPath: '$.body',
      Next: 'Each',
    });
    expect((nested.States.Pause as { Type: string }).Type).toBe('Wait');
  });

  it.each([
    [
      'a Task resource that is no local function',
      { Type: 'Task', Resource: 'arn:aws:states:::sqs:sendMessage', End: true },
      /"arn:aws:states:::sqs:sendMessage", which is no local function/,
    ],
    ['JSONata', { Type: 'Pass', QueryLanguage: 'JSONata', End: true }, /JSONata/],
    [
      'a distributed Map',
      {
        Type: 'Map',
        ItemReader: {},
        ItemProcessor: { StartAt: 'X', States: { X: { Type: 'Succeed' } } },
        End: true,
      },
      /ItemReader/,
    ],
  ])('refuses %s', (_, state, message) => {
    const run = () => prepareLocalDefinition('demo', { StartAt: 'A', States: { A: state } }, functionFor);
    expect(run).toThrow(WorkflowDefinitionError);
    expect(run).toThrow(message);
  });

  it('refuses a state name used twice, since local handlers are found by state name', () => {
    const definition = {
      StartAt: 'Each',
      States: {
        Each: {
          Type: 'Map',
          ItemProcessor: { StartAt: 'Each', States: { Each: { Type: 'Succeed' } } },
          End: true,
        },
      },
    };
    expect(() => prepareLocalDefinition('demo', definition, functionFor)).toThrow(/"Each" is used twice/);
  });
});

describe('waitMilliseconds', () => {
  const now = new Date('2024-09-01T12:00:00Z');

  it.each([
    [{ seconds: 30 }, {}, 30_000],
    [{ timestamp: '2024-09-01T12:01:00Z' }, {}, 60_000],
    [{ timestamp: '2024-09-01T11:00:00Z' }, {}, 0],
    [{ fromPath: 'seconds' as const }, { seconds: 5 }, 5_000],
    [{ fromPath: 'timestamp' as const }, { timestamp: '2024-09-01T12:00:10.5+00:00' }, 10_500],
  ])('waits %j with %j for %i ms', (wait, received, ms) => {
    expect(waitMilliseconds(wait, received, now)).toBe(ms);
  });

  it.each([
    [{ fromPath: 'seconds' as const }, { seconds: -1 }, /SecondsPath must give an integer >= 0, got -1/],
    [{ fromPath: 'seconds' as const }, { seconds: 1.5 }, /SecondsPath/],
    [
      { fromPath: 'timestamp' as const },
      { timestamp: 'tomorrow' },
      /TimestampPath must give an RFC 3339 timestamp/,
    ],
  ])('fails with States.Runtime for %j given %j', (wait, received, message) => {
    expect(() => waitMilliseconds(wait, received, now)).toThrow(message);
    try {
      waitMilliseconds(wait, received, now);
    } catch (error) {
      expect((error as Error).name).toBe('States.Runtime');
    }
  });
});
