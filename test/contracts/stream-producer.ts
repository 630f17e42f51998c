import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { StreamProducer } from '../../src/ports/stream.js';
import { shardIndexFor, shardRanges } from '../../src/runtime/stream-shards.js';

/** A record as read back from one shard, oldest first. */
export interface ReadRecord {
  partitionKey: string;
  data: Uint8Array;
}

export interface StreamProducerContext {
  producer: StreamProducer;
  /** The logical name to put to: a stream of `shardCount` shards, empty at the start. */
  stream: string;
  shardCount: number;
  /** Every record of one shard, oldest first (the backend's own reader, not the producer). */
  read(shardId: string): Promise<ReadRecord[]>;
  /** Removes the stream after the test, where the backend limits how many there may be. */
  dispose?(): Promise<void>;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const bytes = (text: string) => encoder.encode(text);
const asText = (records: ReadRecord[]) =>
  records.map((record) => ({ partitionKey: record.partitionKey, data: decoder.decode(record.data) }));

/**
 * The StreamProducer port (Kinesis PutRecords semantics), for every backend: the embedded stream
 * over each SQL driver and Kinesis (kinesalite). `setup` runs before each test and gives a fresh
 * stream of three shards or more.
 */
export function streamProducerContract(name: string, setup: () => Promise<StreamProducerContext>): void {
  describe(`${name}: stream producer contract`, () => {
    let context: StreamProducerContext;
    beforeEach(async () => {
      context = await setup();
    });
    afterEach(async () => {
      await context?.dispose?.();
    });

    it('places every record and returns where, in the order of the input', async () => {
      const { producer, stream, read } = context;
      const keys = ['alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot'];
      const results = await producer.putRecords(
        stream,
        keys.map((key) => ({ partitionKey: key, data: bytes(`${key}-1`) })),
      );
      expect(results).toHaveLength(keys.length);
      for (const [i, result] of results.entries()) {
        expect(result, keys[i]).toEqual({ shardId: expect.any(String), sequenceNumber: expect.any(String) });
        if (!('shardId' in result)) continue;
        const stored = asText(await read(result.shardId));
        expect(stored).toContainEqual({ partitionKey: keys[i], data: `${keys[i]}-1` });
      }
    });

    it('sends each partition key to the shard whose hash-key range holds its MD5', async () => {
      const { producer, stream, shardCount } = context;
      const ranges = shardRanges(shardCount);
      const keys = Array.from({ length: 30 }, (_, i) => `client-${i}`);
      const results = await producer.putRecords(
        stream,
        keys.map((key) => ({ partitionKey: key, data: bytes(key) })),
      );
      const shards = results.map((result) => ('shardId' in result ? result.shardId : result.errorCode));
      expect(shards).toEqual(keys.map((key) => ranges[shardIndexFor(ranges, key)]?.shardId));
      expect(new Set(shards).size).toBe(shardCount);
    });

    it("keeps each partition key's records in the order they were put, across calls", async () => {
      const { producer, stream, read } = context;
      const keys = ['k-a', 'k-b', 'k-c'];
      const sequences = new Map<string, bigint[]>(keys.map((key) => [key, []]));
      const shardOf = new Map<string, string>();
      for (let call = 0; call < 3; call++) {
        const records = [0, 1, 2, 3].flatMap((n) =>
          keys.map((key) => ({ partitionKey: key, data: bytes(`${key}:${call}.${n}`) })),
        );
        const results = await producer.putRecords(stream, records);
        results.forEach((result, i) => {
          const key = records[i]?.partitionKey ?? '';
          if (!('shardId' in result)) throw new Error(`record ${i} was refused: ${result.errorCode}`);
          expect(shardOf.get(key) ?? result.shardId, `${key} stays on one shard`).toBe(result.shardId);
          shardOf.set(key, result.shardId);
          sequences.get(key)?.push(BigInt(result.sequenceNumber));
        });
      }
      for (const [key, seqs] of sequences) {
        expect(seqs, key).toEqual([...seqs].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
        expect(new Set(seqs).size, key).toBe(seqs.length);
        const stored = asText(await read(shardOf.get(key) ?? ''));
        const mine = stored.filter((record) => record.partitionKey === key).map((record) => record.data);
        const expected = [0, 1, 2].flatMap((call) => [0, 1, 2, 3].map((n) => `${key}:${call}.${n}`));
        expect(mine, key).toEqual(expected);
      }
    });

    it('keeps bytes exactly as given', async () => {
      const { producer, stream, read } = context;
      const data = new Uint8Array([0, 1, 2, 0xff, 0xfe, 0x80, 0x7f]);
      const [result] = await producer.putRecords(stream, [{ partitionKey: 'binary', data }]);
      if (!result || !('shardId' in result)) throw new Error('the record was refused');
      const stored = (await read(result.shardId)).filter((record) => record.partitionKey === 'binary');
      expect(stored.map((record) => [...record.data])).toEqual([[...data]]);
    });

    it('refuses a put of no records or of more than 500, before anything is stored', async () => {
      const { producer, stream, read, shardCount } = context;
      await expect(producer.putRecords(stream, [])).rejects.toThrow(/1 to 500 records; this one has 0/);
      const many = Array.from({ length: 501 }, (_, i) => ({ partitionKey: `k${i}`, data: bytes('x') }));
      await expect(producer.putRecords(stream, many)).rejects.toThrow(/1 to 500 records; this one has 501/);
      for (const range of shardRanges(shardCount)) expect(await read(range.shardId)).toEqual([]);
    });

    it('refuses a record over 1 MiB or a bad partition key, naming the record', async () => {
      const { producer, stream } = context;
      const small = { partitionKey: 'ok', data: bytes('fine') };
      const huge = { partitionKey: 'big', data: new Uint8Array(1024 * 1024) };
      await expect(producer.putRecords(stream, [small, huge])).rejects.toThrow(/record 1\b.*1 MiB/);
      const longKey = { partitionKey: 'k'.repeat(257), data: bytes('x') };
      await expect(producer.putRecords(stream, [small, small, longKey])).rejects.toThrow(
        /record 2\b.*partition key must be 1 to 256 characters \(got 257\)/,
      );
      await expect(producer.putRecords(stream, [{ partitionKey: '', data: bytes('x') }])).rejects.toThrow(
        /record 0\b.*\(got 0\)/,
      );
    });

    it('refuses a put over 5 MiB in all', async () => {
      const { producer, stream } = context;
      const records = Array.from({ length: 6 }, (_, i) => ({
        partitionKey: `k${i}`,
        data: new Uint8Array(1_000_000),
      }));
      await expect(producer.putRecords(stream, records)).rejects.toThrow(/at most 5242880 \(5 MiB\)/);
    });

    it('refuses a stream it does not know, naming it', async () => {
      await expect(
        context.producer.putRecords('no-such-stream', [{ partitionKey: 'k', data: bytes('x') }]),
      ).rejects.toThrow(/"no-such-stream"/);
    });
  });
}
