import { Duration, Validations } from 'aws-cdk-lib';
import { type DeadLetterQueue, Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { topology } from '../../src/topology.js';
import type { QueueSpec } from '../../src/topology-types.js';
import type { DeploymentEnvironment } from '../environment.js';
import { type QueueName, streamFailureDestinations } from '../topology-resources.js';

/**
 * One SQS queue per topology queue, with its visibility timeout and retention, and a redrive
 * policy to its dead-letter queue after `maxReceiveCount` receives. SSE-SQS encryption (an
 * EventBridge rule can target such a queue without a key policy) and an SSL-only queue policy.
 * Physical name `tributary-<env>-<name>`.
 */
export class TopologyQueues extends Construct {
  readonly byName: Record<QueueName, Queue>;

  constructor(scope: Construct, id: string, env: DeploymentEnvironment) {
    super(scope, id);
    const specs: Readonly<Record<string, QueueSpec>> = topology.queues;
    const created = new Map<string, Queue>();
    const failureDestinations = streamFailureDestinations();

    // Depth-first, so a dead-letter queue exists before the queue that redrives to it.
    const build = (name: string, path: readonly string[]): Queue => {
      const existing = created.get(name);
      if (existing) return existing;
      const spec = specs[name];
      if (!spec) throw new Error(`Queue "${path.at(-1)}" names dead-letter queue "${name}": no such queue`);
      if (path.includes(name)) throw new Error(`Dead-letter cycle: ${[...path, name].join(' -> ')}`);
      let deadLetterQueue: DeadLetterQueue | undefined;
      if (spec.deadLetter) {
        deadLetterQueue = {
          queue: build(spec.deadLetter.queue, [...path, name]),
          maxReceiveCount: spec.deadLetter.maxReceiveCount,
        };
      }
      const queue = new Queue(this, name, {
        queueName: `${env.prefix}-${name}`,
        visibilityTimeout: Duration.seconds(spec.visibilityTimeoutSeconds),
        retentionPeriod: Duration.seconds(spec.retentionSeconds),
        encryption: QueueEncryption.SQS_MANAGED,
        enforceSSL: true,
        deadLetterQueue,
        removalPolicy: env.removalPolicy,
      });
      const consumer = failureDestinations.get(name);
      if (consumer) {
        Validations.of(queue.node.defaultChild!).acknowledge({
          id: 'AwsSolutions::AwsSolutions-SQS3',
          reason:
            `A dead-letter queue: the on-failure destination of the ${consumer} stream event source ` +
            'mapping, which no SQS redrive policy points at.',
        });
      }
      created.set(name, queue);
      return queue;
    };

    for (const name of Object.keys(specs)) build(name, []);
    this.byName = Object.fromEntries(created) as Record<QueueName, Queue>;
  }
}
