import type { Context, SQSEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import type { IngestDeps } from '../core/statements/ingest-statement-file.js';
import type { NotifyDeps } from '../core/statements/notify-statement.js';
import { batchFailureReasons } from './sqs-batch.js';
import { createStatementsIngestHandler } from './statements-ingest.js';
import { createStatementsNotifyHandler } from './statements-notify.js';

// The handlers refuse these before touching any port, so the deps are never used.
const unused = new Proxy(
  {},
  {
    get: () => {
      throw new Error('a port was used');
    },
  },
);
const record = (messageId: string, body: string) =>
  ({
    messageId,
    body,
    receiptHandle: messageId,
    attributes: {},
    messageAttributes: {},
  }) as unknown as SQSEvent['Records'][number];

describe('statements handlers', () => {
  it('dead-letters a message that is not JSON or not the expected event, saying why, and keeps the rest of the batch apart', async () => {
    const ingest = createStatementsIngestHandler(unused as IngestDeps);
    const event: SQSEvent = {
      Records: [
        record('m1', 'not json'),
        record('m2', JSON.stringify({ 'detail-type': 'Object Created', detail: {} })),
      ],
    };
    const response = await ingest(event, {} as Context);
    expect(response?.batchItemFailures).toEqual([{ itemIdentifier: 'm1' }, { itemIdentifier: 'm2' }]);
    const reasons = batchFailureReasons(event);
    expect(reasons.get('m1')).toMatchObject({ retriable: false });
    expect(reasons.get('m1')?.error.message).toContain('is not JSON');
    expect(reasons.get('m2')?.error.message).toMatch(/not an S3 Object Created event.*bucket/s);
  });

  it('dead-letters a StatementSummarized event with a malformed summary', async () => {
    const notify = createStatementsNotifyHandler(unused as NotifyDeps);
    const body = JSON.stringify({
      'detail-type': 'StatementSummarized',
      detail: { accountId: 'a', fingerprint: '0123456789abcdef', summary: { balance: '1.5' } },
    });
    const event: SQSEvent = { Records: [record('m1', body)] };
    await notify(event, {} as Context);
    expect(batchFailureReasons(event).get('m1')?.error.message).toContain('not a StatementSummarized event');
  });
});
