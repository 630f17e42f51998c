/** One record to put on a stream (Kinesis PutRecords entry). */
export interface StreamRecordInput {
  /** Decides the shard (MD5 of the key into the hash-key range); 1 to 256 characters. */
  partitionKey: string;
  data: Uint8Array;
}

/** Where a record landed, or why it was not accepted (Kinesis reports failures per record). */
export type PutRecordResult =
  | { shardId: string; sequenceNumber: string }
  | { errorCode: string; errorMessage: string };

/** Stream producer port (Kinesis PutRecords). Results are in the order of the input. */
export interface StreamProducer {
  putRecords(stream: string, records: readonly StreamRecordInput[]): Promise<PutRecordResult[]>;
}

export interface ShardDescription {
  shardId: string;
  /** The shard's hash-key range, inclusive (decimal: they need 128 bits). */
  startingHashKey: string;
  endingHashKey: string;
  /** Records retained. */
  records: number;
  /** The last sequence number given out (the record itself may have been trimmed), if any. */
  lastSequenceNumber: string | null;
}

/** A consumer's position and retry state on one shard. */
export interface ConsumerShardDescription {
  consumer: string;
  shardId: string;
  /** Last sequence number processed; null before the first. */
  checkpoint: string | null;
  /** Records after the checkpoint. */
  lag: number;
  /** Failed attempts of the record at `failingSequenceNumber`. */
  attempts: number;
  failingSequenceNumber: string | null;
  /** The shard waits out a retry backoff until then. */
  retryAt: Date | null;
  lastError: string | null;
  /** The batch size in force while bisecting (null: the trigger's). */
  batchLimit: number | null;
  leasedUntil: Date | null;
}

/** A stream as operators see it: its shards, and each consumer's position per shard. */
export interface StreamDescription {
  stream: string;
  shardCount: number;
  retentionHours: number;
  shards: ShardDescription[];
  consumers: ConsumerShardDescription[];
}
