import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type {
  Context,
  KinesisStreamBatchResponse,
  KinesisStreamEvent,
  KinesisStreamRecord,
} from 'aws-lambda';

/**
 * A Lambda handler for a Kinesis event source mapping with `ReportBatchItemFailures`: it returns
 * the sequence numbers of failed records (the mapping resumes from the first of them), nothing
 * when the whole batch succeeded, or throws to fail the whole batch.
 */
export type StreamHandler = (
  event: KinesisStreamEvent,
  context: Context,
  // biome-ignore lint/suspicious/noConfusingVoidType: aws-lambda's KinesisStreamHandler may return void too.
) => Promise<KinesisStreamBatchResponse | undefined | void>;

/**
 * Why records of a batch failed, by sequence number. Lambda's partial batch response carries only
 * ids; the embedded fabric reads the reasons here to explain every record it dead-letters.
 */
const failureReasons = new WeakMap<KinesisStreamEvent, ReadonlyMap<string, Error>>();

/**
 * Processes the records of a Kinesis batch one by one, in order, with the Powertools batch
 * processor, and stops at the first record whose handler throws: that record is reported in
 * `batchItemFailures` (by sequence number, with its error kept for the fabric) and the records
 * after it are left untouched, because the mapping delivers them again after it, in order.
 * A failure of the very first record is reported the same way rather than thrown, so it keeps
 * its reason.
 *
 * @example
 * export const handler: StreamHandler = (event) =>
 *   processStreamBatch(event, async (record) => store(decode(record.kinesis.data)));
 */
export async function processStreamBatch(
  event: KinesisStreamEvent,
  handleRecord: (record: KinesisStreamRecord) => Promise<void>,
): Promise<KinesisStreamBatchResponse> {
  const failures = new Map<string, Error>();
  failureReasons.set(event, failures);
  // One processor per batch: a processor holds the batch it is working on.
  const processor = new BatchProcessor(EventType.KinesisDataStreams);
  const response = await processPartialResponse(
    event,
    async (record: KinesisStreamRecord) => {
      if (failures.size > 0) return;
      try {
        await handleRecord(record);
      } catch (caught) {
        const error = caught instanceof Error ? caught : new Error(String(caught));
        failures.set(record.kinesis.sequenceNumber, error);
        throw error;
      }
    },
    processor,
    { processInParallel: false, throwOnFullBatchFailure: false },
  );
  // A copy: with no failures, Powertools hands out its shared empty response.
  return { batchItemFailures: [...response.batchItemFailures] };
}

/**
 * Builds the partial batch response for `failures` (sequence number → error) and remembers the
 * errors for the fabric: for a handler that decides its failures itself rather than record by
 * record with {@link processStreamBatch}.
 */
export function reportStreamFailures(
  event: KinesisStreamEvent,
  failures: ReadonlyMap<string, Error>,
): KinesisStreamBatchResponse {
  failureReasons.set(event, new Map(failures));
  return { batchItemFailures: [...failures.keys()].map((itemIdentifier) => ({ itemIdentifier })) };
}

/** The errors {@link processStreamBatch} or {@link reportStreamFailures} recorded for a batch, by sequence number. */
export function streamFailureReasons(event: KinesisStreamEvent): ReadonlyMap<string, Error> {
  return failureReasons.get(event) ?? new Map();
}
