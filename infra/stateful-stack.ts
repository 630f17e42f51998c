import { Stack, type StackProps } from 'aws-cdk-lib';
import type { Table } from 'aws-cdk-lib/aws-dynamodb';
import type { SecurityGroup, Vpc } from 'aws-cdk-lib/aws-ec2';
import type { Stream } from 'aws-cdk-lib/aws-kinesis';
import type { Key } from 'aws-cdk-lib/aws-kms';
import type { DatabaseInstance } from 'aws-cdk-lib/aws-rds';
import type { Bucket } from 'aws-cdk-lib/aws-s3';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Topic } from 'aws-cdk-lib/aws-sns';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import type { DeploymentEnvironment } from './environment.js';
import { AlertsTopic } from './stateful/alerts.js';
import { TopologyBuckets } from './stateful/buckets.js';
import { LoaderDatabase } from './stateful/database.js';
import { TopologyQueues } from './stateful/queues.js';
import { TopologyStreams } from './stateful/streams.js';
import { PipelineTables } from './stateful/tables.js';
import type { BucketName, QueueName, StreamName, TableName } from './topology-resources.js';

export interface StatefulStackProps extends StackProps {
  environment: DeploymentEnvironment;
}

/**
 * Everything that holds data, built by iterating the topology (buckets, queues, streams) and the
 * table specs: adding an entry there adds its resource here. The stateless stack receives this
 * stack and reads the maps below by topology name.
 */
export class StatefulStack extends Stack {
  readonly deployment: DeploymentEnvironment;
  readonly buckets: Record<BucketName, Bucket>;
  readonly accessLogsBucket: Bucket;
  readonly tables: Record<TableName, Table>;
  readonly queues: Record<QueueName, Queue>;
  readonly streams: Record<StreamName, Stream>;
  readonly alertsTopic: Topic;
  readonly alertsKey: Key;
  readonly vpc: Vpc;
  readonly database: DatabaseInstance;
  readonly databaseSecret: ISecret;
  readonly databaseClientSecurityGroup: SecurityGroup;

  constructor(scope: Construct, id: string, props: StatefulStackProps) {
    super(scope, id, props);
    const env = props.environment;
    this.deployment = env;

    const buckets = new TopologyBuckets(this, 'Buckets', env);
    this.buckets = buckets.byName;
    this.accessLogsBucket = buckets.accessLogs;
    this.tables = new PipelineTables(this, 'Tables', env).byName;
    this.queues = new TopologyQueues(this, 'Queues', env).byName;
    this.streams = new TopologyStreams(this, 'Streams', env).byName;

    const alerts = new AlertsTopic(this, 'Alerts', env);
    this.alertsTopic = alerts.topic;
    this.alertsKey = alerts.key;

    const database = new LoaderDatabase(this, 'LoaderDatabase', env);
    this.vpc = database.vpc;
    this.database = database.instance;
    this.databaseSecret = database.secret;
    this.databaseClientSecurityGroup = database.clientSecurityGroup;
  }
}
