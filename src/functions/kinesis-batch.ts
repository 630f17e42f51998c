import type { Context, KinesisStreamBatchResponse, KinesisStreamEvent } from 'aws-lambda';

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
 * Builds the partial batch response for `failures` (sequence number → error) and remembers the
 * errors for the fabric. Kinesis keeps order, so a handler usually stops at its first failure:
 * the records after it are delivered again anyway.
 *
 * @example
 * const failures = new Map<string, Error>();
 * for (const record of event.Records) {
 *   try { await handle(record); } catch (error) {
 *     failures.set(record.kinesis.sequenceNumber, error as Error);
 *     break;
 *   }
 * }
 * return reportStreamFailures(event, failures);
 */
export function reportStreamFailures(
  event: KinesisStreamEvent,
  failures: ReadonlyMap<string, Error>,
): KinesisStreamBatchResponse {
  failureReasons.set(event, new Map(failures));
  return { batchItemFailures: [...failures.keys()].map((itemIdentifier) => ({ itemIdentifier })) };
}

/** The errors {@link reportStreamFailures} recorded for a batch, by sequence number. */
export function streamFailureReasons(event: KinesisStreamEvent): ReadonlyMap<string, Error> {
  return failureReasons.get(event) ?? new Map();
}
