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
import { reportStreamFailures, type StreamHandler } from '../functions/kinesis-batch.js';
import { NonRetriableError } from '../functions/sqs-batch.js';
import type { StreamTrigger } from '../topology.js';
import type { ManualClock } from './clock.js';
import { type DeployedFunction, Dispatcher } from './dispatcher.js';
import { LOCAL_ACCOUNT, LOCAL_REGION } from './local-bus.js';
import type { QueueStore } from './queue-store.js';
import { replayStreamFailures, type StreamFailureMessage } from './stream-failures.js';
import type { StreamStore } from './stream-store.js';
import { runInTrace } from './trace.js';

const _tiny = clicksTopology;
const baseTrigger = clicksTrigger();
const database = useStreamDb();
let db: SqlClient;
let clock: ManualClock;
let queues: QueueStore;
let streams: StreamStore;
let seen: string[][];
let logged: string[];
let handle: StreamHandler;

beforeEach(async () => {
  ({ db, clock, queues, streams } = await openClicks(database()));
  seen = [];
  logged = [];
  handle = async () => undefined;
});

function deploy(overrides: Partial<StreamTrigger> = {}): Dispatcher {
  const fn: DeployedFunction = {
    name: 'reader',
    spec: {
      description: 'a consumer the tests control',
      entry: 'test-only',
      timeoutSeconds: 5,
      memoryMb: 128,
      trigger: { ...baseTrigger, ...overrides },
    },
    handler: async (event: KinesisStreamEvent, context: Context) => {
      seen.push(dataOf(event));
      return handle(event, context);
    },
  };
  return new Dispatcher(db, queues, clock, [fn], {
    streams,
    log: { error: (message) => logged.push(message) },
  });
}

const put = (key: string, ...data: string[]) =>
  streams.putRecords(
    'clicks',
    data.map((d) => ({ partitionKey: key, data: new TextEncoder().encode(d) })),
  );

/** Fails the records whose data is in `bad` (and stops there, as a Kinesis handler does). */
const failOn =
  (bad: readonly string[], error = (data: string) => new Error(`cannot take ${data}`)): StreamHandler =>
  async (event) => {
    const failures = new Map<string, Error>();
    for (const record of event.Records) {
      const data = Buffer.from(record.kinesis.data, 'base64').toString();
      if (bad.includes(data)) {
        failures.set(record.kinesis.sequenceNumber, error(data));
        break;
      }
    }
    return reportStreamFailures(event, failures);
  };
const throwOn =
  (bad: string): StreamHandler =>
  async (event) => {
    if (dataOf(event).includes(bad)) throw new Error(`${bad} breaks the batch`);
  };

const deadLetters = () => queues.list('clicks-dlq');
const bodyOf = (message: { body: string } | undefined) =>
  JSON.parse(message?.body ?? '{}') as StreamFailureMessage;

describe('StreamConsumer failures', () => {
  it('resumes from the first record reported in batchItemFailures', async () => {
    const dispatcher = deploy();
    await put('a', '1', '2', '3', '4', '5');
    handle = failOn(['3']);
    await dispatcher.drain();
    handle = async () => undefined;
    clock.advance(1000);
    await dispatcher.drain();
    expect(seen).toEqual([
      ['1', '2', '3', '4', '5'],
      ['3', '4', '5'],
    ]);
    expect(await deadLetters()).toEqual([]);
  });

  it('retries a failing record with backoff, then dead-letters it with its error and moves on', async () => {
    const dispatcher = deploy();
    await runInTrace('t-1', () => put('a', '1', 'bad', '3'));
    await put('b', 'other shard');
    handle = failOn(['bad']);

    await dispatcher.drain();
    expect(seen).toEqual([['1', 'bad', '3'], ['other shard']]);
    clock.advance(999);
    expect(await dispatcher.drain()).toBe(0);
    clock.advance(1);
    await dispatcher.drain();
    clock.advance(1999);
    expect(await dispatcher.drain()).toBe(0);
    expect(await dispatcher.settle()).toEqual({ settled: false, pending: 2 });
    clock.advance(1);
    await dispatcher.drain();

    expect(seen.slice(2)).toEqual([['bad', '3'], ['bad', '3'], ['3']]);
    const [letter] = await deadLetters();
    expect(letter).toMatchObject({
      sourceQueue: 'stream:clicks',
      lastError: 'cannot take bad',
      receiveCount: 3,
      traceId: 't-1',
    });
    expect(bodyOf(letter)).toEqual({
      requestContext: {
        requestId: expect.any(String),
        functionArn: `arn:aws:lambda:${LOCAL_REGION}:${LOCAL_ACCOUNT}:function:reader`,
        condition: 'RetryAttemptsExhausted',
        approximateInvokeCount: 3,
      },
      responseContext: { statusCode: 200, executedVersion: '$LATEST' },
      version: '1.0',
      timestamp: '2024-09-01T12:00:03.000Z',
      KinesisBatchInfo: {
        shardId: SHARD_0,
        startSequenceNumber: '00000000000000000002',
        endSequenceNumber: '00000000000000000002',
        approximateArrivalOfFirstRecord: '2024-09-01T12:00:00.000Z',
        approximateArrivalOfLastRecord: '2024-09-01T12:00:00.000Z',
        batchSize: 1,
        streamArn: `arn:aws:kinesis:${LOCAL_REGION}:${LOCAL_ACCOUNT}:stream/clicks`,
      },
      error: 'cannot take bad',
      records: [
        {
          sequenceNumber: '00000000000000000002',
          partitionKey: 'a',
          data: Buffer.from('bad').toString('base64'),
        },
      ],
    });
    expect(logged).toEqual(['reader: records moved to clicks-dlq']);
    expect(await dispatcher.settle()).toEqual({ settled: true });
    const { rows } = await db.query<{ records: number; failures: number; error: string | null }>(
      "SELECT records, failures, error FROM function_runs WHERE function = 'reader' ORDER BY id",
    );
    expect(rows.map((r) => [r.records, r.failures, r.error])).toEqual([
      [3, 1, 'cannot take bad'],
      [1, 0, null],
      [2, 1, 'cannot take bad'],
      [2, 1, 'cannot take bad'],
      [1, 0, null],
    ]);
  });

  it('dead-letters a record reported with a NonRetriableError at once', async () => {
    const dispatcher = deploy();
    await put('a', '1', 'malformed', '3');
    handle = failOn(['malformed'], () => new NonRetriableError('not JSON'));
    await dispatcher.drain();
    expect(seen).toEqual([['1', 'malformed', '3'], ['3']]);
    expect(await deadLetters()).toEqual([
      expect.objectContaining({ lastError: 'not JSON', receiveCount: 1 }),
    ]);
  });

  it('bisects a batch on a function error to isolate a poison record', async () => {
    const dispatcher = deploy({ maximumRetryAttempts: 1 });
    await put('a', '1', '2', 'poison', '4');
    handle = throwOn('poison');
    await dispatcher.drain();
    expect(seen).toEqual([['1', '2', 'poison', '4'], ['1', '2'], ['poison', '4'], ['poison']]);

    clock.advance(1000);
    await dispatcher.drain();
    expect(seen.slice(4)).toEqual([['poison'], ['4']]);
    const [letter] = await deadLetters();
    expect(letter?.lastError).toBe('poison breaks the batch');
    expect(bodyOf(letter)).toMatchObject({
      responseContext: { functionError: 'Unhandled' },
      requestContext: { approximateInvokeCount: 2 },
      KinesisBatchInfo: { batchSize: 1, startSequenceNumber: '00000000000000000003' },
    });
  });

  it('without bisection retries the failed batch as it was, then dead-letters all of it', async () => {
    const dispatcher = deploy({ bisectBatchOnFunctionError: false, maximumRetryAttempts: 1 });
    await put('a', '1', 'poison');
    handle = throwOn('poison');
    await dispatcher.drain();
    await put('a', 'late');
    clock.advance(1000);
    await dispatcher.drain();

    expect(seen).toEqual([['1', 'poison'], ['1', 'poison'], ['late']]);
    const [letter] = await deadLetters();
    expect(bodyOf(letter).records.map((r) => Buffer.from(r.data, 'base64').toString())).toEqual([
      '1',
      'poison',
    ]);
    expect(bodyOf(letter).KinesisBatchInfo).toMatchObject({
      startSequenceNumber: '00000000000000000001',
      endSequenceNumber: '00000000000000000002',
      batchSize: 2,
    });
  });

  it('treats an itemIdentifier that is not in the batch as a failure of the whole batch', async () => {
    const dispatcher = deploy({ bisectBatchOnFunctionError: false, maximumRetryAttempts: 0 });
    await put('a', '1', '2');
    handle = async () => ({ batchItemFailures: [{ itemIdentifier: 'nope' }] });
    await dispatcher.drain();
    expect(await deadLetters()).toEqual([
      expect.objectContaining({
        lastError: 'batchItemFailures names "nope", which is not a sequence number of the batch',
      }),
    ]);
  });
});

describe('replayStreamFailures', () => {
  it('puts the records of a stream failure back on the stream and deletes the dead letter', async () => {
    const dispatcher = deploy({ maximumRetryAttempts: 0, bisectBatchOnFunctionError: false });
    await runInTrace('t-5', () => put('c', 'x', 'y'));
    handle = async () => {
      throw new Error('down');
    };
    await dispatcher.drain();
    const [letter] = await deadLetters();
    await queues.send('clicks-dlq', [{ body: 'an unrelated dead letter' }]);

    handle = async () => undefined;
    expect(await replayStreamFailures({ db, queues, streams }, [letter?.messageId as string])).toBe(1);
    expect((await deadLetters()).map((m) => m.body)).toEqual(['an unrelated dead letter']);
    expect(await dispatcher.pending('t-5')).toMatchObject({ count: 2 });
    await dispatcher.drain();
    expect(seen).toEqual([
      ['x', 'y'],
      ['x', 'y'],
    ]);
    const replayed = await streams.read('clicks', SHARD_0, '2', 10);
    expect(replayed.map((r) => [r.partitionKey, r.sequenceNumber, r.traceId])).toEqual([
      ['c', '00000000000000000003', 't-5'],
      ['c', '00000000000000000004', 't-5'],
    ]);
  });

  it('keeps the dead letter when its records cannot be put back', async () => {
    await queues.sendDeadLetter('clicks-dlq', {
      body: '{"records": [{"partitionKey": "", "data": ""}]}',
      traceId: null,
      source: 'stream:clicks',
      error: 'boom',
      receiveCount: 1,
    });
    await expect(replayStreamFailures({ db, queues, streams }, 'all')).rejects.toThrow(
      'the partition key must be 1 to 256 characters',
    );
    expect(await deadLetters()).toHaveLength(1);
    expect(await queues.redrive('all')).toBe(0);
  });
});
