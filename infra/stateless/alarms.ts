import { Duration } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { Construct } from 'constructs';
import { isStreamTrigger, type QueueSpec, topology } from '../../src/topology.js';
import type { DeploymentEnvironment } from '../environment.js';
import type { StatefulStack } from '../stateful-stack.js';
import type { QueueName } from '../topology-resources.js';

/**
 * The dead-letter queues of the topology, each with what feeds it: every queue that is another
 * queue's `deadLetter` or a stream trigger's `onFailure`.
 */
export function deadLetterQueues(): Map<QueueName, string> {
  const dlqs = new Map<QueueName, string>();
  const queues: Readonly<Record<string, QueueSpec>> = topology.queues;
  for (const [name, spec] of Object.entries(queues)) {
    if (spec.deadLetter)
      dlqs.set(spec.deadLetter.queue as QueueName, `messages queue ${name} failed to deliver`);
  }
  for (const [name, spec] of Object.entries(topology.functions)) {
    const trigger = spec.trigger;
    if (isStreamTrigger(trigger)) {
      dlqs.set(trigger.onFailure.queue as QueueName, `stream records ${name} failed on after its retries`);
    }
  }
  return dlqs;
}

/**
 * One alarm per dead-letter queue: anything in it (ApproximateNumberOfMessagesVisible ≥ 1 over a
 * minute) means work that needs an operator, who hears of it on the alerts topic, and again when
 * the queue is empty. No data (a queue SQS stops reporting on while idle) is not an alarm.
 */
export class DeadLetterAlarms extends Construct {
  readonly byQueue: Map<QueueName, Alarm>;

  constructor(
    scope: Construct,
    id: string,
    props: { environment: DeploymentEnvironment; stateful: StatefulStack },
  ) {
    super(scope, id);
    const { environment, stateful } = props;
    const notify = new SnsAction(stateful.alertsTopic);
    this.byQueue = new Map();
    for (const [name, feeds] of deadLetterQueues()) {
      const queue = stateful.queues[name];
      if (!queue) throw new Error(`Dead-letter queue "${name}" is not in the stateful stack`);
      const alarm = new Alarm(this, name, {
        alarmName: `${environment.prefix}-${name}-not-empty`,
        alarmDescription: `Dead-letter queue ${name} holds ${feeds}: inspect and redrive them.`,
        metric: queue.metricApproximateNumberOfMessagesVisible({
          period: Duration.minutes(1),
          statistic: 'Maximum',
        }),
        threshold: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      });
      alarm.addAlarmAction(notify);
      alarm.addOkAction(notify);
      this.byQueue.set(name, alarm);
    }
  }
}
