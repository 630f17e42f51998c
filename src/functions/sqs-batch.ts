import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { z } from 'zod';

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
 * Processes each record of an SQS batch on its own, in order, with the Powertools batch processor:
 * a record whose handler throws is reported in `batchItemFailures` and the others are
 * acknowledged. A batch whose every record failed is reported the same way rather than thrown,
 * so each record keeps its own reason (and a {@link NonRetriableError} its verdict).
 */
export async function processSqsBatch(
  event: SQSEvent,
  handleRecord: (record: SQSRecord) => Promise<void>,
): Promise<SQSBatchResponse> {
  const failures = new Map<string, RecordFailure>();
  failureReasons.set(event, failures);
  // One processor per batch: a processor holds the batch it is working on, and the embedded
  // fabric may run several batches of one handler at once.
  const processor = new BatchProcessor(EventType.SQS);
  const response = await processPartialResponse(
    event,
    async (record: SQSRecord) => {
      try {
        await handleRecord(record);
      } catch (caught) {
        const error = caught instanceof Error ? caught : new Error(String(caught));
        failures.set(record.messageId, { error, retriable: !(error instanceof NonRetriableError) });
        throw error;
      }
    },
    processor,
    { processInParallel: false, throwOnFullBatchFailure: false },
  );
  // A copy: with no failures, Powertools hands out its shared empty response.
  return { batchItemFailures: [...response.batchItemFailures] };
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

/** The S3 "Object Created" event, as EventBridge delivers it to a queue. */
const objectCreated = z.object({
  'detail-type': z.literal('Object Created'),
  detail: z.object({ bucket: z.object({ name: z.string() }), object: z.object({ key: z.string() }) }),
});

/** The bucket and key of an S3 "Object Created" record; any other body can never succeed. */
export function parseObjectCreated(record: SQSRecord): { bucket: string; key: string } {
  const parsed = objectCreated.safeParse(parseJsonBody(record));
  if (!parsed.success) {
    throw new NonRetriableError(`not an S3 Object Created event: ${z.prettifyError(parsed.error)}`);
  }
  return { bucket: parsed.data.detail.bucket.name, key: parsed.data.detail.object.key };
}
