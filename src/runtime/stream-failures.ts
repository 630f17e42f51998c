import { randomUUID } from 'node:crypto';
import type { SqlClient } from '../adapters/sql/sql-client.js';
import type { StreamRecordInput } from '../ports/stream.js';
import { LOCAL_ACCOUNT, LOCAL_REGION } from './local-bus.js';
import type { QueueStore } from './queue-store.js';
import { MAX_PUT_BYTES, MAX_RECORDS_PER_PUT, toBase64 } from './stream-shards.js';
import type { StoredStreamRecord, StreamStore } from './stream-store.js';
import { runInTrace } from './trace.js';

/** The `source_queue` of a dead letter that came from a stream. */
export const STREAM_SOURCE_PREFIX = 'stream:';

export const streamArn = (stream: string) =>
  `arn:aws:kinesis:${LOCAL_REGION}:${LOCAL_ACCOUNT}:stream/${stream}`;

/**
 * What a stream consumer sends to its `onFailure` queue: Lambda's on-failure destination record
 * for Kinesis, plus what only the embedded fabric can keep (the error and the records themselves,
 * so that nothing is lost and `dlq replay` can put them back on the stream).
 */
export interface StreamFailureMessage {
  requestContext: {
    requestId: string;
    functionArn: string;
    condition: 'RetryAttemptsExhausted';
    approximateInvokeCount: number;
  };
  responseContext: { statusCode: number; executedVersion: string; functionError?: string };
  version: '1.0';
  timestamp: string;
  KinesisBatchInfo: {
    shardId: string;
    startSequenceNumber: string;
    endSequenceNumber: string;
    approximateArrivalOfFirstRecord: string;
    approximateArrivalOfLastRecord: string;
    batchSize: number;
    streamArn: string;
  };
  error: string;
  records: { sequenceNumber: string; partitionKey: string; data: string }[];
}

export function streamFailureMessage(input: {
  functionArn: string;
  requestId: string;
  stream: string;
  shardId: string;
  records: readonly StoredStreamRecord[];
  error: Error;
  /** True when the handler threw (Lambda's `functionError: 'Unhandled'`). */
  thrown: boolean;
  invocations: number;
  now: Date;
}): StreamFailureMessage {
  const first = input.records[0];
  const last = input.records[input.records.length - 1];
  if (!first || !last) throw new Error('a stream failure needs at least one record');
  return {
    requestContext: {
      requestId: input.requestId,
      functionArn: input.functionArn,
      condition: 'RetryAttemptsExhausted',
      approximateInvokeCount: input.invocations,
    },
    responseContext: {
      statusCode: 200,
      executedVersion: '$LATEST',
      ...(input.thrown ? { functionError: 'Unhandled' } : {}),
    },
    version: '1.0',
    timestamp: input.now.toISOString(),
    KinesisBatchInfo: {
      shardId: input.shardId,
      startSequenceNumber: first.sequenceNumber,
      endSequenceNumber: last.sequenceNumber,
      approximateArrivalOfFirstRecord: first.approximateArrivalTimestamp.toISOString(),
      approximateArrivalOfLastRecord: last.approximateArrivalTimestamp.toISOString(),
      batchSize: input.records.length,
      streamArn: streamArn(input.stream),
    },
    error: input.error.message,
    records: input.records.map((record) => ({
      sequenceNumber: record.sequenceNumber,
      partitionKey: record.partitionKey,
      data: toBase64(record.data),
    })),
  };
}

function recordsToReplay(messageId: string, body: string): StreamRecordInput[] {
  let parsed: Partial<StreamFailureMessage>;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw new Error(`dead letter ${messageId} is not a stream failure record: its body is not JSON`);
  }
  if (!Array.isArray(parsed.records)) {
    throw new Error(`dead letter ${messageId} holds no records to put back on the stream`);
  }
  return parsed.records.map((record) => ({
    partitionKey: record.partitionKey,
    data: new Uint8Array(Buffer.from(record.data, 'base64')),
  }));
}

/** Splits records into puts Kinesis would accept (500 records, 5 MiB). */
function puts(records: readonly StreamRecordInput[]): StreamRecordInput[][] {
  const chunks: StreamRecordInput[][] = [];
  let chunk: StreamRecordInput[] = [];
  let bytes = 0;
  for (const record of records) {
    const size = record.data.byteLength + Buffer.byteLength(record.partitionKey, 'utf8');
    if (chunk.length === MAX_RECORDS_PER_PUT || (chunk.length > 0 && bytes + size > MAX_PUT_BYTES)) {
      chunks.push(chunk);
      chunk = [];
      bytes = 0;
    }
    chunk.push(record);
    bytes += size;
  }
  if (chunk.length > 0) chunks.push(chunk);
  return chunks;
}

/**
 * `dlq replay` for stream failures: puts each dead letter's records back on its stream (same
 * partition keys, same order, new sequence numbers, the dead letter's trace) and deletes the
 * dead letter, in one transaction. Returns how many dead letters were replayed.
 */
export async function replayStreamFailures(
  deps: { db: SqlClient; queues: QueueStore; streams: StreamStore },
  messageIds: readonly string[] | 'all',
): Promise<number> {
  return deps.db.transaction(async (tx) => {
    const letters = await deps.queues.takeDeadLetters(messageIds, STREAM_SOURCE_PREFIX, tx);
    for (const letter of letters) {
      const stream = (letter.sourceQueue ?? '').slice(STREAM_SOURCE_PREFIX.length);
      const records = recordsToReplay(letter.messageId, letter.body);
      await runInTrace(letter.traceId ?? randomUUID(), async () => {
        for (const chunk of puts(records)) await deps.streams.putRecords(stream, chunk, tx);
      });
    }
    return letters.length;
  });
}
