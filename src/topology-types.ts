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

/** A function that a state machine's Task states invoke (no event source of its own). */
export interface StateMachineTaskTrigger {
  stateMachine: string;
}

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/**
 * An HTTP API route in API Gateway syntax, `METHOD /path/{param}`: for example
 * `GET /orders/{record_id}`. Locally the one Hono app serves it (as `/orders/:record_id`).
 */
export type ApiRoute = `${HttpMethod} /${string}`;

/**
 * A function behind the HTTP API: API Gateway routes these requests to it on AWS, after the
 * `authorizer` function let them in; locally the server serves every route in one process.
 */
export interface ApiTrigger {
  api: true;
  routes: readonly ApiRoute[];
}

/** The HTTP API's Lambda authorizer (simple responses): it decides on the bearer token. */
export interface AuthorizerTrigger {
  authorizer: true;
}

/** Amazon States Language definition, as JSON. */
export type AslDefinition = Record<string, unknown>;

/**
 * A Step Functions state machine. The definition is built by one TS module and is the same
 * locally and on AWS: only the Task resources differ, so it is a function of them.
 */
export interface StateMachineSpec {
  description: string;
  /** Builds the ASL; `resourceFor` gives a Task state's `Resource` for a function of the topology. */
  definition: (resourceFor: (functionName: string) => string) => AslDefinition;
}

/** An EventBridge Scheduler schedule that starts a state machine execution. */
export interface ScheduleSpec {
  description: string;
  /** `rate(1 hour)` or `cron(0 * * * ? *)`, in UTC; overridable by configuration. */
  expression: string;
  target: { stateMachine: string; input?: Record<string, unknown> };
}

export interface FunctionSpec {
  description: string;
  /** Handler module relative to the repository root (the Lambda entry on AWS). */
  entry: string;
  timeoutSeconds: number;
  memoryMb: number;
  trigger: FunctionTrigger;
}

export type FunctionTrigger =
  | QueueTrigger
  | StreamTrigger
  | StateMachineTaskTrigger
  | ApiTrigger
  | AuthorizerTrigger;

export function isStreamTrigger(trigger: FunctionTrigger): trigger is StreamTrigger {
  return 'stream' in trigger;
}

export function isQueueTrigger(trigger: FunctionTrigger): trigger is QueueTrigger {
  return 'queue' in trigger;
}

export function isStateMachineTaskTrigger(trigger: FunctionTrigger): trigger is StateMachineTaskTrigger {
  return 'stateMachine' in trigger;
}

export function isApiTrigger(trigger: FunctionTrigger): trigger is ApiTrigger {
  return 'api' in trigger;
}

export function isAuthorizerTrigger(trigger: FunctionTrigger): trigger is AuthorizerTrigger {
  return 'authorizer' in trigger;
}

export interface Topology {
  buckets: Record<string, BucketSpec>;
  queues: Record<string, QueueSpec>;
  streams: Record<string, StreamSpec>;
  stateMachines: Record<string, StateMachineSpec>;
  schedules: Record<string, ScheduleSpec>;
  rules: Record<string, RuleSpec>;
  functions: Record<string, FunctionSpec>;
}
