import { beforeEach, describe, expect, it } from 'vitest';
import { useMemoryDb } from '../../test/support/memory-db.js';
import type { SqlClient } from '../adapters/sql/sql-client.js';
import type { QueueSpec } from '../topology.js';
import { ManualClock } from './clock.js';
import { QueueStore, retryDelaySeconds, type StoredMessage, UnknownQueueError } from './queue-store.js';

const specs: Record<string, QueueSpec> = {
  work: {
    description: 'work with a DLQ',
    visibilityTimeoutSeconds: 30,
    retentionSeconds: 86_400,
    deadLetter: { queue: 'work-dlq', maxReceiveCount: 3 },
  },
  'work-dlq': { description: 'dead letters of work', visibilityTimeoutSeconds: 30, retentionSeconds: 86_400 },
  other: {
    description: 'a second queue without a DLQ',
    visibilityTimeoutSeconds: 10,
    retentionSeconds: 86_400,
  },
};

const database = useMemoryDb(['queue_messages']);
let db: SqlClient;
let clock: ManualClock;
let queues: QueueStore;

beforeEach(async () => {
  db = database();
  clock = new ManualClock('2024-09-01T12:00:00Z');
  queues = new QueueStore(db, clock, specs);
});

const seconds = (n: number) => n * 1000;

async function receiveOne(queue: string): Promise<StoredMessage> {
  const [message, ...rest] = await queues.receive(queue, 10);
  expect(rest).toEqual([]);
  if (!message) throw new Error(`expected a message in ${queue}`);
  return message;
}

describe('QueueStore send and receive', () => {
  it('hides a received message until its visibility timeout passes, then offers it again with a new receipt', async () => {
    const [id] = await queues.send('work', [{ body: 'hello', traceId: 'trace-1' }]);
    const first = await receiveOne('work');
    expect(first).toMatchObject({ messageId: id, body: 'hello', traceId: 'trace-1', receiveCount: 1 });
    expect(first.receipt).toEqual(expect.any(String));

    clock.advance(seconds(29));
    expect(await queues.receive('work', 10)).toEqual([]);

    clock.advance(seconds(1));
    const second = await receiveOne('work');
    expect(second).toMatchObject({ messageId: id, receiveCount: 2 });
    expect(second.receipt).not.toBe(first.receipt);
    expect(second.firstReceivedAt).toEqual(first.firstReceivedAt);
  });

  it('ignores an acknowledgement with a stale receipt', async () => {
    const [id] = await queues.send('work', [{ body: 'hello' }]);
    const first = await receiveOne('work');
    clock.advance(seconds(30));
    const second = await receiveOne('work');

    await queues.acknowledge([first.receipt as string]);
    expect(await queues.get(id as string)).toMatchObject({ receipt: second.receipt });

    await queues.acknowledge([second.receipt as string]);
    expect(await queues.get(id as string)).toBeUndefined();
  });

  it('deletes an acknowledged message for good', async () => {
    await queues.send('work', [{ body: 'a' }, { body: 'b' }]);
    const received = await queues.receive('work', 10);
    expect(received.map((m) => m.body).sort()).toEqual(['a', 'b']);
    await queues.acknowledge(received.map((m) => m.receipt as string));

    clock.advance(seconds(3600));
    expect(await queues.receive('work', 10)).toEqual([]);
    expect(await queues.list('work')).toEqual([]);
  });

  it('hands over a batch oldest message first', async () => {
    const bodies = Array.from({ length: 12 }, (_, i) => `m${i}`);
    await queues.send(
      'work',
      bodies.map((body) => ({ body })),
    );
    expect((await queues.receive('work', 12)).map((m) => m.body)).toEqual(bodies);
  });

  it('receives at most the number asked for', async () => {
    await queues.send('work', [{ body: '1' }, { body: '2' }, { body: '3' }]);
    expect(await queues.receive('work', 2)).toHaveLength(2);
    expect(await queues.receive('work', 2)).toHaveLength(1);
  });

  it('holds back a delayed message until its delay passes', async () => {
    await queues.send('work', [{ body: 'later', delaySeconds: 5 }]);
    expect(await queues.receive('work', 10)).toEqual([]);
    clock.advance(seconds(5));
    expect(await receiveOne('work')).toMatchObject({ body: 'later' });
  });

  it('keeps each queue to itself', async () => {
    await queues.send('other', [{ body: 'elsewhere' }]);
    expect(await queues.receive('work', 10)).toEqual([]);
    expect(await receiveOne('other')).toMatchObject({ body: 'elsewhere', queue: 'other' });
  });
});

describe('QueueStore failures', () => {
  it('offers a failed message again after a backoff of 1 s, then 2 s', async () => {
    expect([1, 2, 3, 4, 10, 20].map(retryDelaySeconds)).toEqual([1, 2, 4, 8, 300, 300]);
    const [id] = await queues.send('work', [{ body: 'flaky' }]);

    const first = await receiveOne('work');
    expect(await queues.fail(first, 'boom 1', { retriable: true })).toBe('retry');
    clock.advance(seconds(1) - 1);
    expect(await queues.receive('work', 10)).toEqual([]);
    clock.advance(1);
    const second = await receiveOne('work');
    expect(second).toMatchObject({ messageId: id, receiveCount: 2, lastError: 'boom 1' });

    expect(await queues.fail(second, 'boom 2', { retriable: true })).toBe('retry');
    clock.advance(seconds(2) - 1);
    expect(await queues.receive('work', 10)).toEqual([]);
    clock.advance(1);
    expect(await receiveOne('work')).toMatchObject({ messageId: id, receiveCount: 3, lastError: 'boom 2' });
  });

  it('moves a message to the DLQ once it has been received maxReceiveCount times', async () => {
    const [id] = await queues.send('work', [{ body: 'poison' }]);
    for (let attempt = 1; attempt < 3; attempt++) {
      expect(await queues.fail(await receiveOne('work'), `boom ${attempt}`, { retriable: true })).toBe(
        'retry',
      );
      clock.advance(seconds(retryDelaySeconds(attempt)));
    }
    const third = await receiveOne('work');
    expect(third.receiveCount).toBe(3);
    expect(await queues.fail(third, 'boom 3', { retriable: true })).toBe('dead');

    expect(await queues.list('work')).toEqual([]);
    expect(await queues.list('work-dlq')).toEqual([
      expect.objectContaining({ messageId: id, sourceQueue: 'work', lastError: 'boom 3', receipt: null }),
    ]);
  });

  it('moves a non-retriable failure to the DLQ at once', async () => {
    const [id] = await queues.send('work', [{ body: 'bad input' }]);
    const message = await receiveOne('work');
    expect(await queues.fail(message, 'cannot parse', { retriable: false })).toBe('dead');
    expect(await queues.get(id as string)).toMatchObject({
      queue: 'work-dlq',
      sourceQueue: 'work',
      lastError: 'cannot parse',
      receiveCount: 1,
    });
  });

  it('keeps retrying a queue without a DLQ', async () => {
    await queues.send('other', [{ body: 'x' }]);
    for (let attempt = 1; attempt <= 5; attempt++) {
      const message = await receiveOne('other');
      expect(await queues.fail(message, 'boom', { retriable: false })).toBe('retry');
      clock.advance(seconds(retryDelaySeconds(attempt)));
    }
    expect(await queues.list('other')).toHaveLength(1);
  });
});

describe('QueueStore redrive', () => {
  async function deadLetter(body: string): Promise<string> {
    const [id] = await queues.send('work', [{ body }]);
    const message = (await queues.receive('work', 10)).find((m) => m.messageId === id);
    await queues.fail(message as StoredMessage, `failed ${body}`, { retriable: false });
    return id as string;
  }

  it('moves one dead letter back to its source queue with a fresh receive count', async () => {
    const a = await deadLetter('a');
    const b = await deadLetter('b');
    expect(await queues.redrive([a])).toBe(1);

    const back = await receiveOne('work');
    expect(back).toMatchObject({ messageId: a, body: 'a', receiveCount: 1, sourceQueue: null });
    expect(await queues.list('work-dlq')).toEqual([expect.objectContaining({ messageId: b })]);
  });

  it("moves every dead letter back with 'all'", async () => {
    await deadLetter('a');
    await deadLetter('b');
    expect(await queues.redrive('all')).toBe(2);
    expect(await queues.list('work-dlq')).toEqual([]);
    const back = await queues.receive('work', 10);
    expect(back.map((m) => [m.body, m.receiveCount]).sort()).toEqual([
      ['a', 1],
      ['b', 1],
    ]);
  });

  it('redrives nothing for an id that is not a dead letter', async () => {
    const [live] = await queues.send('work', [{ body: 'live' }]);
    expect(await queues.redrive([live as string, 'no-such-id'])).toBe(0);
  });
});

describe('QueueStore maintenance', () => {
  it('purges one queue and leaves the others', async () => {
    await queues.send('work', [{ body: '1' }, { body: '2' }]);
    await queues.send('other', [{ body: '3' }]);
    expect(await queues.purge('work')).toBe(2);
    expect(await queues.list('work')).toEqual([]);
    expect(await queues.list('other')).toHaveLength(1);
  });

  it('makes in-flight messages visible again on releaseInFlight', async () => {
    await queues.send('work', [{ body: 'held' }, { body: 'waiting' }]);
    const [held] = await queues.receive('work', 1);
    expect(await queues.releaseInFlight()).toBe(1);

    const again = await queues.receive('work', 10);
    expect(again.map((m) => m.body).sort()).toEqual(['held', 'waiting']);
    expect(again.find((m) => m.body === 'held')?.receipt).not.toBe(held?.receipt);
  });

  it('counts visible, in-flight and delayed messages per queue', async () => {
    await queues.send('work', [{ body: '1' }, { body: '2' }, { body: '3' }]);
    await queues.send('work', [{ body: 'delayed', delaySeconds: 60 }]);
    await queues.receive('work', 1);
    const [failed] = await queues.receive('work', 1);
    await queues.fail(failed as StoredMessage, 'boom', { retriable: true });

    expect(await queues.depths()).toEqual({
      work: { visible: 1, inFlight: 1, delayed: 2 },
      'work-dlq': { visible: 0, inFlight: 0, delayed: 0 },
      other: { visible: 0, inFlight: 0, delayed: 0 },
    });
  });

  it('reports pending work of a trace outside the DLQs, with the earliest visible time', async () => {
    await queues.send('work', [{ body: 'a', traceId: 't1' }]);
    await queues.send('other', [{ body: 'b', traceId: 't1', delaySeconds: 5 }]);
    await queues.send('work', [{ body: 'c', traceId: 't2' }]);

    expect(await queues.pending('t1')).toEqual({ count: 2, nextVisibleAt: clock.now() });
    expect((await queues.pending()).count).toBe(3);

    const message = (await queues.receive('work', 10)).find((m) => m.body === 'a');
    await queues.fail(message as StoredMessage, 'dead', { retriable: false });
    expect(await queues.pending('t1')).toEqual({
      count: 1,
      nextVisibleAt: new Date(clock.now().getTime() + 5000),
    });
    expect(await queues.pending('nobody')).toEqual({ count: 0, nextVisibleAt: null });
  });

  it('refuses a queue the topology does not declare', async () => {
    await expect(queues.send('nope', [{ body: 'x' }])).rejects.toThrow(UnknownQueueError);
    await expect(queues.receive('nope', 1)).rejects.toThrow('queue "nope" is not declared in the topology');
    await expect(queues.purge('nope')).rejects.toThrow(UnknownQueueError);
    expect(() => queues.spec('nope')).toThrow(UnknownQueueError);
  });

  it('names the DLQs of the topology', () => {
    expect(queues.deadLetterQueues()).toEqual(['work-dlq']);
    expect(queues.queueNames()).toEqual(['work', 'work-dlq', 'other']);
  });
});

describe('QueueStore dead letters from elsewhere', () => {
  const withFailureQueue = () =>
    new QueueStore(
      db,
      clock,
      {
        ...specs,
        'stream-failures': { description: 'x', visibilityTimeoutSeconds: 30, retentionSeconds: 60 },
      },
      { failureQueues: ['stream-failures'] },
    );
  const letter = (body: string, source = 'stream:clicks') => ({
    body,
    traceId: 't-1',
    source,
    error: `${body} failed`,
    receiveCount: 4,
  });

  it('treats a failure destination as a dead-letter queue', async () => {
    const store = withFailureQueue();
    expect(store.deadLetterQueues()).toEqual(['work-dlq', 'stream-failures']);
    await store.sendDeadLetter('stream-failures', letter('a'));
    expect(await store.pending('t-1')).toEqual({ count: 0, nextVisibleAt: null });
    expect(() => new QueueStore(db, clock, specs, { failureQueues: ['nope'] })).toThrow(UnknownQueueError);
  });

  it('stores a dead letter with its source and error, only in a dead-letter queue', async () => {
    const store = withFailureQueue();
    const id = await store.sendDeadLetter('stream-failures', letter('a'));
    expect(await store.get(id)).toMatchObject({
      queue: 'stream-failures',
      body: 'a',
      traceId: 't-1',
      sourceQueue: 'stream:clicks',
      lastError: 'a failed',
      receiveCount: 4,
      receipt: null,
    });
    await expect(store.sendDeadLetter('work', letter('b'))).rejects.toThrow(
      'queue "work" is not a dead-letter queue of the topology',
    );
  });

  it('hands dead letters of one source over, oldest first, and leaves them to redrive of nobody', async () => {
    const store = withFailureQueue();
    const first = await store.sendDeadLetter('stream-failures', letter('a'));
    const second = await store.sendDeadLetter('stream-failures', letter('b'));
    await store.sendDeadLetter('stream-failures', letter('c', 'elsewhere'));
    expect(await store.redrive('all')).toBe(0);

    await expect(
      db.transaction(async (tx) => {
        await store.takeDeadLetters('all', 'stream:', tx);
        throw new Error('replay failed');
      }),
    ).rejects.toThrow('replay failed');
    expect(await store.list('stream-failures')).toHaveLength(3);

    const taken = await store.takeDeadLetters([second, first], 'stream:');
    expect(taken.map((m) => m.body)).toEqual(['a', 'b']);
    expect((await store.list('stream-failures')).map((m) => m.body)).toEqual(['c']);
  });
});
