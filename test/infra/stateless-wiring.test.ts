import { Match } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type EventPattern,
  isQueueTrigger,
  isStreamTrigger,
  type QueueSpec,
  type StreamTrigger,
  topology,
} from '../../src/topology.js';
import { arnOf, imported, lambdaOf, logicalIdOf, synthesizeWithoutBundling } from './stateless-support.js';
import { resourcesOf, type Synthesized } from './synthesize.js';

let dev: Synthesized;
beforeAll(() => {
  dev = synthesizeWithoutBundling({ env: 'dev' });
});
afterAll(() => dev?.cleanup());

const queueArn = (app: Synthesized, queue: string) =>
  imported(app, app.stateful.queues[queue as keyof typeof app.stateful.queues].queueArn);

function mappingsOf(app: Synthesized, name: string) {
  const [fnId] = lambdaOf(app, name);
  return resourcesOf(app.statelessTemplate, 'AWS::Lambda::EventSourceMapping').filter(
    ([, mapping]) => (mapping.Properties.FunctionName as { Ref: string }).Ref === fnId,
  );
}

describe('event sources', () => {
  it('consumes each trigger queue with the topology batch size, reporting partial failures', () => {
    for (const [name, spec] of Object.entries(topology.functions)) {
      if (!isQueueTrigger(spec.trigger)) continue;
      const mappings = mappingsOf(dev, name);
      expect(mappings, name).toHaveLength(1);
      expect(mappings[0]![1].Properties).toMatchObject({
        EventSourceArn: queueArn(dev, spec.trigger.queue),
        BatchSize: spec.trigger.batchSize,
        FunctionResponseTypes: ['ReportBatchItemFailures'],
      });
    }
  });

  it('reads each trigger stream as the topology says, one batch per shard, failures to the DLQ', () => {
    for (const [name, spec] of Object.entries(topology.functions)) {
      if (!isStreamTrigger(spec.trigger)) continue;
      const trigger: StreamTrigger = spec.trigger;
      const mappings = mappingsOf(dev, name);
      expect(mappings, name).toHaveLength(1);
      expect(mappings[0]![1].Properties).toMatchObject({
        EventSourceArn: imported(dev, dev.stateful.streams.events.streamArn),
        BatchSize: trigger.batchSize,
        MaximumBatchingWindowInSeconds: trigger.batchingWindowSeconds,
        StartingPosition: trigger.startingPosition,
        MaximumRetryAttempts: trigger.maximumRetryAttempts,
        BisectBatchOnFunctionError: trigger.bisectBatchOnFunctionError,
        ParallelizationFactor: 1,
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        DestinationConfig: { OnFailure: { Destination: queueArn(dev, trigger.onFailure.queue) } },
      });
    }
  });

  it('maps nothing to state-machine tasks, API functions or the authorizer', () => {
    let triggered = 0;
    for (const [name, spec] of Object.entries(topology.functions)) {
      const mapped = isQueueTrigger(spec.trigger) || isStreamTrigger(spec.trigger);
      if (mapped) triggered += 1;
      else expect(mappingsOf(dev, name), name).toEqual([]);
    }
    expect(resourcesOf(dev.statelessTemplate, 'AWS::Lambda::EventSourceMapping')).toHaveLength(triggered);
  });
});

describe('rules', () => {
  /** The topology's pattern with each `detail.bucket.name` entry replaced by that bucket's physical name. */
  function expectedPattern(pattern: EventPattern): unknown {
    const expected = structuredClone(pattern) as { detail?: { bucket?: { name?: string[] } } };
    const bucket = expected.detail?.bucket;
    if (bucket?.name) {
      bucket.name = bucket.name.map((name) =>
        imported(dev, dev.stateful.buckets[name as keyof typeof dev.stateful.buckets].bucketName),
      ) as string[];
    }
    return expected;
  }

  it('has one rule per topology rule on the default bus, with the topology pattern, to its queue', () => {
    const rules = resourcesOf(dev.statelessTemplate, 'AWS::Events::Rule');
    expect(rules).toHaveLength(Object.keys(topology.rules).length);
    for (const [name, spec] of Object.entries(topology.rules)) {
      const matching = rules.filter(([, rule]) => rule.Properties.Name === `tributary-dev-${name}`);
      expect(matching, name).toHaveLength(1);
      const { Tags: _tags, ...rule } = matching[0]![1].Properties;
      expect(rule).toEqual({
        Name: `tributary-dev-${name}`,
        Description: spec.description,
        EventBusName: 'default',
        EventPattern: expectedPattern(spec.pattern),
        State: 'ENABLED',
        Targets: [{ Id: spec.target.queue, Arn: queueArn(dev, spec.target.queue) }],
      });
    }
  });

  it('lets each target queue receive from EventBridge only for the rule of that name', () => {
    for (const [name, spec] of Object.entries(topology.rules)) {
      const queue = dev.stateful.queues[spec.target.queue as keyof typeof dev.stateful.queues];
      const queueId = logicalIdOf(queue);
      dev.statefulTemplate.hasResourceProperties('AWS::SQS::QueuePolicy', {
        Queues: [{ Ref: queueId }],
        PolicyDocument: {
          Statement: Match.arrayWith([
            {
              Sid: Match.anyValue(),
              Effect: 'Allow',
              Principal: { Service: 'events.amazonaws.com' },
              Action: 'sqs:SendMessage',
              Resource: arnOf(queueId),
              Condition: {
                ArnEquals: {
                  'aws:SourceArn': {
                    'Fn::Join': [
                      '',
                      ['arn:aws:events:eu-west-1:', { Ref: 'AWS::AccountId' }, `:rule/tributary-dev-${name}`],
                    ],
                  },
                },
              },
            },
          ]),
        },
      });
    }
  });
});

describe('dead-letter alarms', () => {
  const queues: Readonly<Record<string, QueueSpec>> = topology.queues;
  const deadLetters = new Set([
    ...Object.values(queues).flatMap((spec) => (spec.deadLetter ? [spec.deadLetter.queue] : [])),
    ...Object.values(topology.functions).flatMap((spec) =>
      isStreamTrigger(spec.trigger) ? [spec.trigger.onFailure.queue] : [],
    ),
  ]);

  it('alarms on any message visible in each DLQ, to the alerts topic', () => {
    const topic = imported(dev, dev.stateful.alertsTopic.topicArn);
    expect(resourcesOf(dev.statelessTemplate, 'AWS::CloudWatch::Alarm')).toHaveLength(deadLetters.size);
    for (const queue of deadLetters) {
      dev.statelessTemplate.hasResourceProperties('AWS::CloudWatch::Alarm', {
        AlarmName: `tributary-dev-${queue}-not-empty`,
        Namespace: 'AWS/SQS',
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Dimensions: [
          {
            Name: 'QueueName',
            Value: imported(dev, dev.stateful.queues[queue as keyof typeof dev.stateful.queues].queueName),
          },
        ],
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        Threshold: 1,
        EvaluationPeriods: 1,
        AlarmActions: [topic],
        OKActions: [topic],
      });
    }
  });
});
