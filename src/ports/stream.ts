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
