import { Logger } from '@aws-lambda-powertools/logger';
import type { Context, KinesisStreamEvent, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { streamFailureReasons } from '../functions/kinesis-batch.js';
import { batchFailureReasons } from '../functions/sqs-batch.js';
import type { DeadLetter, DeadLetterFailure, DeadLetterSink } from '../ports/dead-letters.js';
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

/** What {@link withSqsLogging} does with the messages that can never succeed. */
export interface SqsFailureOptions {
  /**
   * The dead-letter queue of the trigger queue: each such message is sent there at once, with its
   * reason, and acknowledged. Without it, SQS redrives the message after its receives.
   */
  deadLetters?: DeadLetterSink | undefined;
}

/** What became of one message of `batchItemFailures`. */
interface Fate {
  id: string;
  error: string;
  retriable: boolean;
  /** Whether it reached the dead-letter queue, when it was sent there. */
  sent?: boolean;
  sendError?: string;
}

/**
 * {@link withLogging} for an SQS handler: the partial batch response names the failed messages
 * only, so each one's reason is logged here, by message id.
 *
 * A message that retrying cannot help (`NonRetriableError`: a malformed message, no email known)
 * goes straight to the dead-letter queue when `deadLetters` is given, as in the embedded fabric:
 * it is sent there with its reason and, once SQS has it, left out of `batchItemFailures`, so that
 * Lambda deletes the original. If the send fails, the message stays in `batchItemFailures`: SQS
 * delivers it again and in the end redrives it to the same queue, so nothing is lost. An
 * invocation that dies between the send and its reply sends it again on the next delivery: a
 * dead letter may be there twice, as any SQS message may. Without `deadLetters`, SQS redrives it
 * after the queue's `maxReceiveCount`, and the log says why it is there.
 */
export function withSqsLogging<R extends SQSBatchResponse | undefined>(
  logger: Logger,
  handler: Handler<SQSEvent, R>,
  options: SqsFailureOptions = {},
): Handler<SQSEvent, R> {
  const { deadLetters } = options;
  return withLogging(logger, async (event, context) => {
    const response = await handler(event, context);
    if (!response?.batchItemFailures.length) return response;
    const reasons = batchFailureReasons(event);
    const records = new Map(event.Records.map((record) => [record.messageId, record]));
    const fates = await Promise.all(
      response.batchItemFailures.map(async ({ itemIdentifier: id }): Promise<Fate> => {
        const reason = reasons.get(id);
        const error = reason
          ? `${reason.error.name}: ${reason.error.message}`
          : 'reported in batchItemFailures';
        const record = records.get(id);
        if (!reason || reason.retriable || !deadLetters || !record) {
          return { id, error, retriable: reason?.retriable ?? true };
        }
        try {
          await deadLetters.send(deadLetterOf(record), { ...sourceOf(record), error });
          return { id, error, retriable: false, sent: true };
        } catch (sendError) {
          const message = sendError instanceof Error ? sendError.message : String(sendError);
          return { id, error, retriable: false, sent: false, sendError: message };
        }
      }),
    );
    for (const { id: messageId, error, retriable, sent, sendError } of fates) {
      const attributes = { messageId, retriable, error };
      if (retriable) logger.error('message failed; SQS will deliver it again', attributes);
      else if (sent) logger.warn('message cannot succeed; sent to the DLQ', attributes);
      else if (sent === false) {
        logger.error('message cannot succeed, and sending it to the DLQ failed; SQS will deliver it again', {
          ...attributes,
          sendError,
        });
      } else logger.warn('message cannot succeed; it goes to the DLQ after its receives', attributes);
    }
    const dead = new Set(fates.flatMap((fate) => (fate.sent ? [fate.id] : [])));
    if (dead.size === 0) return response;
    const batchItemFailures = response.batchItemFailures.filter(
      ({ itemIdentifier }) => !dead.has(itemIdentifier),
    );
    return { ...response, batchItemFailures } as R;
  });
}

/** The message as it was received: its body and its string (and number) attributes. */
function deadLetterOf(record: SQSRecord): DeadLetter {
  const attributes: Record<string, string> = {};
  for (const [name, value] of Object.entries(record.messageAttributes ?? {})) {
    if (value.stringValue !== undefined && /^(String|Number)/.test(value.dataType)) {
      attributes[name] = value.stringValue;
    }
  }
  return { id: record.messageId, body: record.body, attributes };
}

/** The queue it came from (its ARN) and how many times SQS had delivered it. */
function sourceOf(record: SQSRecord): Omit<DeadLetterFailure, 'error'> {
  const receiveCount = Number(record.attributes?.ApproximateReceiveCount);
  return {
    source: record.eventSourceARN,
    ...(Number.isInteger(receiveCount) && receiveCount > 0 ? { receiveCount } : {}),
  };
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
