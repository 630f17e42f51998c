import type { Context, KinesisStreamEvent, SQSEvent, SQSRecord } from 'aws-lambda';
import { beforeEach, describe, expect, it } from 'vitest';
import { useMemoryDb } from '../../test/support/memory-db.js';
import type { SqlClient } from '../adapters/sql/sql-client.js';
import { NonRetriableError, processSqsBatch, type SqsHandler } from '../functions/sqs-batch.js';
import type { StreamTrigger, Topology } from '../topology.js';
import { ManualClock } from './clock.js';
import { type DeployedFunction, Dispatcher } from './dispatcher.js';
import { LOCAL_ACCOUNT, LOCAL_REGION } from './local-bus.js';
import { QueueStore } from './queue-store.js';
import { StreamStore } from './stream-store.js';
import { currentTraceId } from './trace.js';

const tiny = {
  buckets: {},
  rules: {},
  stateMachines: {},
  schedules: {},
  streams: {},
  queues: {
    jobs: {
      description: 'work for the fake worker',
      visibilityTimeoutSeconds: 30,
      retentionSeconds: 86_400,
      deadLetter: { queue: 'jobs-dlq', maxReceiveCount: 3 },
    },
    'jobs-dlq': { description: 'dead jobs', visibilityTimeoutSeconds: 30, retentionSeconds: 86_400 },
  },
  functions: {
    worker: {
      description: 'a fake handler the tests control',
      entry: 'test-only',
      timeoutSeconds: 5,
      memoryMb: 128,
      trigger: { queue: 'jobs', batchSize: 10 },
    },
  },
} satisfies Topology;

const database = useMemoryDb([
  'queue_messages',
  'function_runs',
  'stream_records',
  'stream_shards',
  'stream_checkpoints',
]);
let db: SqlClient;
let clock: ManualClock;
let queues: QueueStore;
let dispatcher: Dispatcher;
let logged: { message: string; fields?: Record<string, unknown> }[];
let invocations: SQSEvent[];
let handle: SqsHandler;

const worker: DeployedFunction = {
  name: 'worker',
  spec: tiny.functions.worker,
  handler: async (event: SQSEvent, context: Context) => {
    invocations.push(event);
    return handle(event, context);
  },
};

beforeEach(async () => {
  db = database();
  clock = new ManualClock('2024-09-01T12:00:00Z');
  queues = new QueueStore(db, clock, tiny.queues);
  logged = [];
  invocations = [];
  handle = async () => undefined;
  dispatcher = new Dispatcher(db, queues, clock, [worker], {
    log: { error: (message, fields) => logged.push({ message, ...(fields ? { fields } : {}) }) },
  });
});

const send = (...bodies: string[]) =>
  queues.send(
    'jobs',
    bodies.map((body) => ({ body, traceId: 'trace-1' })),
  );
const bodiesOf = (event: SQSEvent | undefined) => event?.Records.map((record) => record.body) ?? [];

interface RunRow {
  function: string;
  traceIds: string[];
  records: number;
  failures: number;
  error: string | null;
}

async function runs(): Promise<RunRow[]> {
  const { rows } = await db.query<RunRow>(
    `SELECT function, trace_ids AS "traceIds", records, failures, error FROM function_runs ORDER BY id`,
  );
  return rows;
}

describe('stopping', () => {
  it('stops the background loop without working through the backlog, which stays queued', async () => {
    const batchSize = tiny.functions.worker.trigger.batchSize;
    await send(...Array.from({ length: batchSize * 5 }, (_, i) => `job-${i}`));
    let release: () => void = () => {};
    const blocked = new Promise<void>((resolve) => {
      release = resolve;
    });
    handle = async () => {
      await blocked;
      return undefined;
    };
    dispatcher.start(5);
    await expect.poll(() => invocations.length).toBe(1);
    const stopped = dispatcher.stop();
    release();
    await stopped;
    expect(invocations).toHaveLength(1);
    expect((await queues.pending()).count).toBe(batchSize * 4);
  });
});

describe('Dispatcher', () => {
  it('hands the handler SQS-shaped records', async () => {
    const [id] = await send('{"n":1}');
    await dispatcher.drain();

    const record = invocations[0]?.Records[0] as SQSRecord;
    expect(record).toEqual({
      messageId: id,
      receiptHandle: expect.any(String),
      body: '{"n":1}',
      attributes: {
        ApproximateReceiveCount: '1',
        SentTimestamp: String(clock.now().getTime()),
        SenderId: LOCAL_ACCOUNT,
        ApproximateFirstReceiveTimestamp: String(clock.now().getTime()),
        AWSTraceHeader: 'Root=trace-1',
      },
      messageAttributes: {},
      md5OfBody: '',
      eventSource: 'aws:sqs',
      eventSourceARN: `arn:aws:sqs:${LOCAL_REGION}:${LOCAL_ACCOUNT}:jobs`,
      awsRegion: LOCAL_REGION,
    });
    expect(record.receiptHandle).not.toBe('');
  });

  it('acknowledges every message of a batch the handler accepts', async () => {
    await send('a', 'b', 'c');
    expect(await dispatcher.drain()).toBe(3);
    expect(invocations.map(bodiesOf)).toEqual([['a', 'b', 'c']]);
    expect(await queues.list()).toEqual([]);
    expect(await runs()).toEqual([
      { function: 'worker', traceIds: ['trace-1'], records: 3, failures: 0, error: null },
    ]);
  });

  it('retries only the records reported in batchItemFailures', async () => {
    const [, failedId] = await send('ok', 'fail', 'ok too');
    handle = async (event) => ({
      batchItemFailures: event.Records.filter((r) => r.body === 'fail').map((r) => ({
        itemIdentifier: r.messageId,
      })),
    });
    await dispatcher.drain();

    expect(await queues.list()).toEqual([
      expect.objectContaining({
        messageId: failedId,
        queue: 'jobs',
        lastError: 'reported in batchItemFailures',
      }),
    ]);
    clock.advance(1000);
    handle = async () => undefined;
    await dispatcher.drain();
    expect(invocations.map(bodiesOf)).toEqual([['ok', 'fail', 'ok too'], ['fail']]);
    expect(invocations[1]?.Records[0]?.attributes.ApproximateReceiveCount).toBe('2');
    expect(await queues.list()).toEqual([]);
  });

  it('retries the whole batch when the handler throws', async () => {
    await send('a', 'b');
    handle = async () => {
      throw new Error('database unreachable');
    };
    await dispatcher.drain();

    expect((await queues.list('jobs')).map((m) => [m.body, m.lastError, m.receipt])).toEqual([
      ['a', 'database unreachable', null],
      ['b', 'database unreachable', null],
    ]);
    expect(await runs()).toEqual([
      { function: 'worker', traceIds: ['trace-1'], records: 2, failures: 2, error: 'database unreachable' },
    ]);
  });

  it('dead-letters a NonRetriableError from processSqsBatch at once, with its message', async () => {
    const [, badId] = await send('good', 'bad');
    handle = (event) =>
      processSqsBatch(event, async (record) => {
        if (record.body === 'bad') throw new NonRetriableError('bad is not a job');
      });
    await dispatcher.drain();

    expect(await queues.list('jobs')).toEqual([]);
    expect(await queues.list('jobs-dlq')).toEqual([
      expect.objectContaining({
        messageId: badId,
        sourceQueue: 'jobs',
        lastError: 'bad is not a job',
        receiveCount: 1,
      }),
    ]);
    expect(logged).toEqual([
      { message: 'worker: message moved to DLQ', fields: { messageId: badId, error: 'bad is not a job' } },
    ]);
    expect(await runs()).toEqual([
      { function: 'worker', traceIds: ['trace-1'], records: 2, failures: 1, error: 'bad is not a job' },
    ]);
  });

  it('keeps the reason of a retriable failure from processSqsBatch', async () => {
    await send('flaky');
    handle = (event) =>
      processSqsBatch(event, async () => {
        throw new Error('timeout talking to the mail server');
      });
    await dispatcher.drain();
    expect(await queues.list('jobs')).toEqual([
      expect.objectContaining({ lastError: 'timeout talking to the mail server', receiveCount: 1 }),
    ]);
  });

  it('dead-letters a message after maxReceiveCount failed receives', async () => {
    const [id] = await send('poison');
    handle = async () => {
      throw new Error('always fails');
    };
    for (const delaySeconds of [1, 2]) {
      await dispatcher.drain();
      expect(await queues.list('jobs-dlq')).toEqual([]);
      clock.advance(delaySeconds * 1000);
    }
    await dispatcher.drain();

    expect(invocations).toHaveLength(3);
    expect(await queues.list('jobs')).toEqual([]);
    expect(await queues.list('jobs-dlq')).toEqual([
      expect.objectContaining({ messageId: id, receiveCount: 3, lastError: 'always fails' }),
    ]);
    expect((await runs()).map((run) => run.failures)).toEqual([1, 1, 1]);
  });

  it('reports settle as unfinished while a retry waits out its delay, and finished once the clock passes it', async () => {
    await send('once flaky');
    let attempts = 0;
    handle = async () => {
      attempts += 1;
      if (attempts === 1) throw new Error('first attempt fails');
      return undefined;
    };

    expect(await dispatcher.settle()).toEqual({ settled: false, pending: 1 });
    expect(await dispatcher.settle({ traceId: 'trace-1' })).toEqual({ settled: false, pending: 1 });
    expect(await dispatcher.settle({ traceId: 'another-trace' })).toEqual({ settled: true });

    clock.advance(1000);
    expect(await dispatcher.settle()).toEqual({ settled: true });
    expect(attempts).toBe(2);
  });

  it('counts a dead-lettered message as settled', async () => {
    await send('bad');
    handle = (event) =>
      processSqsBatch(event, async () => {
        throw new NonRetriableError('never');
      });
    expect(await dispatcher.settle()).toEqual({ settled: true });
    expect(await queues.list('jobs-dlq')).toHaveLength(1);
  });

  it('invokes once per trace so the handler runs inside its message trace', async () => {
    await queues.send('jobs', [
      { body: 'a', traceId: 't-a' },
      { body: 'b', traceId: 't-b' },
      { body: 'a2', traceId: 't-a' },
    ]);
    const seen: [string | undefined, string[]][] = [];
    handle = async (event) => {
      seen.push([currentTraceId(), bodiesOf(event)]);
      return undefined;
    };
    await dispatcher.drain();

    expect(seen).toHaveLength(2);
    expect(seen).toEqual(
      expect.arrayContaining([
        ['t-a', expect.arrayContaining(['a', 'a2'])],
        ['t-b', ['b']],
      ]),
    );
    expect((await runs()).map((run) => run.traceIds).sort()).toEqual([['t-a'], ['t-b']]);
  });

  it('does nothing when the trigger queue is empty', async () => {
    expect(await dispatcher.pollOnce(worker)).toBe(0);
    expect(invocations).toEqual([]);
    expect(await runs()).toEqual([]);
  });
});

describe('Dispatcher with stream-triggered functions', () => {
  const streamSpecs = { clicks: { description: 'clicks', shardCount: 2, retentionHours: 24 } };
  const clicksTrigger: StreamTrigger = {
    stream: 'clicks',
    batchSize: 10,
    batchingWindowSeconds: 5,
    startingPosition: 'TRIM_HORIZON',
    maximumRetryAttempts: 1,
    bisectBatchOnFunctionError: true,
    onFailure: { queue: 'jobs-dlq' },
  };
  let streams: StreamStore;
  let streamed: string[][];

  const reader: DeployedFunction = {
    name: 'reader',
    spec: { ...tiny.functions.worker, trigger: clicksTrigger },
    handler: async (event: KinesisStreamEvent) => {
      streamed.push(event.Records.map((r) => Buffer.from(r.kinesis.data, 'base64').toString()));
      return undefined;
    },
  };

  beforeEach(async () => {
    streams = new StreamStore(db, clock, streamSpecs);
    await streams.ensureShards();
    queues = new QueueStore(db, clock, tiny.queues, { failureQueues: ['jobs-dlq'] });
    streamed = [];
  });

  const putClicks = (...data: string[]) =>
    streams.putRecords(
      'clicks',
      data.map((d) => ({ partitionKey: 'a', data: new TextEncoder().encode(d) })),
    );

  it('settles work that flows from a queue onto a stream', async () => {
    const producer: DeployedFunction = {
      ...worker,
      handler: async (event: SQSEvent) => {
        await putClicks(...bodiesOf(event));
        return undefined;
      },
    };
    const both = new Dispatcher(db, queues, clock, [producer, reader], { streams });
    await send('one', 'two');
    expect(await both.settle({ traceId: 'trace-1' })).toEqual({ settled: true });
    expect(streamed).toEqual([['one', 'two']]);
  });

  it('polls streams in the background, honouring the batching window', async () => {
    const background = new Dispatcher(db, queues, clock, [reader], { streams });
    await putClicks('young');
    background.start(5);
    try {
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(streamed).toEqual([]);
      clock.advance(5000);
      background.nudge();
      await expect.poll(() => streamed).toEqual([['young']]);
    } finally {
      await background.stop();
    }
  });

  it('needs a StreamStore and an onFailure queue that is a dead-letter queue', () => {
    expect(() => new Dispatcher(db, queues, clock, [reader])).toThrow(
      'function "reader" reads a stream: the Dispatcher needs a StreamStore',
    );
    const toWorkQueue = {
      ...reader,
      spec: { ...reader.spec, trigger: { ...clicksTrigger, onFailure: { queue: 'jobs' } } },
    };
    expect(() => new Dispatcher(db, queues, clock, [toWorkQueue], { streams })).toThrow(
      'function "reader": onFailure queue "jobs" is not a dead-letter queue',
    );
  });
});
