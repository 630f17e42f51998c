import { randomBytes } from 'node:crypto';
import {
  CreateStreamCommand,
  DeleteStreamCommand,
  DescribeStreamSummaryCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  KinesisClient,
  type PutRecordsCommand,
  type PutRecordsCommandOutput,
  type PutRecordsResultEntry,
} from '@aws-sdk/client-kinesis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKinesisProducer } from '../../src/adapters/aws/kinesis-producer.js';
import { streamProducerContract } from '../contracts/stream-producer.js';
import { clientConfig, type Emulator, startKinesalite } from '../support/aws-emulators.js';

let kinesalite: Emulator;
let client: KinesisClient;

beforeAll(async () => {
  kinesalite = await startKinesalite();
  client = new KinesisClient(clientConfig(kinesalite.endpoint));
});
afterAll(async () => {
  client?.destroy();
  await kinesalite?.stop();
});

/** A new stream of `shardCount` shards, once ACTIVE. */
async function createStream(shardCount: number): Promise<string> {
  const name = `events-${randomBytes(4).toString('hex')}`;
  await client.send(new CreateStreamCommand({ StreamName: name, ShardCount: shardCount }));
  for (let tries = 0; ; tries++) {
    const { StreamDescriptionSummary } = await client.send(
      new DescribeStreamSummaryCommand({ StreamName: name }),
    );
    if (StreamDescriptionSummary?.StreamStatus === 'ACTIVE') return name;
    if (tries > 200) throw new Error(`stream ${name} did not become ACTIVE`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

async function readShard(stream: string, shardId: string) {
  const { ShardIterator } = await client.send(
    new GetShardIteratorCommand({ StreamName: stream, ShardId: shardId, ShardIteratorType: 'TRIM_HORIZON' }),
  );
  const records: { partitionKey: string; data: Uint8Array }[] = [];
  let iterator = ShardIterator;
  while (iterator) {
    const page = await client.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 10_000 }));
    for (const record of page.Records ?? []) {
      records.push({ partitionKey: record.PartitionKey ?? '', data: record.Data ?? new Uint8Array() });
    }
    if ((page.Records ?? []).length === 0 || page.MillisBehindLatest === 0) break;
    iterator = page.NextShardIterator;
  }
  return records;
}

describe('Kinesis producer on kinesalite', () => {
  streamProducerContract('Kinesis', async () => {
    const shardCount = 3;
    const physical = await createStream(shardCount);
    return {
      producer: createKinesisProducer({ client, streamNames: { events: physical } }),
      stream: 'events',
      shardCount,
      read: (shardId) => readShard(physical, shardId),
      // kinesalite allows 10 shards in all, as a new AWS account does.
      dispose: async () => void (await client.send(new DeleteStreamCommand({ StreamName: physical }))),
    };
  });

  it('puts to the physical stream the logical name maps to', async () => {
    const physical = await createStream(1);
    const producer = createKinesisProducer({ client, streamNames: { events: physical } });
    const [result] = await producer.putRecords('events', [{ partitionKey: 'c', data: new Uint8Array([1]) }]);
    expect(result).toEqual({
      shardId: 'shardId-000000000000',
      sequenceNumber: expect.stringMatching(/^\d+$/),
    });
    expect(await readShard(physical, 'shardId-000000000000')).toHaveLength(1);
  });

  it('throws naming the stream when the Kinesis stream does not exist', async () => {
    const producer = createKinesisProducer({ client, streamNames: { events: 'no-such-physical-stream' } });
    await expect(
      producer.putRecords('events', [{ partitionKey: 'c', data: new Uint8Array([1]) }]),
    ).rejects.toThrow(
      /Kinesis PutRecords to stream "no-such-physical-stream" \(events\) failed for 1 record: ResourceNotFoundException/,
    );
  });
});

type Answer = Pick<PutRecordsResultEntry, 'ErrorCode' | 'ErrorMessage'> | 'ok';

/** A client that answers each record from `script(partitionKey, call)` and keeps every request. */
function fakeKinesis(script: (partitionKey: string, call: number) => Answer) {
  const calls: { stream: string | undefined; keys: string[] }[] = [];
  let sequence = 0;
  return {
    calls,
    client: {
      async send(command: PutRecordsCommand): Promise<PutRecordsCommandOutput> {
        const records = command.input.Records ?? [];
        calls.push({
          stream: command.input.StreamName,
          keys: records.map((record) => record.PartitionKey ?? ''),
        });
        const results = records.map((record): PutRecordsResultEntry => {
          const answer = script(record.PartitionKey ?? '', calls.length);
          if (answer !== 'ok') return answer;
          sequence += 1;
          return { ShardId: 'shardId-000000000000', SequenceNumber: String(sequence) };
        });
        return {
          Records: results,
          FailedRecordCount: results.filter((result) => result.ErrorCode).length,
          $metadata: {},
        };
      },
    },
  };
}

const throttled = {
  ErrorCode: 'ProvisionedThroughputExceededException',
  ErrorMessage: 'Rate exceeded for shard',
};
const records = (...keys: string[]) =>
  keys.map((key) => ({ partitionKey: key, data: new TextEncoder().encode(key) }));

describe('Kinesis producer retries', () => {
  it('puts again only the throttled records, with growing jittered waits, and returns results in input order', async () => {
    const fake = fakeKinesis((key, call) => {
      if (key === 'b' && call < 3) return throttled;
      if (key === 'd' && call < 2) return { ErrorCode: 'InternalFailure', ErrorMessage: 'oops' };
      return 'ok';
    });
    const sleeps: number[] = [];
    const producer = createKinesisProducer({
      client: fake.client,
      streamNames: { events: 'tributary-dev-events' },
      sleep: async (ms) => void sleeps.push(ms),
    });
    const results = await producer.putRecords('events', records('a', 'b', 'c', 'd'));
    expect(fake.calls).toEqual([
      { stream: 'tributary-dev-events', keys: ['a', 'b', 'c', 'd'] },
      { stream: 'tributary-dev-events', keys: ['b', 'd'] },
      { stream: 'tributary-dev-events', keys: ['b'] },
    ]);
    expect(results).toEqual([
      { shardId: 'shardId-000000000000', sequenceNumber: '1' },
      { shardId: 'shardId-000000000000', sequenceNumber: '4' },
      { shardId: 'shardId-000000000000', sequenceNumber: '2' },
      { shardId: 'shardId-000000000000', sequenceNumber: '3' },
    ]);
    expect(sleeps).toHaveLength(2);
    expect(sleeps[0]).toBeGreaterThanOrEqual(50);
    expect(sleeps[0]).toBeLessThanOrEqual(100);
    expect(sleeps[1]).toBeGreaterThanOrEqual(100);
    expect(sleeps[1]).toBeLessThanOrEqual(200);
  });

  it('returns the failure of a record still throttled after maxAttempts, and keeps the others', async () => {
    const fake = fakeKinesis((key) => (key === 'b' ? throttled : 'ok'));
    const producer = createKinesisProducer({
      client: fake.client,
      streamNames: { events: 'physical' },
      maxAttempts: 4,
      sleep: async () => {},
    });
    const results = await producer.putRecords('events', records('a', 'b', 'c'));
    expect(fake.calls.map((call) => call.keys)).toEqual([['a', 'b', 'c'], ['b'], ['b'], ['b']]);
    expect(results).toEqual([
      { shardId: 'shardId-000000000000', sequenceNumber: '1' },
      {
        errorCode: 'ProvisionedThroughputExceededException',
        errorMessage: 'Rate exceeded for shard (after 4 tries)',
      },
      { shardId: 'shardId-000000000000', sequenceNumber: '2' },
    ]);
  });

  it('keeps the accepted results when a retry fails as a whole, and fails the retried records with its error', async () => {
    const fake = fakeKinesis((key) => (key === 'b' ? throttled : 'ok'));
    let calls = 0;
    const producer = createKinesisProducer({
      client: {
        send: (command) => {
          calls += 1;
          if (calls === 2) throw Object.assign(new Error('socket hang up'), { name: 'TimeoutError' });
          return fake.client.send(command);
        },
      },
      streamNames: { events: 'physical' },
      sleep: async () => {},
    });
    const results = await producer.putRecords('events', records('a', 'b'));
    expect(calls).toBe(2);
    expect(results).toEqual([
      { shardId: 'shardId-000000000000', sequenceNumber: '1' },
      {
        errorCode: 'TimeoutError',
        errorMessage:
          'Kinesis PutRecords to stream "physical" (events) failed for 1 record: TimeoutError: socket hang up (try 2)',
      },
    ]);
  });

  it('does not retry a record refused with a code a retry cannot fix', async () => {
    const fake = fakeKinesis((key) =>
      key === 'b' ? { ErrorCode: 'KMSAccessDeniedException', ErrorMessage: 'no key access' } : 'ok',
    );
    const producer = createKinesisProducer({ client: fake.client, streamNames: { events: 'physical' } });
    const results = await producer.putRecords('events', records('a', 'b'));
    expect(fake.calls).toHaveLength(1);
    expect(results[1]).toEqual({ errorCode: 'KMSAccessDeniedException', errorMessage: 'no key access' });
  });
});
