import { describe, expect, it } from 'vitest';
import type { RejectedInput } from '../../ports/events-repository.js';
import type { PutRecordResult, StreamProducer, StreamRecordInput } from '../../ports/stream.js';
import { acceptEventRecords } from './accept-events.js';
import { classifyRecordText } from './parse-event-batch.js';

/** A producer that keeps what it was given and refuses the records `refuse` picks, per attempt. */
function producer(refuse: (record: StreamRecordInput, call: number) => boolean = () => false) {
  const calls: StreamRecordInput[][] = [];
  const stream: StreamProducer = {
    async putRecords(_name, records): Promise<PutRecordResult[]> {
      calls.push([...records]);
      return records.map((record, i) =>
        refuse(record, calls.length)
          ? { errorCode: 'ProvisionedThroughputExceededException', errorMessage: 'Rate exceeded for shard' }
          : { shardId: 'shardId-000000000000', sequenceNumber: String(calls.length * 1000 + i) },
      );
    },
  };
  return { stream, calls };
}

const record = (client: string, padding = 0, index = 0) =>
  classifyRecordText(JSON.stringify({ Client: client, Padding: 'x'.repeat(padding) }), { index });

describe('acceptEventRecords', () => {
  it('puts ready records on the stream by client and keeps refused ones as rejected, in order', async () => {
    const { stream, calls } = producer();
    const kept: RejectedInput[] = [];
    const results = await acceptEventRecords(
      [record('a'), classifyRecordText('{oops', { index: 1, line: 2 }), record('b', 0, 2)],
      { stream, streamName: 'events', recordRejected: async (r) => void kept.push(...r) },
    );
    expect(results.map((r) => r.status)).toEqual(['accepted', 'rejected', 'accepted']);
    expect(results[1]).toMatchObject({ index: 1, line: 2 });
    expect(calls[0]?.map((c) => c.partitionKey)).toEqual(['a', 'b']);
    expect(kept).toEqual([expect.objectContaining({ stage: 'ingest', raw: '{oops' })]);
  });

  it('splits puts at 500 records and at 5 MiB, as Kinesis PutRecords requires', async () => {
    const { stream, calls } = producer();
    const many = Array.from({ length: 1001 }, (_, i) => record('a', 0, i));
    await acceptEventRecords(many, { stream, streamName: 'events', recordRejected: async () => {} });
    expect(calls.map((c) => c.length)).toEqual([500, 500, 1]);

    const large = producer();
    const big = Array.from({ length: 30 }, (_, i) => record('a', 200 * 1024, i));
    await acceptEventRecords(big, {
      stream: large.stream,
      streamName: 'events',
      recordRejected: async () => {},
    });
    for (const call of large.calls) {
      expect(call.reduce((sum, r) => sum + r.data.byteLength + r.partitionKey.length, 0)).toBeLessThanOrEqual(
        5 * 1024 * 1024,
      );
    }
    expect(large.calls.flat()).toHaveLength(30);
  });

  it('retries records the stream refuses, and reports them retryable when they keep failing', async () => {
    const flaky = producer(
      (r, call) => r.partitionKey === 'throttled' || (r.partitionKey === 'once' && call === 1),
    );
    const sleeps: number[] = [];
    const results = await acceptEventRecords(
      [record('once'), record('throttled', 0, 1), record('fine', 0, 2)],
      {
        stream: flaky.stream,
        streamName: 'events',
        recordRejected: async () => {},
        sleep: async (ms) => void sleeps.push(ms),
      },
    );
    expect(results.map((r) => r.status)).toEqual(['accepted', 'rejected', 'accepted']);
    expect(results[1]).toMatchObject({
      retryable: true,
      reasons: [{ message: expect.stringContaining('send it again') }],
    });
    expect(sleeps).toEqual([50, 100]);
  });

  it('keeps only the start of an oversized record in the rejected store', async () => {
    const kept: RejectedInput[] = [];
    await acceptEventRecords([record('a', 300 * 1024)], {
      stream: producer().stream,
      streamName: 'events',
      recordRejected: async (r) => void kept.push(...r),
    });
    expect(kept[0]?.raw.length).toBeLessThan(2048);
    expect(kept[0]?.raw).toMatch(/truncated: the record was \d+ bytes/);
  });
});
