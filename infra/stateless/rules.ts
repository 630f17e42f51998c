import { Stack } from 'aws-cdk-lib';
import { CfnRule } from 'aws-cdk-lib/aws-events';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { type EventPattern, topology } from '../../src/topology.js';
import type { DeploymentEnvironment } from '../environment.js';
import type { StatefulStack } from '../stateful-stack.js';
import type { QueueName } from '../topology-resources.js';
import { DEFAULT_EVENT_BUS } from './function-environment.js';

/**
 * The topology's pattern as deployed: bucket names in `detail.bucket.name` become the physical
 * names (S3 events carry those); everything else is the topology's, as written.
 */
export function withPhysicalBucketNames(
  pattern: EventPattern,
  physicalName: (bucket: string) => string,
): EventPattern {
  const copy = structuredClone(pattern) as { detail?: { bucket?: { name?: unknown } } };
  const names = copy.detail?.bucket?.name;
  if (names === undefined) return copy;
  if (!Array.isArray(names) || names.some((name) => typeof name !== 'string')) {
    throw new Error(
      `detail.bucket.name must be a list of topology bucket names, got ${JSON.stringify(names)}`,
    );
  }
  copy.detail!.bucket!.name = names.map((name: string) => physicalName(name));
  return copy;
}

/**
 * One EventBridge rule per topology rule, on the default bus (where S3 sends "Object Created"
 * and the statements pipeline publishes), sending matching events to the rule's queue.
 *
 * The queue lives in the stateful stack, so its policy cannot name this stack's rule by
 * reference (the stacks would depend on each other). The rule's name is fixed instead, and the
 * queue's policy admits EventBridge only from the rule of that name, built from the stateful
 * stack's own account and region. The statement lands in the stateful stack's queue policy.
 */
export class TopologyRules extends Construct {
  readonly byName: Record<string, CfnRule>;

  constructor(
    scope: Construct,
    id: string,
    props: { environment: DeploymentEnvironment; stateful: StatefulStack },
  ) {
    super(scope, id);
    const { environment, stateful } = props;
    const bucketNames: Record<string, { bucketName: string }> = stateful.buckets;
    this.byName = {};
    for (const [name, spec] of Object.entries(topology.rules)) {
      const ruleName = `${environment.prefix}-${name}`;
      const queue = stateful.queues[spec.target.queue as QueueName];
      if (!queue) throw new Error(`Rule ${name} targets queue "${spec.target.queue}": no such queue`);
      const pattern = withPhysicalBucketNames(spec.pattern, (bucket) => {
        const physical = bucketNames[bucket];
        if (!physical) throw new Error(`Rule ${name} matches bucket "${bucket}": no such bucket`);
        return physical.bucketName;
      });
      this.byName[name] = new CfnRule(this, name, {
        name: ruleName,
        description: spec.description,
        eventBusName: DEFAULT_EVENT_BUS,
        eventPattern: pattern,
        state: 'ENABLED',
        targets: [{ id: spec.target.queue, arn: queue.queueArn }],
      });
      queue.addToResourcePolicy(
        new PolicyStatement({
          sid: `From${ruleName.replace(/[^A-Za-z0-9]/g, '')}`,
          principals: [new ServicePrincipal('events.amazonaws.com')],
          actions: ['sqs:SendMessage'],
          resources: [queue.queueArn],
          conditions: {
            ArnEquals: {
              'aws:SourceArn': Stack.of(queue).formatArn({
                service: 'events',
                resource: 'rule',
                resourceName: ruleName,
              }),
            },
          },
        }),
      );
    }
  }
}
