import type { Context, KinesisStreamEvent } from 'aws-lambda';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  clicksTopology,
  clicksTrigger,
  dataOf,
  openClicks,
  SHARD_0,
  useStreamDb,
} from '../../test/support/stream-fixture.js';
import type { SqlClient } from '../adapters/sql/sql-client.js';
import type { StreamHandler } from '../functions/kinesis-batch.js';
import type { StreamTrigger } from '../topology.js';
import type { ManualClock } from './clock.js';
import { type DeployedFunction, Dispatcher } from './dispatcher.js';
import { LOCAL_ACCOUNT, LOCAL_REGION } from './local-bus.js';
import type { QueueStore } from './queue-store.js';
import { MAX_RECORD_BYTES } from './stream-shards.js';
import { StreamStore } from './stream-store.js';
import { currentTraceId, runInTrace } from './trace.js';

const tiny = clicksTopology;
const baseTrigger = clicksTrigger({ batchSize: 3, batchingWindowSeconds: 2 });
const database = useStreamDb();
let db: SqlClient;
let clock: ManualClock;
let queues: QueueStore;
let streams: StreamStore;
let seen: { consumer: string; data: string[]; traceId: string | undefined }[];
let handle: StreamHandler;

beforeEach(async () => {
  ({ db, clock, queues, streams } = await openClicks(database()));
  seen = [];
  handle = async () => undefined;
});

function deploy(overrides: Partial<StreamTrigger> = {}, name = 'reader') {
  const fn: DeployedFunction = {
    name,
    spec: {
      description: 'a consumer the tests control',
      entry: 'test-only',
      timeoutSeconds: 5,
      memoryMb: 128,
      trigger: { ...baseTrigger, ...overrides },
    },
    handler: async (event: KinesisStreamEvent, context: Context) => {
      seen.push({ consumer: name, data: dataOf(event), traceId: currentTraceId() });
      return handle(event, context);
    },
  };
  const dispatcher = new Dispatcher(db, queues, clock, [fn], { streams, log: { error: () => {} } });
  return { fn, dispatcher };
}

const put = (key: string, ...data: string[]) =>
  streams.putRecords(
    'clicks',
    data.map((d) => ({ partitionKey: key, data: new TextEncoder().encode(d) })),
  );
const batches = (consumer = 'reader') => seen.filter((s) => s.consumer === consumer).map((s) => s.data);

describe('StreamConsumer', () => {
  it('hands the handler Kinesis-shaped records', async () => {
    const { dispatcher } = deploy();
    const [result] = await put('a', 'hello');
    let received: KinesisStreamEvent | undefined;
    let context: Context | undefined;
    handle = async (event, ctx) => {
      received = event;
      context = ctx;
    };
    await dispatcher.drain();

    expect(received?.Records).toEqual([
      {
        kinesis: {
          kinesisSchemaVersion: '1.0',
          partitionKey: 'a',
          sequenceNumber: '00000000000000000001',
          data: Buffer.from('hello').toString('base64'),
          approximateArrivalTimestamp: Date.parse('2024-09-01T12:00:00Z') / 1000,
        },
        eventSource: 'aws:kinesis',
        eventVersion: '1.0',
        eventID: `${SHARD_0}:00000000000000000001`,
        eventName: 'aws:kinesis:record',
        invokeIdentityArn: `arn:aws:iam::${LOCAL_ACCOUNT}:role/reader`,
        awsRegion: LOCAL_REGION,
        eventSourceARN: `arn:aws:kinesis:${LOCAL_REGION}:${LOCAL_ACCOUNT}:stream/clicks`,
      },
    ]);
    expect(result).toEqual({ shardId: SHARD_0, sequenceNumber: '00000000000000000001' });
    expect(context).toMatchObject({
      functionName: 'reader',
      invokedFunctionArn: `arn:aws:lambda:${LOCAL_REGION}:${LOCAL_ACCOUNT}:function:reader`,
    });
  });

  it('reads each shard in order, in batches of batchSize, and runs in the first record trace', async () => {
    const { dispatcher } = deploy();
    await runInTrace('t-1', () => put('a', 'a1', 'a2', 'a3', 'a4'));
    await put('b', 'b1');
    await put('c', 'a5');
    expect(await dispatcher.drain()).toBe(6);

    expect(seen.map((s) => [s.data, s.traceId])).toEqual([
      [['a1', 'a2', 'a3'], 't-1'],
      [['b1'], expect.any(String)],
      [['a4', 'a5'], 't-1'],
    ]);
    const { rows } = await db.query<{ traceIds: string[]; records: number; failures: number; error: null }>(
      `SELECT trace_ids AS "traceIds", records, failures, error FROM function_runs WHERE function = 'reader' ORDER BY id`,
    );
    expect(rows).toEqual([
      { traceIds: ['t-1'], records: 3, failures: 0, error: null },
      { traceIds: [''], records: 1, failures: 0, error: null },
      { traceIds: ['t-1', ''], records: 2, failures: 0, error: null },
    ]);
  });

  it('resumes from its checkpoint after a restart on the same database', async () => {
    await put('a', '1', '2', '3', '4');
    await deploy().dispatcher.drain();
    expect(batches()).toEqual([['1', '2', '3'], ['4']]);

    streams = new StreamStore(db, clock, tiny.streams);
    await streams.ensureShards();
    const restarted = deploy().dispatcher;
    await put('a', '5');
    await restarted.drain();
    expect(batches()).toEqual([['1', '2', '3'], ['4'], ['5']]);
  });

  it('repeats a batch whose worker died before checkpointing, once its leases are released', async () => {
    await put('a', '1', '2');
    const crashed = deploy().dispatcher;
    handle = () => new Promise(() => {}); // never returns: the process "dies" in the handler
    void crashed.drain();
    await expect.poll(() => seen.length).toBe(1);

    handle = async () => undefined;
    const next = deploy().dispatcher;
    expect(await next.drain()).toBe(0);
    expect(await streams.releaseLeases()).toBe(1);
    expect(await next.drain()).toBe(2);
    expect(batches()).toEqual([
      ['1', '2'],
      ['1', '2'],
    ]);
  });

  it('starts at the oldest record with TRIM_HORIZON and after what is there with LATEST', async () => {
    await put('a', 'before');
    const horizon = deploy({ startingPosition: 'TRIM_HORIZON' }, 'horizon');
    const latest = deploy({ startingPosition: 'LATEST' }, 'latest');
    await horizon.dispatcher.open();
    await latest.dispatcher.open();
    await put('a', 'after');
    await put('b', 'other shard');
    await horizon.dispatcher.drain();
    await latest.dispatcher.drain();

    expect(batches('horizon')).toEqual([['before', 'after'], ['other shard']]);
    expect(batches('latest')).toEqual([['after'], ['other shard']]);
  });

  it('keeps a batch under the 6 MB Lambda payload limit, and sends an oversized record alone', async () => {
    const { dispatcher } = deploy({ batchSize: 10 });
    const big = (n: number) => ({ partitionKey: 'a', data: new Uint8Array(MAX_RECORD_BYTES - 1).fill(n) });
    await streams.putRecords('clicks', [big(1), big(2), big(3)]);
    await streams.putRecords('clicks', [big(4), big(5), big(6)]);
    const sizes: number[] = [];
    handle = async (event) => {
      sizes.push(event.Records.length);
      const payload = JSON.stringify(event).length;
      expect(payload).toBeLessThanOrEqual(6 * 1024 * 1024);
    };
    expect(await dispatcher.drain()).toBe(6);
    expect(sizes).toEqual([4, 2]);
  });

  it('waits for the batching window in the background, but not when draining on demand', async () => {
    const background = deploy();
    await put('a', '1', '2');
    const poll = () => background.dispatcher.pollOnce(background.fn, { honourBatchingWindow: true });
    expect(await poll()).toBe(0);
    clock.advance(1999);
    expect(await poll()).toBe(0);
    await put('b', 'full', 'batch', 'now');
    expect(await poll()).toBe(3);
    clock.advance(1);
    expect(await poll()).toBe(2);
    expect(batches()).toEqual([
      ['full', 'batch', 'now'],
      ['1', '2'],
    ]);

    await put('a', 'young');
    expect(await background.dispatcher.drain()).toBe(1);
  });

  it('processes a shard with one worker at a time', async () => {
    await put('a', 'a1');
    await put('b', 'b1');
    const first = deploy().dispatcher;
    const second = deploy().dispatcher;
    let secondHandled: number | undefined;
    handle = async (event) => {
      if (dataOf(event)[0] === 'a1') secondHandled = await second.drain();
    };
    await first.drain();

    expect(secondHandled).toBe(1);
    expect(batches()).toEqual([['a1'], ['b1']]);
  });

  it('lets another worker take a shard over once a lease has expired', async () => {
    await put('a', 'a1');
    const stuck = deploy().dispatcher;
    handle = () => new Promise(() => {});
    void stuck.drain();
    await expect.poll(() => seen.length).toBe(1);

    handle = async () => undefined;
    const other = deploy().dispatcher;
    clock.advance((5 + 60) * 1000 - 1);
    expect(await other.drain()).toBe(0);
    clock.advance(1);
    expect(await other.drain()).toBe(1);
  });

  it('counts stream records in pending work until they are processed', async () => {
    const { dispatcher } = deploy();
    await runInTrace('t-9', () => put('a', 'x', 'y'));
    await put('b', 'z');
    expect(await dispatcher.pending('t-9')).toEqual({ count: 2, nextAt: clock.now() });
    expect((await dispatcher.pending()).count).toBe(3);
    expect(await dispatcher.settle({ traceId: 't-9' })).toEqual({ settled: true });
    expect(await dispatcher.pending()).toEqual({ count: 0, nextAt: null });
  });

  it('trims records past retention once consumed, from drain, at most once a minute', async () => {
    const { dispatcher } = deploy();
    const records = async () => (await streams.describe())[0]?.shards[0]?.records;
    await put('a', 'old');
    handle = async () => {
      throw new Error('not yet');
    };
    clock.advance(24 * 3_600_000 + 1);
    await dispatcher.drain();
    expect(await records()).toBe(1);

    handle = async () => undefined;
    clock.advance(30_000);
    await dispatcher.drain();
    expect(batches()).toEqual([['old'], ['old']]);
    expect(await records()).toBe(1);

    clock.advance(30_000);
    await dispatcher.drain();
    expect(await records()).toBe(0);
  });
});
