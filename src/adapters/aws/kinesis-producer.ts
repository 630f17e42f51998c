import {
  PutRecordsCommand,
  type PutRecordsCommandOutput,
  type PutRecordsRequestEntry,
} from '@aws-sdk/client-kinesis';
import type { PutRecordResult, StreamProducer, StreamRecordInput } from '../../ports/stream.js';

/** Kinesis PutRecords limits (the embedded stream enforces the same ones). */
export const MAX_RECORDS_PER_PUT = 500;
export const MAX_PARTITION_KEY_LENGTH = 256;
/** One record: data plus partition key (UTF-8), as Kinesis counts it. */
export const MAX_RECORD_BYTES = 1024 * 1024;
/** One PutRecords call, partition keys included. */
export const MAX_PUT_BYTES = 5 * 1024 * 1024;

/** Per-record failures that a later try may not meet; any other code is final. */
const RETRYABLE_CODES = new Set(['ProvisionedThroughputExceededException', 'InternalFailure']);

/** What the producer needs of a `KinesisClient` (tests pass a fake). */
export interface PutRecordsClient {
  send(command: PutRecordsCommand): Promise<PutRecordsCommandOutput>;
}

export interface KinesisProducerOptions {
  client: PutRecordsClient;
  /** Logical stream name (the topology's, e.g. `events`) to the Kinesis stream's name. */
  streamNames: Readonly<Record<string, string>>;
  /** Tries per record that Kinesis refuses with a retryable code (the first and the retries). */
  maxAttempts?: number;
  sleep?: (ms: number) => Promise<void>;
}

/** A put Kinesis would refuse as a whole: too many records, or a record too large. */
export class InvalidStreamRecordError extends Error {
  constructor(
    message: string,
    /** The offending record's position in the call, when one record is at fault. */
    readonly index?: number,
  ) {
    super(message);
    this.name = 'InvalidStreamRecordError';
  }
}

/**
 * The stream producer on AWS: Kinesis PutRecords, with results in input order. Records Kinesis
 * refuses one by one with `ProvisionedThroughputExceededException` or `InternalFailure` are put
 * again (only those, with exponential backoff and jitter) up to `maxAttempts` tries; a record
 * still refused then, or refused with another code, comes back as `{ errorCode, errorMessage }`.
 *
 * Like the embedded stream, a call that breaks a PutRecords limit (1 to 500 records, partition
 * keys of 1 to 256 characters, 1 MiB per record, 5 MiB per call) throws an
 * {@link InvalidStreamRecordError} naming the record before anything is sent, and an unknown
 * logical stream throws. A request that fails as a whole (an unknown Kinesis stream, the network)
 * throws at the first try; at a retry, the records being retried come back failed with that
 * error, and the records accepted before keep their results.
 *
 * Ordering caveat, as with Kinesis itself: a retried record lands after records of the same
 * partition key that were accepted at the first try.
 *
 * @example
 * const stream = createKinesisProducer({ client: new KinesisClient({}), streamNames: { events: 'tributary-dev-events' } });
 * const results = await stream.putRecords('events', [{ partitionKey: 'client-1', data }]);
 */
export function createKinesisProducer(options: KinesisProducerOptions): StreamProducer {
  const { client, streamNames } = options;
  const maxAttempts = options.maxAttempts ?? 3;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));

  return {
    async putRecords(stream, records) {
      const physical = Object.hasOwn(streamNames, stream) ? streamNames[stream] : undefined;
      if (!physical) {
        const known = Object.keys(streamNames).join(', ') || 'none';
        throw new Error(`stream "${stream}" has no Kinesis stream configured (known: ${known})`);
      }
      validatePut(stream, records);
      const entries: PutRecordsRequestEntry[] = records.map((record) => ({
        PartitionKey: record.partitionKey,
        Data: record.data,
      }));
      const results: PutRecordResult[] = new Array(records.length);
      let pending = records.map((_, index) => index);
      for (let attempt = 1; pending.length > 0; attempt++) {
        let output: PutRecordsCommandOutput;
        try {
          output = await client.send(
            new PutRecordsCommand({ StreamName: physical, Records: pending.map((index) => entries[index]!) }),
          );
        } catch (error) {
          const message = `Kinesis PutRecords to stream "${physical}" (${stream}) failed for ${pending.length} record${pending.length === 1 ? '' : 's'}: ${describeError(error)}`;
          // Nothing is known to have landed: the caller decides. Once some records have, their
          // results stand and only the retried ones fail.
          if (attempt === 1) throw new Error(message, { cause: error });
          for (const index of pending) {
            results[index] = { errorCode: errorName(error), errorMessage: `${message} (try ${attempt})` };
          }
          break;
        }
        const retry: number[] = [];
        pending.forEach((index, i) => {
          const result = output.Records?.[i];
          if (result?.ShardId && result.SequenceNumber && !result.ErrorCode) {
            results[index] = { shardId: result.ShardId, sequenceNumber: result.SequenceNumber };
            return;
          }
          const errorCode = result?.ErrorCode ?? 'MissingResult';
          if (RETRYABLE_CODES.has(errorCode) && attempt < maxAttempts) {
            retry.push(index);
            return;
          }
          const tries = attempt > 1 ? ` (after ${attempt} tries)` : '';
          results[index] = {
            errorCode,
            errorMessage: `${result?.ErrorMessage ?? 'Kinesis returned no result for this record'}${tries}`,
          };
        });
        pending = retry;
        if (pending.length > 0) await sleep(backoff(attempt));
      }
      return results;
    },
  };
}

/** Throws the first reason Kinesis would refuse the call for, naming the stream and the record. */
function validatePut(stream: string, records: readonly StreamRecordInput[]): void {
  if (records.length < 1 || records.length > MAX_RECORDS_PER_PUT) {
    throw new InvalidStreamRecordError(
      `stream "${stream}": a put takes 1 to ${MAX_RECORDS_PER_PUT} records; this one has ${records.length}`,
    );
  }
  let total = 0;
  records.forEach((record, index) => {
    const key = record.partitionKey;
    if (typeof key !== 'string' || key.length < 1 || key.length > MAX_PARTITION_KEY_LENGTH) {
      throw new InvalidStreamRecordError(
        `stream "${stream}", record ${index}: the partition key must be 1 to ${MAX_PARTITION_KEY_LENGTH} characters (got ${typeof key === 'string' ? key.length : typeof key})`,
        index,
      );
    }
    if (!(record.data instanceof Uint8Array)) {
      throw new InvalidStreamRecordError(
        `stream "${stream}", record ${index}: data must be bytes (a Uint8Array)`,
        index,
      );
    }
    const size = record.data.byteLength + Buffer.byteLength(key, 'utf8');
    if (size > MAX_RECORD_BYTES) {
      throw new InvalidStreamRecordError(
        `stream "${stream}", record ${index}: data and partition key take ${size} bytes; a record holds at most ${MAX_RECORD_BYTES} (1 MiB)`,
        index,
      );
    }
    total += size;
  });
  if (total > MAX_PUT_BYTES) {
    throw new InvalidStreamRecordError(
      `stream "${stream}": the records take ${total} bytes; one put takes at most ${MAX_PUT_BYTES} (5 MiB)`,
    );
  }
}

/** 100 ms, 200 ms, 400 ms…, each between half and all of it (jitter spreads retrying producers). */
function backoff(attempt: number): number {
  const ceiling = 100 * 2 ** (attempt - 1);
  return Math.round(ceiling / 2 + (Math.random() * ceiling) / 2);
}

function errorName(error: unknown): string {
  return error instanceof Error ? error.name : 'Error';
}

function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
