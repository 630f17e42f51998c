import type { RejectedInput } from '../../ports/events-repository.js';
import type { PutRecordResult, StreamProducer } from '../../ports/stream.js';
import { MAX_RECORD_BYTES, MAX_RECORDS_PER_REQUEST, MAX_REQUEST_BYTES, utf8ByteLength } from './limits.js';
import type { BatchRecord } from './parse-event-batch.js';
import type { Reason } from './types.js';

/** What a producer learns about each record it sent, in the order it sent them. */
export type RecordResult =
  | { index: number; line?: number; status: 'accepted'; shardId: string; sequenceNumber: string }
  | { index: number; line?: number; status: 'rejected'; reasons: Reason[]; retryable?: true };

export interface AcceptEventsDeps {
  stream: StreamProducer;
  /** The stream events go onto (`events` in the topology). */
  streamName: string;
  /** Keeps records refused at the edge in the rejected store, so operators see them too. */
  recordRejected(rejected: readonly RejectedInput[]): Promise<void>;
  sleep?: (ms: number) => Promise<void>;
}

/** Attempts for a record the stream refuses (throttling): the first try and two retries. */
const PUT_ATTEMPTS = 3;
const encoder = new TextEncoder();

/**
 * Puts every record that passed the edge checks onto the stream, partitioned by `Client`, and
 * records the others as rejected. Records the stream refuses one by one (Kinesis throttling) are
 * retried with a short backoff; if they still fail they are reported `retryable` and nothing of
 * them is kept, so the producer can send them again.
 *
 * A retried record may land after later records of the same client from the same call: Kinesis
 * PutRecords has the same caveat. The embedded stream never refuses single records.
 */
export async function acceptEventRecords(
  records: readonly BatchRecord[],
  deps: AcceptEventsDeps,
): Promise<RecordResult[]> {
  const results: RecordResult[] = new Array(records.length);
  const rejected: RejectedInput[] = [];
  const ready: { slot: number; record: BatchRecord; partitionKey: string }[] = [];
  records.forEach((record, slot) => {
    const { outcome } = record;
    if (outcome.status === 'ready') {
      ready.push({ slot, record, partitionKey: outcome.partitionKey });
      return;
    }
    results[slot] = { ...where(record), status: 'rejected', reasons: outcome.reasons };
    rejected.push({
      client: outcome.client,
      eventId: outcome.eventId,
      stage: 'ingest',
      reasons: outcome.reasons,
      raw: keptRaw(record.raw),
    });
  });
  if (rejected.length > 0) await deps.recordRejected(rejected);

  for (const chunk of putChunks(ready)) {
    let pending = chunk;
    for (let attempt = 1; pending.length > 0; attempt++) {
      const put = await deps.stream.putRecords(
        deps.streamName,
        pending.map(({ record, partitionKey }) => ({ partitionKey, data: encoder.encode(record.raw) })),
      );
      const retry: typeof pending = [];
      pending.forEach((entry, i) => {
        const result = put[i] as PutRecordResult;
        if ('sequenceNumber' in result) {
          results[entry.slot] = { ...where(entry.record), status: 'accepted', ...result };
        } else if (attempt < PUT_ATTEMPTS) {
          retry.push(entry);
        } else {
          results[entry.slot] = {
            ...where(entry.record),
            status: 'rejected',
            retryable: true,
            reasons: [
              {
                path: '',
                message: `the stream did not accept the record (${result.errorCode}: ${result.errorMessage}); send it again`,
              },
            ],
          };
        }
      });
      pending = retry;
      if (pending.length > 0) await (deps.sleep ?? defaultSleep)(50 * 2 ** (attempt - 1));
    }
  }
  return results;
}

/**
 * Splits records into PutRecords calls: at most 500 records and 5 MiB of data and partition
 * keys each, as Kinesis allows (a bulk upload of large records reaches the byte limit first).
 */
function* putChunks<T extends { record: BatchRecord; partitionKey: string }>(entries: readonly T[]) {
  let chunk: T[] = [];
  let bytes = 0;
  for (const entry of entries) {
    const size = utf8ByteLength(entry.record.raw) + utf8ByteLength(entry.partitionKey);
    if (chunk.length === MAX_RECORDS_PER_REQUEST || (chunk.length > 0 && bytes + size > MAX_REQUEST_BYTES)) {
      yield chunk;
      chunk = [];
      bytes = 0;
    }
    chunk.push(entry);
    bytes += size;
  }
  if (chunk.length > 0) yield chunk;
}

/** An oversized record is kept only in part: the rejected store must fit any backend's item. */
function keptRaw(raw: string): string {
  const bytes = utf8ByteLength(raw);
  if (bytes <= MAX_RECORD_BYTES) return raw;
  return `${raw.slice(0, 1024)}… (truncated: the record was ${bytes} bytes)`;
}

function where(record: BatchRecord): { index: number; line?: number } {
  return record.line === undefined ? { index: record.index } : { index: record.index, line: record.line };
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
