import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';

/**
 * Thrown by a record handler when retrying cannot help (bad input, missing configuration the
 * record depends on): the fabric moves the record straight to its dead-letter queue.
 */
export class NonRetriableError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'NonRetriableError';
  }
}

export interface RecordFailure {
  error: Error;
  retriable: boolean;
}

/**
 * Why each record of a batch failed. Lambda's partial batch response carries only ids; the
 * embedded fabric reads the reasons here to explain every DLQ entry.
 */
const failureReasons = new WeakMap<SQSEvent, Map<string, RecordFailure>>();

export function batchFailureReasons(event: SQSEvent): ReadonlyMap<string, RecordFailure> {
  return failureReasons.get(event) ?? new Map();
}

/**
 * Processes each record of an SQS batch on its own, in order: a record whose handler throws is
 * reported in `batchItemFailures` and the others are acknowledged.
 */
export async function processSqsBatch(
  event: SQSEvent,
  handleRecord: (record: SQSRecord) => Promise<void>,
): Promise<SQSBatchResponse> {
  const failures = new Map<string, RecordFailure>();
  for (const record of event.Records) {
    try {
      await handleRecord(record);
    } catch (caught) {
      const error = caught instanceof Error ? caught : new Error(String(caught));
      failures.set(record.messageId, { error, retriable: !(error instanceof NonRetriableError) });
    }
  }
  failureReasons.set(event, failures);
  return { batchItemFailures: [...failures.keys()].map((itemIdentifier) => ({ itemIdentifier })) };
}

/** Parses a record body as JSON; a body that is not JSON can never succeed, so it is not retried. */
export function parseJsonBody(record: SQSRecord): unknown {
  try {
    return JSON.parse(record.body);
  } catch (error) {
    throw new NonRetriableError(`message ${record.messageId} is not JSON: ${(error as Error).message}`);
  }
}

export type SqsHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse | undefined>;
