import { Duration } from 'aws-cdk-lib';
import { StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { KinesisEventSource, SqsDlq, SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { isQueueTrigger, isStreamTrigger, type QueueSpec, topology } from '../../src/topology.js';
import type { StatefulStack } from '../stateful-stack.js';
import type { FunctionName, QueueName, StreamName } from '../topology-resources.js';
import { topologyFunctions } from './function-access.js';

/**
 * The event source mappings of the queue and stream triggers. Both report partial batch
 * failures (the handlers return `batchItemFailures`), so one bad record is retried alone.
 *
 * - Queue: the topology's batch size (and batching window, if it has one). SQS retries and then
 *   redrives to the queue's DLQ; the queue must stay invisible for longer than the function runs.
 * - Stream: batch size, batching window, starting position, retries and bisection from the
 *   topology; one batch per shard at a time (parallelization 1) so each client's events keep
 *   their order; records that exhaust their retries go to the on-failure queue.
 *
 * State-machine tasks, API routes and the authorizer have no mapping: the state machine, the
 * HTTP API and its authorizer invoke them (workflows.ts, http-api.ts).
 */
export function addEventSources(
  functions: Record<FunctionName, NodejsFunction>,
  stateful: StatefulStack,
): void {
  const queues: Readonly<Record<string, QueueSpec>> = topology.queues;
  for (const [name, spec] of topologyFunctions()) {
    const fn = functions[name];
    const trigger = spec.trigger;
    if (isQueueTrigger(trigger)) {
      const queue = queues[trigger.queue];
      if (!queue) throw new Error(`Function ${name} is triggered by queue "${trigger.queue}": no such queue`);
      if (queue.visibilityTimeoutSeconds < spec.timeoutSeconds) {
        throw new Error(
          `Queue ${trigger.queue} hides a message for ${queue.visibilityTimeoutSeconds} s, less than ` +
            `function ${name} may run (${spec.timeoutSeconds} s): a message would be delivered twice at once`,
        );
      }
      const window = (trigger as { batchingWindowSeconds?: number }).batchingWindowSeconds;
      fn.addEventSource(
        new SqsEventSource(stateful.queues[trigger.queue as QueueName], {
          batchSize: trigger.batchSize,
          maxBatchingWindow: window === undefined ? undefined : Duration.seconds(window),
          reportBatchItemFailures: true,
        }),
      );
    } else if (isStreamTrigger(trigger)) {
      fn.addEventSource(
        new KinesisEventSource(stateful.streams[trigger.stream as StreamName], {
          batchSize: trigger.batchSize,
          maxBatchingWindow: Duration.seconds(trigger.batchingWindowSeconds),
          startingPosition: StartingPosition[trigger.startingPosition],
          retryAttempts: trigger.maximumRetryAttempts,
          bisectBatchOnError: trigger.bisectBatchOnFunctionError,
          onFailure: new SqsDlq(stateful.queues[trigger.onFailure.queue as QueueName]),
          reportBatchItemFailures: true,
          parallelizationFactor: 1,
        }),
      );
    }
  }
}
