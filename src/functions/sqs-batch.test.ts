import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { batchFailureReasons, NonRetriableError, processSqsBatch } from './sqs-batch.js';

const record = (messageId: string, body = messageId) =>
  ({
    messageId,
    receiptHandle: `receipt-${messageId}`,
    body,
    attributes: {
      ApproximateReceiveCount: '1',
      SentTimestamp: '1725148800000',
      SenderId: 'AIDAEXAMPLE',
      ApproximateFirstReceiveTimestamp: '1725148800001',
    },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:eu-west-1:123456789012:statements-notify',
    awsRegion: 'eu-west-1',
  }) satisfies SQSRecord;

describe('processSqsBatch', () => {
  it('handles the records one at a time, in order, and reports only the failed ones with their reasons', async () => {
    const event: SQSEvent = { Records: ['m1', 'm2', 'm3', 'm4'].map((id) => record(id)) };
    const order: string[] = [];
    let running = 0;
    const response = await processSqsBatch(event, async ({ messageId }) => {
      running++;
      expect(running).toBe(1);
      await new Promise((resolve) => setTimeout(resolve, 1));
      order.push(messageId);
      running--;
      if (messageId === 'm2') throw new NonRetriableError('m2 is not an event');
      if (messageId === 'm4') throw new Error('database down');
    });
    expect(order).toEqual(['m1', 'm2', 'm3', 'm4']);
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: 'm2' }, { itemIdentifier: 'm4' }] });
    const reasons = batchFailureReasons(event);
    expect([...reasons.keys()]).toEqual(['m2', 'm4']);
    expect(reasons.get('m2')).toMatchObject({ retriable: false, error: { message: 'm2 is not an event' } });
    expect(reasons.get('m4')).toMatchObject({ retriable: true, error: { message: 'database down' } });
  });

  it('reports a batch whose every record failed instead of throwing, so each keeps its own reason', async () => {
    const event: SQSEvent = { Records: [record('m1'), record('m2')] };
    const response = await processSqsBatch(event, async ({ messageId }) => {
      throw messageId === 'm1' ? new NonRetriableError('bad m1') : 'a thrown string';
    });
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'm1' }, { itemIdentifier: 'm2' }]);
    expect(batchFailureReasons(event).get('m1')?.retriable).toBe(false);
    expect(batchFailureReasons(event).get('m2')).toMatchObject({
      retriable: true,
      error: { message: 'a thrown string' },
    });
  });

  it('answers an empty failure list of its own when every record succeeded', async () => {
    const first = await processSqsBatch({ Records: [record('m1')] }, async () => {});
    first.batchItemFailures.push({ itemIdentifier: 'tampered' });
    const second = await processSqsBatch({ Records: [record('m2')] }, async () => {});
    expect(second).toEqual({ batchItemFailures: [] });
  });
});
