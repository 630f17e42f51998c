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

export interface FunctionSpec {
  description: string;
  /** Handler module relative to the repository root (the Lambda entry on AWS). */
  entry: string;
  timeoutSeconds: number;
  memoryMb: number;
  trigger: QueueTrigger;
}

export interface Topology {
  buckets: Record<string, BucketSpec>;
  queues: Record<string, QueueSpec>;
  rules: Record<string, RuleSpec>;
  functions: Record<string, FunctionSpec>;
}
