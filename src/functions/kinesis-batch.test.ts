import type { KinesisStreamEvent, KinesisStreamRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { processStreamBatch, streamFailureReasons } from './kinesis-batch.js';

const record = (sequenceNumber: string, data: string) =>
  ({
    kinesis: {
      kinesisSchemaVersion: '1.0',
      partitionKey: 'barclays',
      sequenceNumber,
      data: Buffer.from(data).toString('base64'),
      approximateArrivalTimestamp: 1_725_148_800.5,
    },
    eventSource: 'aws:kinesis',
    eventVersion: '1.0',
    eventID: `shardId-000000000000:${sequenceNumber}`,
    eventName: 'aws:kinesis:record',
    invokeIdentityArn: 'arn:aws:iam::123456789012:role/events-consume',
    awsRegion: 'eu-west-1',
    eventSourceARN: 'arn:aws:kinesis:eu-west-1:123456789012:stream/events',
  }) satisfies KinesisStreamRecord;

const dataOf = (r: KinesisStreamRecord) => Buffer.from(r.kinesis.data, 'base64').toString();

describe('processStreamBatch', () => {
  it('handles the records in order and stops at the first failure, reported by sequence number with its reason', async () => {
    const event: KinesisStreamEvent = {
      Records: [record('101', 'a'), record('102', 'bad'), record('103', 'c'), record('104', 'bad')],
    };
    const seen: string[] = [];
    const response = await processStreamBatch(event, async (r) => {
      seen.push(dataOf(r));
      if (dataOf(r) === 'bad') throw new Error(`cannot take ${r.kinesis.sequenceNumber}`);
    });
    expect(seen).toEqual(['a', 'bad']);
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: '102' }] });
    expect([...streamFailureReasons(event)]).toEqual([['102', new Error('cannot take 102')]]);
  });

  it('reports a failing first record instead of throwing, so it keeps its reason', async () => {
    const event: KinesisStreamEvent = { Records: [record('201', 'bad')] };
    const response = await processStreamBatch(event, async () => {
      throw new Error('no');
    });
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: '201' }] });
    expect(streamFailureReasons(event).get('201')?.message).toBe('no');
  });

  it('reports nothing when every record was handled', async () => {
    const event: KinesisStreamEvent = { Records: [record('301', 'a'), record('302', 'b')] };
    expect(await processStreamBatch(event, async () => {})).toEqual({ batchItemFailures: [] });
    expect(streamFailureReasons(event).size).toBe(0);
  });
});
