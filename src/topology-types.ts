/**
 * Types of the topology: the one declaration of every resource and its wiring. The local
 * runtime wires the embedded fabric from it; the CDK app builds AWS resources from it.
 */

export interface BucketSpec {
  description: string;
}

export interface QueueSpec {
  description: string;
  /** Seconds a received message stays invisible before another receive (SQS default 30). */
  visibilityTimeoutSeconds: number;
  /** Where a message goes after `maxReceiveCount` failed receives. */
  deadLetter?: { queue: string; maxReceiveCount: number };
  /** How long a message is kept (SQS default 4 days; DLQs usually 14). */
  retentionSeconds: number;
}

/** An EventBridge event pattern (see the EventBridge user guide, "Event patterns"). */
export type EventPattern = Record<string, unknown>;

export interface RuleSpec {
  description: string;
  pattern: EventPattern;
  target: { queue: string };
}

export interface QueueTrigger {
  queue: string;
  /** Records per invocation (SQS event source mapping `BatchSize`). */
  batchSize: number;
}

/** A durable, partitioned, ordered stream (a Kinesis data stream). */
export interface StreamSpec {
  description: string;
  /** Shards; partition keys are hashed to shards by MD5, as Kinesis does. */
  shardCount: number;
  /** How long records are kept (Kinesis: 24 hours to 365 days). */
  retentionHours: number;
}

/** A stream consumer (a Kinesis event source mapping). */
export interface StreamTrigger {
  stream: string;
  /** Most records per invocation (`BatchSize`, at most 10,000). */
  batchSize: number;
  /** How long to gather records before invoking with a partial batch (`MaximumBatchingWindowInSeconds`). */
  batchingWindowSeconds: number;
  /** Where a new consumer starts: the oldest retained record, or only records that arrive later. */
  startingPosition: 'TRIM_HORIZON' | 'LATEST';
  /** Retries of a failing record (or batch) before it goes to `onFailure` and the shard moves on. */
  maximumRetryAttempts: number;
  /** On a function error, split the batch in two and retry each half (does not count as a retry). */
  bisectBatchOnFunctionError: boolean;
  /** Where records that exhausted their retries go, with their error (a DLQ). */
  onFailure: { queue: string };
}

export interface FunctionSpec {
  description: string;
  /** Handler module relative to the repository root (the Lambda entry on AWS). */
  entry: string;
  timeoutSeconds: number;
  memoryMb: number;
  trigger: QueueTrigger | StreamTrigger;
}

export function isStreamTrigger(trigger: QueueTrigger | StreamTrigger): trigger is StreamTrigger {
  return 'stream' in trigger;
}

export interface Topology {
  buckets: Record<string, BucketSpec>;
  queues: Record<string, QueueSpec>;
  streams: Record<string, StreamSpec>;
  rules: Record<string, RuleSpec>;
  functions: Record<string, FunctionSpec>;
}
