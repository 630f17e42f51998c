import { beforeEach, describe, expect, it } from 'vitest';
import { useMemoryDb } from '../../test/support/memory-db.js';
import type { SqlClient } from '../adapters/sql/sql-client.js';
import type { StreamSpec } from '../topology.js';
import { ManualClock } from './clock.js';
import { StreamCheckpoints } from './stream-checkpoints.js';
import {
  hashKey,
  InvalidStreamRecordError,
  MAX_RECORD_BYTES,
  shardIndexFor,
  shardIndexForHash,
  shardRanges,
  UnknownStreamError,
} from './stream-shards.js';
import { ReshardingNotSupportedError, StreamStore } from './stream-store.js';
import { runInTrace } from './trace.js';

const specs: Record<string, StreamSpec> = {
  clicks: { description: 'four shards', shardCount: 4, retentionHours: 24 },
  single: { description: 'one shard', shardCount: 1, retentionHours: 1 },
};

const database = useMemoryDb(['stream_records', 'stream_shards', 'stream_checkpoints']);
let db: SqlClient;
let clock: ManualClock;
let streams: StreamStore;

beforeEach(async () => {
  db = database();
  clock = new ManualClock('2024-09-01T12:00:00Z');
  streams = new StreamStore(db, clock, specs);
  await streams.ensureShards();
});

const register = (consumer: string, stream: string, position: 'TRIM_HORIZON' | 'LATEST') =>
  new StreamCheckpoints(db, clock, consumer, stream, 'test', 60).register(position);
const bytes = (text: string) => new TextEncoder().encode(text);
const text = (data: Uint8Array) => new TextDecoder().decode(data);
const put = (stream: string, ...entries: [key: string, data: string][]) =>
  streams.putRecords(
    stream,
    entries.map(([partitionKey, data]) => ({ partitionKey, data: bytes(data) })),
  );

describe('StreamStore shards', () => {
  it('splits the 128-bit hash-key space as Kinesis does', () => {
    const ranges = shardRanges(4);
    expect(ranges.map((r) => [r.shardId, r.startingHashKey.toString()])).toEqual([
      ['shardId-000000000000', '0'],
      ['shardId-000000000001', '85070591730234615865843651857942052864'],
      ['shardId-000000000002', '170141183460469231731687303715884105728'],
      ['shardId-000000000003', '255211775190703847597530955573826158592'],
    ]);
    expect(ranges.map((r) => r.endingHashKey.toString())).toEqual([
      '85070591730234615865843651857942052863',
      '170141183460469231731687303715884105727',
      '255211775190703847597530955573826158591',
      '340282366920938463463374607431768211455',
    ]);
    for (const count of [1, 3, 7]) {
      const split = shardRanges(count);
      expect(split[0]?.startingHashKey).toBe(0n);
      expect(split.at(-1)?.endingHashKey).toBe(2n ** 128n - 1n);
      for (let i = 1; i < count; i++) {
        expect(split[i]?.startingHashKey).toBe((split[i - 1]?.endingHashKey ?? 0n) + 1n);
      }
    }
  });

  it('hashes a partition key with MD5 to its shard', () => {
    expect(hashKey('a')).toBe(BigInt('0x0cc175b9c0f1b6a831c399e269772661'));
    const ranges = shardRanges(4);
    // MD5: a 0cc1…, c 4a8a…, b 92eb…, e e167…
    expect(['a', 'c', 'b', 'e'].map((key) => shardIndexFor(ranges, key))).toEqual([0, 1, 2, 3]);
    expect(streams.shardFor('clicks', 'e')).toBe('shardId-000000000003');
    expect(streams.shardFor('single', 'e')).toBe('shardId-000000000000');
  });

  it('finds the shard of a hash key that sits exactly on a range boundary', () => {
    for (const count of [3, 4, 7]) {
      const ranges = shardRanges(count);
      for (const [index, range] of ranges.entries()) {
        expect(shardIndexForHash(ranges, range.startingHashKey)).toBe(index);
        expect(shardIndexForHash(ranges, range.endingHashKey)).toBe(index);
      }
    }
    const ranges = shardRanges(3);
    for (const key of ['client-1', 'client-2', 'ünïcødé', 'x'.repeat(256)]) {
      const range = ranges[shardIndexFor(ranges, key)];
      expect(hashKey(key) >= (range?.startingHashKey ?? -1n)).toBe(true);
      expect(hashKey(key) <= (range?.endingHashKey ?? -1n)).toBe(true);
    }
  });

  it('creates the shards once and refuses a different shard count later', async () => {
    await streams.ensureShards();
    const { rows } = await db.query<{ n: number }>(
      "SELECT count(*)::int8 AS n FROM stream_shards WHERE stream = 'clicks'",
    );
    expect(rows[0]?.n).toBe(4);
    const resharded = new StreamStore(db, clock, {
      clicks: { ...specs.clicks, shardCount: 8 } as StreamSpec,
    });
    await expect(resharded.ensureShards()).rejects.toThrow(ReshardingNotSupportedError);
    await expect(resharded.ensureShards()).rejects.toThrow(
      'stream "clicks" has 4 shards in this database but the topology declares 8: resharding is not supported',
    );
  });
});

describe('StreamStore putRecords', () => {
  it('gives each shard increasing, zero-padded sequence numbers in input order', async () => {
    const results = await put('clicks', ['a', 'a1'], ['b', 'b1'], ['a', 'a2'], ['a', 'a3']);
    expect(results).toEqual([
      { shardId: 'shardId-000000000000', sequenceNumber: '00000000000000000001' },
      { shardId: 'shardId-000000000002', sequenceNumber: '00000000000000000001' },
      { shardId: 'shardId-000000000000', sequenceNumber: '00000000000000000002' },
      { shardId: 'shardId-000000000000', sequenceNumber: '00000000000000000003' },
    ]);
    const more = await put(
      'clicks',
      ...Array.from({ length: 8 }, (_, i): [string, string] => ['a', `n${i}`]),
    );
    const sequence = [...results, ...more]
      .filter((r) => r.shardId === 'shardId-000000000000')
      .map((r) => r.sequenceNumber);
    expect(sequence).toHaveLength(11);
    expect([...sequence].sort()).toEqual(sequence);
    expect(sequence.at(-1)).toBe('00000000000000000011');
  });

  it('keeps each shard in order and stores the arrival time and the trace', async () => {
    await runInTrace('trace-7', () => put('clicks', ['a', 'first'], ['c', 'other shard']));
    clock.advance(1500);
    await put('clicks', ['a', 'second']);
    const records = await streams.read('clicks', 'shardId-000000000000', '', 10);
    expect(records.map((r) => [text(r.data), r.traceId, r.approximateArrivalTimestamp])).toEqual([
      ['first', 'trace-7', new Date('2024-09-01T12:00:00Z')],
      ['second', null, new Date('2024-09-01T12:00:01.500Z')],
    ]);
    expect(records[0]).toMatchObject({
      stream: 'clicks',
      partitionKey: 'a',
      shardId: 'shardId-000000000000',
    });
  });

  it('reads after a sequence number, up to a count and a size, always at least one record', async () => {
    await put('single', ['k', 'one'], ['k', 'two'], ['k', 'three'], ['k', 'four']);
    const readAfter = async (seq: string, limit: number, maxBytes?: number, through?: string) =>
      (await streams.read('single', 'shardId-000000000000', seq, limit, maxBytes, through)).map((r) =>
        text(r.data),
      );
    expect(await readAfter('00000000000000000001', 2)).toEqual(['two', 'three']);
    expect(await readAfter('4', 10)).toEqual([]);
    expect(await readAfter('0', 10, 1)).toEqual(['one']);
    // Each small record weighs about 517 bytes in a Lambda event.
    expect(await readAfter('0', 10, 1100)).toEqual(['one', 'two']);
    expect(await readAfter('0', 10, undefined, '00000000000000000003')).toEqual(['one', 'two', 'three']);
  });

  it('writes inside a caller transaction: a rollback leaves no record and no used sequence number', async () => {
    await expect(
      db.transaction(async (tx) => {
        await streams.putRecords('single', [{ partitionKey: 'k', data: bytes('lost') }], tx);
        throw new Error('caller fails');
      }),
    ).rejects.toThrow('caller fails');
    expect(await put('single', ['k', 'kept'])).toEqual([
      { shardId: 'shardId-000000000000', sequenceNumber: '00000000000000000001' },
    ]);
  });

  it('stores binary data unchanged', async () => {
    const data = Uint8Array.from({ length: 256 }, (_, i) => i);
    await streams.putRecords('single', [{ partitionKey: 'bin', data }]);
    const [record] = await streams.read('single', 'shardId-000000000000', '', 1);
    expect(record?.data).toEqual(data);
  });

  it('refuses what Kinesis refuses, naming the record and the limit', async () => {
    const record = (partitionKey: string, size = 1) => ({ partitionKey, data: new Uint8Array(size) });
    await expect(streams.putRecords('nope', [record('k')])).rejects.toThrow(UnknownStreamError);
    await expect(streams.putRecords('clicks', [])).rejects.toThrow(
      'a put takes 1 to 500 records; this one has 0',
    );
    await expect(
      streams.putRecords(
        'clicks',
        Array.from({ length: 501 }, () => record('k')),
      ),
    ).rejects.toThrow('a put takes 1 to 500 records; this one has 501');
    await expect(streams.putRecords('clicks', [record('k'), record('')])).rejects.toThrow(
      'record 1: the partition key must be 1 to 256 characters (got 0)',
    );
    await expect(streams.putRecords('clicks', [record('k'.repeat(257))])).rejects.toThrow(
      'record 0: the partition key must be 1 to 256 characters (got 257)',
    );
    const tooBig = streams.putRecords('clicks', [record('k'), record('k', MAX_RECORD_BYTES)]);
    await expect(tooBig).rejects.toThrow(InvalidStreamRecordError);
    await expect(tooBig).rejects.toMatchObject({
      index: 1,
      message: 'record 1: data and partition key take 1048577 bytes; a record holds at most 1048576 (1 MiB)',
    });
    const sixMiB = Array.from({ length: 6 }, () => record('k', MAX_RECORD_BYTES - 1));
    await expect(streams.putRecords('clicks', sixMiB)).rejects.toThrow(
      'the records take 6291456 bytes; one put takes at most 5242880 (5 MiB)',
    );
    expect((await streams.describe())[0]?.shards.map((s) => s.records)).toEqual([0, 0, 0, 0]);
  });
});

describe('StreamStore retention and description', () => {
  it('trims old records only once every consumer has checkpointed past them', async () => {
    await register('fast', 'single', 'TRIM_HORIZON');
    await register('slow', 'single', 'TRIM_HORIZON');
    await put('single', ['k', '1'], ['k', '2'], ['k', '3']);
    clock.advance(30 * 60_000);
    await put('single', ['k', 'young']);
    const checkpoint = (consumer: string, seq: number) =>
      db.query('UPDATE stream_checkpoints SET checkpoint = $2 WHERE consumer = $1', [consumer, seq]);
    await checkpoint('fast', 4);
    await checkpoint('slow', 1);
    clock.advance(31 * 60_000);

    expect(await streams.trim()).toBe(1);
    await checkpoint('slow', 4);
    expect(await streams.trim()).toBe(2);
    const left = await streams.read('single', 'shardId-000000000000', '', 10);
    expect(left.map((r) => text(r.data))).toEqual(['young']);
  });

  it('trims by age alone a stream nobody consumes', async () => {
    await put('single', ['k', 'old']);
    clock.advance(3_600_001);
    expect(await streams.trim()).toBe(1);
  });

  it('describes shards and consumers', async () => {
    await put('clicks', ['a', '1'], ['a', '2'], ['b', '3']);
    await register('reader', 'clicks', 'TRIM_HORIZON');
    await register('late', 'clicks', 'LATEST');
    await db.query(
      `UPDATE stream_checkpoints SET checkpoint = 1, attempts = 2, failing_seq = 2, last_error = 'boom'
       WHERE consumer = 'reader' AND shard_id = 'shardId-000000000000'`,
    );
    const [clicks] = await streams.describe();
    expect(clicks?.shards[0]).toEqual({
      shardId: 'shardId-000000000000',
      startingHashKey: '0',
      endingHashKey: '85070591730234615865843651857942052863',
      records: 2,
      lastSequenceNumber: '00000000000000000002',
    });
    expect(clicks?.shards[1]).toMatchObject({ records: 0, lastSequenceNumber: null });
    const reader = clicks?.consumers.filter((c) => c.consumer === 'reader');
    expect(reader?.map((c) => [c.shardId, c.checkpoint, c.lag])).toEqual([
      ['shardId-000000000000', '00000000000000000001', 1],
      ['shardId-000000000001', null, 0],
      ['shardId-000000000002', null, 1],
      ['shardId-000000000003', null, 0],
    ]);
    expect(reader?.[0]).toMatchObject({
      attempts: 2,
      failingSequenceNumber: '00000000000000000002',
      lastError: 'boom',
      retryAt: null,
      leasedUntil: null,
      batchLimit: null,
    });
    const late = clicks?.consumers.filter((c) => c.consumer === 'late');
    expect(late?.map((c) => c.lag)).toEqual([0, 0, 0, 0]);
    expect(late?.[0]?.checkpoint).toBe('00000000000000000002');
  });
});
