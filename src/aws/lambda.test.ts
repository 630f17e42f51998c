import type { Logger } from '@aws-lambda-powertools/logger';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { NonRetriableError, processSqsBatch } from '../functions/sqs-batch.js';
import type { DeadLetter, DeadLetterFailure, DeadLetterSink } from '../ports/dead-letters.js';
import { once, withLogging, withSqsLogging } from './lambda.js';

function recordingLogger() {
  const lines: [string, string, unknown][] = [];
  const logger = {
    addContext: () => {},
    info: (message: string, extra: unknown) => lines.push(['info', message, extra]),
    warn: (message: string, extra: unknown) => lines.push(['warn', message, extra]),
    error: (message: string, extra: unknown) => lines.push(['error', message, extra]),
  };
  return { lines, logger: logger as unknown as Logger };
}

const context = {} as Context;
const record = (messageId: string) => ({ messageId, body: messageId }) as SQSRecord;

describe('Lambda wrappers', () => {
  it('logs why each SQS message failed, by id: a warning when retrying cannot help, an error otherwise', async () => {
    const { lines, logger } = recordingLogger();
    const handler = withSqsLogging(logger, (event: SQSEvent) =>
      processSqsBatch(event, async ({ messageId }) => {
        if (messageId === 'bad') throw new NonRetriableError('not an S3 event');
        if (messageId === 'down') throw new Error('DynamoDB unavailable');
      }),
    );
    const response = await handler({ Records: [record('ok'), record('bad'), record('down')] }, context);
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'bad' }, { itemIdentifier: 'down' }]);
    expect(lines).toEqual([
      [
        'warn',
        'message cannot succeed; it goes to the DLQ after its receives',
        { messageId: 'bad', retriable: false, error: 'NonRetriableError: not an S3 event' },
      ],
      [
        'error',
        'message failed; SQS will deliver it again',
        { messageId: 'down', retriable: true, error: 'Error: DynamoDB unavailable' },
      ],
    ]);
  });

  it('sends a message that cannot succeed to the DLQ with its reason and acknowledges it; a retriable one stays', async () => {
    const { lines, logger } = recordingLogger();
    const sent: [DeadLetter, DeadLetterFailure][] = [];
    const deadLetters: DeadLetterSink = {
      send: async (message, failure) => {
        sent.push([message, failure]);
      },
    };
    const handler = withSqsLogging(
      logger,
      (event: SQSEvent) =>
        processSqsBatch(event, async ({ messageId }) => {
          if (messageId === 'bad') throw new NonRetriableError('not an S3 event');
          if (messageId === 'down') throw new Error('DynamoDB unavailable');
        }),
      { deadLetters },
    );
    const bad = {
      ...record('bad'),
      eventSourceARN: 'arn:aws:sqs:eu-west-1:123456789012:tributary-dev-loader',
      attributes: { ApproximateReceiveCount: '2' },
      messageAttributes: {
        traceparent: { dataType: 'String', stringValue: '00-abc-def-01' },
        blob: { dataType: 'Binary', binaryValue: 'AAEC' },
      },
    } as unknown as SQSRecord;

    const response = await handler({ Records: [record('ok'), bad, record('down')] }, context);

    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'down' }]);
    expect(sent).toEqual([
      [
        { id: 'bad', body: 'bad', attributes: { traceparent: '00-abc-def-01' } },
        {
          error: 'NonRetriableError: not an S3 event',
          source: 'arn:aws:sqs:eu-west-1:123456789012:tributary-dev-loader',
          receiveCount: 2,
        },
      ],
    ]);
    expect(lines).toEqual([
      [
        'warn',
        'message cannot succeed; sent to the DLQ',
        { messageId: 'bad', retriable: false, error: 'NonRetriableError: not an S3 event' },
      ],
      [
        'error',
        'message failed; SQS will deliver it again',
        { messageId: 'down', retriable: true, error: 'Error: DynamoDB unavailable' },
      ],
    ]);
  });

  it('keeps a message that cannot succeed in batchItemFailures when the DLQ does not take it', async () => {
    const { lines, logger } = recordingLogger();
    const deadLetters: DeadLetterSink = {
      send: async ({ id }) => {
        if (id === 'refused') throw new Error('SQS queue "dlq" did not take the dead letter');
      },
    };
    const handler = withSqsLogging(
      logger,
      (event: SQSEvent) =>
        processSqsBatch(event, async ({ messageId }) => {
          throw new NonRetriableError(`${messageId} is not JSON`);
        }),
      { deadLetters },
    );

    const response = await handler({ Records: [record('refused'), record('taken')] }, context);

    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'refused' }]);
    expect(lines[0]).toEqual([
      'error',
      'message cannot succeed, and sending it to the DLQ failed; SQS will deliver it again',
      {
        messageId: 'refused',
        retriable: false,
        error: 'NonRetriableError: refused is not JSON',
        sendError: 'SQS queue "dlq" did not take the dead letter',
      },
    ]);
  });

  it('rethrows a failed invocation, logging an error the state machine routes as information', async () => {
    const { lines, logger } = recordingLogger();
    const rejected = Object.assign(new Error('order 7 was rejected'), { name: 'OrderRejected' });
    const handler = withLogging(
      logger,
      async (event: { fail: Error }) => {
        throw event.fail;
      },
      { expected: (error) => error.name === 'OrderRejected' },
    );
    await expect(handler({ fail: rejected }, context)).rejects.toBe(rejected);
    const crash = new TypeError('boom');
    await expect(handler({ fail: crash }, context)).rejects.toBe(crash);
    expect(lines).toEqual([
      ['info', 'raised OrderRejected', { error: 'order 7 was rejected' }],
      ['error', 'invocation failed', crash],
    ]);
  });

  it('builds once, and again after a failed build', async () => {
    let builds = 0;
    const value = once(async () => {
      builds++;
      if (builds === 1) throw new Error('database unreachable');
      return builds;
    });
    await expect(value()).rejects.toThrow('database unreachable');
    expect(await Promise.all([value(), value()])).toEqual([2, 2]);
    expect(builds).toBe(2);
  });
});
