import type { KinesisStreamEvent, SQSEvent } from 'aws-lambda';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  clicksTopology,
  clicksTrigger,
  dataOf,
  openClicks,
  useStreamDb,
} from '../../test/support/stream-fixture.js';
import type { SqlClient } from '../adapters/sql/sql-client.js';
import type { Topology } from '../topology.js';
import type { ManualClock } from './clock.js';
import { type DeliverTwice, tasksRunTwice, worseOutcome } from './deliver-twice.js';
import { type DeployedFunction, Dispatcher } from './dispatcher.js';
import { QueueStore } from './queue-store.js';
import type { StreamStore } from './stream-store.js';

const topology = {
  ...clicksTopology,
  queues: {
    ...clicksTopology.queues,
    jobs: {
      description: 'jobs',
      visibilityTimeoutSeconds: 30,
      retentionSeconds: 86_400,
      deadLetter: { queue: 'jobs-dlq', maxReceiveCount: 3 },
    },
    'jobs-dlq': { description: 'dead jobs', visibilityTimeoutSeconds: 30, retentionSeconds: 86_400 },
  },
} satisfies Topology;
const spec = { description: 'test', entry: 'test-only', timeoutSeconds: 5, memoryMb: 128 };

const database = useStreamDb();
let db: SqlClient;
let clock: ManualClock;
let streams: StreamStore;
let queues: QueueStore;
/** What each invocation saw, and how many invocations were running when it started. */
let seen: { data: string[]; receiveCounts: string[]; overlapping: number; checkpoint: number }[];
let running: number;
let fail: (data: string, invocation: number) => boolean;

beforeEach(async () => {
  ({ db, clock, streams } = await openClicks(database()));
  queues = new QueueStore(db, clock, topology.queues, { failureQueues: ['clicks-dlq'] });
  seen = [];
  running = 0;
  fail = () => false;
});

const checkpoint = async () =>
  (await db.query<{ c: number }>('SELECT coalesce(max(checkpoint), 0) AS c FROM stream_checkpoints')).rows[0]
    ?.c ?? 0;

/** Records the invocation, lets the other delivery start meanwhile, then answers. */
async function observe(data: string[], receiveCounts: string[]) {
  running++;
  const entry = { data, receiveCounts, overlapping: running, checkpoint: await checkpoint() };
  seen.push(entry);
  await new Promise((resolve) => setTimeout(resolve, 5));
  entry.overlapping = Math.max(entry.overlapping, running);
  running--;
  return seen.length;
}

function dispatcher(deliverTwice: DeliverTwice) {
  const functions: DeployedFunction[] = [
    {
      name: 'worker',
      spec: { ...spec, trigger: { queue: 'jobs', batchSize: 10 } },
      handler: async (event: SQSEvent) => {
        const bodies = event.Records.map((r) => r.body);
        const n = await observe(
          bodies,
          event.Records.map((r) => r.attributes.ApproximateReceiveCount),
        );
        const failed = event.Records.filter((r) => fail(r.body, n));
        return { batchItemFailures: failed.map((r) => ({ itemIdentifier: r.messageId })) };
      },
    },
    {
      name: 'reader',
      spec: { ...spec, trigger: clicksTrigger() },
      handler: async (event: KinesisStreamEvent) => {
        await observe(dataOf(event), []);
        return { batchItemFailures: [] };
      },
    },
  ];
  return new Dispatcher(db, queues, clock, functions, { streams, deliverTwice, log: { error: () => {} } });
}

describe('duplicate delivery', () => {
  it('after: receives each processed message a second time, same id and body, receive count 2, then deletes it', async () => {
    const ids = await queues.send('jobs', [{ body: 'j1' }, { body: 'j2' }]);
    await dispatcher('after').drain();
    expect(
      seen.map(({ data, receiveCounts, overlapping }) => ({ data, receiveCounts, overlapping })),
    ).toEqual([
      { data: ['j1', 'j2'], receiveCounts: ['1', '1'], overlapping: 1 },
      { data: ['j1', 'j2'], receiveCounts: ['2', '2'], overlapping: 1 },
    ]);
    expect(await queues.list()).toEqual([]);
    expect(ids).toHaveLength(2);
  });

  it('after: retries a message that failed on its first receive as usual, without an extra delivery', async () => {
    await queues.send('jobs', [{ body: 'j1' }]);
    fail = (_, invocation) => invocation === 1;
    await dispatcher('after').drain();
    clock.advance(1_000);
    await dispatcher('after').drain();
    expect(seen.map((s) => s.receiveCounts)).toEqual([['1'], ['2']]);
    expect(await queues.list()).toEqual([]);
  });

  it('concurrent: hands the same messages to two invocations at once and retries them when either failed', async () => {
    await queues.send('jobs', [{ body: 'j1' }]);
    fail = (_, invocation) => invocation === 2;
    await dispatcher('concurrent').drain();
    expect(seen.map((s) => [s.receiveCounts, s.overlapping])).toEqual([
      [['1'], 2],
      [['2'], 2],
    ]);
    expect((await queues.list('jobs'))[0]).toMatchObject({
      receiveCount: 1,
      lastError: 'reported in batchItemFailures',
    });
  });

  it.each(['after', 'concurrent'] as const)(
    '%s: hands each stream batch over twice before the checkpoint moves',
    async (mode) => {
      const put = (data: string[]) =>
        streams.putRecords(
          'clicks',
          data.map((d) => ({ partitionKey: 'a', data: new TextEncoder().encode(d) })),
        );
      await put(['1', '2', '3', '4', '5', '6']);
      await dispatcher(mode).drain();
      expect(seen.map((s) => [s.data, s.checkpoint, s.overlapping])).toEqual([
        [['1', '2', '3', '4', '5'], 0, mode === 'after' ? 1 : 2],
        [['1', '2', '3', '4', '5'], 0, mode === 'after' ? 1 : 2],
        [['6'], 5, mode === 'after' ? 1 : 2],
        [['6'], 5, mode === 'after' ? 1 : 2],
      ]);
      expect(await checkpoint()).toBe(6);
    },
  );

  it('keeps the outcome that moves a checkpoint least of two concurrent deliveries', () => {
    const error = new Error('x');
    const ok = { kind: 'ok' } as const;
    const at = (index: number) => ({ kind: 'partial', index, error, failures: 1 }) as const;
    expect(worseOutcome(ok, ok)).toBe(ok);
    expect(worseOutcome(ok, at(3))).toEqual(at(3));
    expect(worseOutcome(at(1), at(3))).toEqual(at(1));
    expect(worseOutcome(at(1), { kind: 'failed', error })).toEqual({ kind: 'failed', error });
  });

  it('runs each workflow task twice, the second result being the output, and a failing first run once', async () => {
    const calls: unknown[] = [];
    const tasks = tasksRunTwice({
      store: async (input) => {
        calls.push(input);
        return { n: calls.length };
      },
      reject: async () => {
        calls.push('reject');
        throw new Error('OrderRejected');
      },
    });
    expect(await tasks.store?.({ id: 1 })).toEqual({ n: 2 });
    await expect(tasks.reject?.({})).rejects.toThrow('OrderRejected');
    expect(calls).toEqual([{ id: 1 }, { id: 1 }, 'reject']);
  });
});
