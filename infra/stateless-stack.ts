import { Stack, type StackProps, Validations } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { DeploymentEnvironment } from './environment.js';
import type { StatefulStack } from './stateful-stack.js';

export interface StatelessStackProps extends StackProps {
  environment: DeploymentEnvironment;
  /** Buckets, tables, queues, streams, alerts topic and database, by topology name. */
  stateful: StatefulStack;
}

/**
 * Functions and their wiring, which can be replaced at will because they hold no data: one
 * NodejsFunction per topology function (entry points in `src/aws/functions/`), their event
 * sources, the bus rules, the state machines, the schedules and the HTTP API.
 *
 * Phase 1 (now): the skeleton, deployed after the stateful stack. Phase 2 fills it in once the
 * Lambda entry points exist.
 */
export class StatelessStack extends Stack {
  readonly deployment: DeploymentEnvironment;
  readonly stateful: StatefulStack;

  constructor(scope: Construct, id: string, props: StatelessStackProps) {
    super(scope, id, props);
    this.deployment = props.environment;
    this.stateful = props.stateful;
    this.addStackDependency(props.stateful, 'functions read and write the stateful resources');
    // Until phase 2 the stack is empty: the CLI skips deploying a stack without resources.
    Validations.of(this).acknowledge({
      id: 'CloudFormation-Validate::F0001',
      reason: 'Skeleton: its resources arrive with the Lambda entry points; the CLI skips an empty stack.',
    });
  }
}
