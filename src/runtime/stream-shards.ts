import { createHash } from 'node:crypto';
import type { StreamRecordInput } from '../ports/stream.js';

/** Kinesis PutRecords limits. */
export const MAX_RECORDS_PER_PUT = 500;
export const MAX_PARTITION_KEY_LENGTH = 256;
/** One record: data plus partition key (UTF-8), as Kinesis counts it. */
export const MAX_RECORD_BYTES = 1024 * 1024;
/** One PutRecords call, partition keys included. */
export const MAX_PUT_BYTES = 5 * 1024 * 1024;

/** Lambda's payload limit for a synchronous invocation: a batch's event stays under it. */
export const MAX_EVENT_BYTES = 6 * 1024 * 1024;
/**
 * What a record adds to a Lambda Kinesis event besides its base64 data and partition key (ids,
 * ARNs, timestamps, JSON), rounded up.
 */
export const EVENT_RECORD_OVERHEAD_BYTES = 512;

/** How many bytes a record weighs in a Lambda Kinesis event. */
export function eventBytes(dataBytes: number, partitionKeyBytes: number): number {
  return 4 * Math.ceil(dataBytes / 3) + partitionKeyBytes + EVENT_RECORD_OVERHEAD_BYTES;
}

/** {@link eventBytes} in SQL, over `data` and `partition_key`. */
export const eventBytesSql = `(4 * ((octet_length(data) + 2) / 3) + octet_length(partition_key) + ${EVENT_RECORD_OVERHEAD_BYTES})`;

const HASH_SPACE = 2n ** 128n;
const SEQUENCE_WIDTH = 20;

export class UnknownStreamError extends Error {
  constructor(readonly stream: string) {
    super(`stream "${stream}" is not declared in the topology`);
    this.name = 'UnknownStreamError';
  }
}

/** A PutRecords call Kinesis would refuse as a whole (ValidationException). */
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

export interface ShardRange {
  shardId: string;
  startingHashKey: bigint;
  endingHashKey: bigint;
}

export function shardId(index: number): string {
  return `shardId-${String(index).padStart(12, '0')}`;
}

/**
 * The shards of a stream as Kinesis creates them: shard i of n covers the 128-bit hash keys
 * [floor(i·2^128/n), floor((i+1)·2^128/n) − 1].
 */
export function shardRanges(shardCount: number): ShardRange[] {
  if (!Number.isInteger(shardCount) || shardCount < 1) {
    throw new Error(`a stream needs a whole number of shards, at least 1 (got ${shardCount})`);
  }
  const n = BigInt(shardCount);
  return Array.from({ length: shardCount }, (_, i) => ({
    shardId: shardId(i),
    startingHashKey: (BigInt(i) * HASH_SPACE) / n,
    endingHashKey: ((BigInt(i) + 1n) * HASH_SPACE) / n - 1n,
  }));
}

/** The hash key of a partition key: its MD5 (UTF-8) as an unsigned 128-bit big-endian integer. */
export function hashKey(partitionKey: string): bigint {
  return BigInt(`0x${createHash('md5').update(partitionKey, 'utf8').digest('hex')}`);
}

/** Index of the shard whose range holds the partition key's hash key. */
export function shardIndexFor(ranges: readonly ShardRange[], partitionKey: string): number {
  return shardIndexForHash(ranges, hashKey(partitionKey));
}

export function shardIndexForHash(ranges: readonly ShardRange[], hash: bigint): number {
  // The arithmetic guess is exact or one off at a range boundary.
  let index = Number((hash * BigInt(ranges.length)) / HASH_SPACE);
  while (index > 0 && (ranges[index]?.startingHashKey ?? 0n) > hash) index--;
  while (index < ranges.length - 1 && (ranges[index + 1]?.startingHashKey ?? HASH_SPACE) <= hash) index++;
  return index;
}

/** Base64 of bytes, without copying them. */
export function toBase64(data: Uint8Array): string {
  return Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('base64');
}

/** Sequence numbers are zero-padded so that string order is numeric order. */
export function formatSequenceNumber(seq: number | bigint): string {
  return String(seq).padStart(SEQUENCE_WIDTH, '0');
}

export function parseSequenceNumber(sequenceNumber: string): number {
  if (!/^\d{1,20}$/.test(sequenceNumber)) {
    throw new Error(`"${sequenceNumber}" is not a sequence number of the embedded stream`);
  }
  return Number(sequenceNumber);
}

/** Throws the first reason Kinesis would refuse the call for; returns each record's size. */
export function validatePut(records: readonly StreamRecordInput[]): number[] {
  if (records.length < 1 || records.length > MAX_RECORDS_PER_PUT) {
    throw new InvalidStreamRecordError(
      `a put takes 1 to ${MAX_RECORDS_PER_PUT} records; this one has ${records.length}`,
    );
  }
  let total = 0;
  const sizes = records.map((record, index) => {
    const key = record.partitionKey;
    if (typeof key !== 'string' || key.length < 1 || key.length > MAX_PARTITION_KEY_LENGTH) {
      throw new InvalidStreamRecordError(
        `record ${index}: the partition key must be 1 to ${MAX_PARTITION_KEY_LENGTH} characters (got ${typeof key === 'string' ? key.length : typeof key})`,
        index,
      );
    }
    if (!(record.data instanceof Uint8Array)) {
      throw new InvalidStreamRecordError(`record ${index}: data must be bytes (a Uint8Array)`, index);
    }
    const size = record.data.byteLength + Buffer.byteLength(key, 'utf8');
    if (size > MAX_RECORD_BYTES) {
      throw new InvalidStreamRecordError(
        `record ${index}: data and partition key take ${size} bytes; a record holds at most ${MAX_RECORD_BYTES} (1 MiB)`,
        index,
      );
    }
    total += size;
    return size;
  });
  if (total > MAX_PUT_BYTES) {
    throw new InvalidStreamRecordError(
      `the records take ${total} bytes; one put takes at most ${MAX_PUT_BYTES} (5 MiB)`,
    );
  }
  return sizes;
}
