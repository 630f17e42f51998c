import { join } from 'node:path';
import { Duration } from 'aws-cdk-lib';
import { EventBus } from 'aws-cdk-lib/aws-events';
import { PolicyDocument, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import type { IEmailIdentity } from 'aws-cdk-lib/aws-ses';
import { Construct } from 'constructs';
import { topology } from '../../src/topology.js';
import type { DeploymentEnvironment } from '../environment.js';
import { type FunctionName, mapEntries, type TableName } from '../topology-resources.js';
import { bundlingOptions, REPOSITORY_ROOT } from './bundling.js';
import { FUNCTION_ACCESS, type FunctionAccess, triggerDeadLetterQueue } from './function-access.js';
import { DEFAULT_EVENT_BUS, type EnvironmentSources, functionEnvironment } from './function-environment.js';

/**
 * What Lambda needs to attach a function to the VPC: the actions of the AWS-managed
 * AWSLambdaVPCAccessExecutionRole, written out so the role has no managed policy.
 */
export const NETWORK_INTERFACE_ACTIONS = [
  'ec2:CreateNetworkInterface',
  'ec2:DescribeNetworkInterfaces',
  'ec2:DescribeSubnets',
  'ec2:DeleteNetworkInterface',
  'ec2:AssignPrivateIpAddresses',
  'ec2:UnassignPrivateIpAddresses',
];

export interface TopologyFunctionsProps extends EnvironmentSources {
  environment: DeploymentEnvironment;
  mail: EnvironmentSources['mail'] & { identity: IEmailIdentity; configurationSetArn: string };
}

/**
 * One NodejsFunction per topology function: its entry, timeout and memory from the topology,
 * Node 22 on arm64, an ESM bundle (bundling.ts), its own log group with the environment's
 * retention, and its own role holding exactly what `FUNCTION_ACCESS` lists: writing to its log
 * group (no AWSLambdaBasicExecutionRole, whose logs:* reach every log group), the network
 * interfaces of the VPC for the database functions, and the grants on its tables, buckets,
 * stream, topic, bus, secrets, mail identity and dead-letter queue. Event sources add their own
 * grants (event-sources.ts).
 */
export class TopologyFunctions extends Construct {
  readonly byName: Record<FunctionName, NodejsFunction>;

  constructor(scope: Construct, id: string, props: TopologyFunctionsProps) {
    super(scope, id);
    const env = props.environment;
    this.byName = mapEntries(topology.functions, (name, spec) => {
      const access: FunctionAccess = FUNCTION_ACCESS[name];
      const functionName = `${env.prefix}-${name}`;
      const logGroup = new LogGroup(this, `${name}-logs`, {
        logGroupName: `/aws/lambda/${functionName}`,
        retention: env.logRetentionDays,
        removalPolicy: env.removalPolicy,
      });
      const inlinePolicies: Record<string, PolicyDocument> = {
        logs: new PolicyDocument({
          statements: [
            new PolicyStatement({
              actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
              resources: [logGroup.logGroupArn],
            }),
          ],
        }),
      };
      // Inline in the role, so the permission exists before Lambda creates the function's ENIs.
      if (access.database) {
        inlinePolicies.network = new PolicyDocument({
          statements: [new PolicyStatement({ actions: NETWORK_INTERFACE_ACTIONS, resources: ['*'] })],
        });
      }
      const role = new Role(this, `${name}-role`, {
        assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
        description: `Execution role of ${functionName}`,
        inlinePolicies,
      });
      const fn = new NodejsFunction(this, name, {
        functionName,
        description: spec.description,
        entry: join(REPOSITORY_ROOT, spec.entry),
        handler: 'handler',
        projectRoot: REPOSITORY_ROOT,
        depsLockFilePath: join(REPOSITORY_ROOT, 'package-lock.json'),
        runtime: Runtime.NODEJS_22_X,
        architecture: Architecture.ARM_64,
        timeout: Duration.seconds(spec.timeoutSeconds),
        memorySize: spec.memoryMb,
        role,
        logGroup,
        tracing: props.settings.tracing ? Tracing.ACTIVE : Tracing.DISABLED,
        environment: functionEnvironment(this, name, access, props),
        bundling: bundlingOptions(name, access.files),
        ...(access.database && {
          vpc: props.stateful.vpc,
          vpcSubnets: { subnetGroupName: 'functions' },
          securityGroups: [props.stateful.databaseClientSecurityGroup],
        }),
      });
      this.grant(name, fn, access, props);
      return fn;
    });
  }

  private grant(
    name: FunctionName,
    fn: NodejsFunction,
    access: FunctionAccess,
    props: TopologyFunctionsProps,
  ): void {
    const { stateful } = props;
    for (const [table, level] of Object.entries(access.tables ?? {}) as [TableName, 'read' | 'readWrite'][]) {
      if (level === 'read') stateful.tables[table].grantReadData(fn);
      else stateful.tables[table].grantReadWriteData(fn);
    }
    for (const [name, level] of Object.entries(access.buckets ?? {})) {
      const bucket = stateful.buckets[name as keyof typeof stateful.buckets];
      if (level === 'read') bucket.grantRead(fn);
      else if (level === 'put') bucket.grantPut(fn);
      else if (level === 'delete') bucket.grantDelete(fn);
      else bucket.grantReadWrite(fn);
    }
    for (const stream of access.streams ?? []) stateful.streams[stream].grantWrite(fn);
    if (access.eventBus) {
      const bus = EventBus.fromEventBusName(this, `${fn.node.id}-bus`, DEFAULT_EVENT_BUS);
      bus.grantPutEventsTo(fn);
    }
    if (access.alerts) stateful.alertsTopic.grantPublish(fn);
    if (access.mail) {
      props.mail.identity.grantSendEmail(fn);
      fn.addToRolePolicy(
        new PolicyStatement({
          actions: ['ses:SendEmail', 'ses:SendRawEmail'],
          resources: [props.mail.configurationSetArn],
        }),
      );
    }
    if (access.database) stateful.databaseSecret.grantRead(fn);
    if (access.adminToken) props.adminToken.grantRead(fn);
    if (access.deadLetters) {
      // SendMessage alone: grantSendMessages adds GetQueueAttributes and GetQueueUrl, unused here.
      // SSE-SQS needs no key permission.
      fn.addToRolePolicy(
        new PolicyStatement({
          actions: ['sqs:SendMessage'],
          resources: [stateful.queues[triggerDeadLetterQueue(name)].queueArn],
        }),
      );
    }
  }
}
