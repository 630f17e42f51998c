import { Logger } from '@aws-lambda-powertools/logger';
import type { Context, KinesisStreamEvent, SQSEvent } from 'aws-lambda';
import { streamFailureReasons } from '../functions/kinesis-batch.js';
import { batchFailureReasons } from '../functions/sqs-batch.js';
import type { FunctionName } from '../topology.js';

/**
 * The Powertools logger of a function: structured JSON for CloudWatch, named for the function of
 * the topology, level from `POWERTOOLS_LOG_LEVEL` (default INFO).
 */
export function functionLogger(name: FunctionName): Logger {
  return new Logger({ serviceName: name });
}

type Handler<E, R> = (event: E, context: Context) => Promise<R>;

/**
 * Wraps a handler for Lambda: each invocation's logs carry its context (request id, cold start,
 * function name and version), and an invocation that fails is logged with its error, then
 * rethrown for Lambda to report (and the event source to retry). An error that `expected`
 * recognises (one raised on purpose, for a state machine to route) is logged as information.
 */
export function withLogging<E, R>(
  logger: Logger,
  handler: Handler<E, R>,
  options: { expected?: (error: Error) => boolean } = {},
): Handler<E, R> {
  return async (event, context) => {
    logger.addContext(context);
    try {
      return await handler(event, context);
    } catch (error) {
      if (error instanceof Error && options.expected?.(error)) {
        logger.info(`raised ${error.name}`, { error: error.message });
      } else {
        logger.error('invocation failed', error as Error);
      }
      throw error;
    }
  };
}

/**
 * {@link withLogging} for an SQS handler: the partial batch response names the failed messages
 * only, so each one's reason is logged here, by message id. A record that retrying cannot help
 * (`NonRetriableError`: a malformed message, no email known) is a warning; SQS still redrives it
 * to the DLQ after the queue's `maxReceiveCount`, and the log says why it is there.
 */
export function withSqsLogging<R>(logger: Logger, handler: Handler<SQSEvent, R>): Handler<SQSEvent, R> {
  return withLogging(logger, async (event, context) => {
    const response = await handler(event, context);
    for (const [messageId, { error, retriable }] of batchFailureReasons(event)) {
      const attributes = { messageId, retriable, error: `${error.name}: ${error.message}` };
      if (retriable) logger.error('message failed; SQS will deliver it again', attributes);
      else logger.warn('message cannot succeed; it goes to the DLQ after its receives', attributes);
    }
    return response;
  });
}

/** {@link withLogging} for a Kinesis handler: the reason of each failed record, by sequence number. */
export function withStreamLogging<R>(
  logger: Logger,
  handler: Handler<KinesisStreamEvent, R>,
): Handler<KinesisStreamEvent, R> {
  return withLogging(logger, async (event, context) => {
    const response = await handler(event, context);
    for (const [sequenceNumber, error] of streamFailureReasons(event)) {
      logger.error('record failed; the shard retries from it', {
        sequenceNumber,
        error: `${error.name}: ${error.message}`,
      });
    }
    return response;
  });
}

/**
 * A value built on first use and kept for the container's life; a failed build is not kept, so
 * the next invocation tries again (a database that was briefly unreachable).
 */
export function once<T>(build: () => Promise<T>): () => Promise<T> {
  let value: Promise<T> | undefined;
  return () => {
    if (!value) {
      const building = build();
      value = building;
      building.catch(() => {
        if (value === building) value = undefined;
      });
    }
    return value;
  };
}
