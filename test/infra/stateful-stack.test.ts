import { Match } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTableInput, TABLES } from '../../src/adapters/aws/tables.js';
import { topology } from '../../src/topology.js';
import type { QueueSpec } from '../../src/topology-types.js';
import { namePrefix, resourcesOf, type Synthesized, synthesize } from './synthesize.js';

let dev: Synthesized;
beforeAll(() => {
  dev = synthesize({ env: 'dev' });
});
afterAll(() => dev?.cleanup());

const queues: Readonly<Record<string, QueueSpec>> = topology.queues;

/**
 * The one resource of `type` whose physical name (`nameKey`) is `name`; for a bucket, whose name
 * ends with the account (a token), `name` is the literal part before it.
 */
function resourceNamed(type: string, nameKey: string, name: string) {
  const matches = resourcesOf(dev.statefulTemplate, type).filter(
    ([, resource]) => namePrefix(resource.Properties[nameKey]) === name,
  );
  expect(
    matches.map(([id]) => id),
    `${type} named ${name}`,
  ).toHaveLength(1);
  return matches[0]!;
}

function sslOnlyStatement(action: string) {
  return Match.objectLike({
    Effect: 'Deny',
    Action: action,
    Condition: { Bool: { 'aws:SecureTransport': 'false' } },
  });
}

describe('buckets', () => {
  it('creates one bucket per topology bucket, plus the access log bucket', () => {
    for (const name of Object.keys(topology.buckets)) {
      resourceNamed('AWS::S3::Bucket', 'BucketName', `tributary-dev-${name}-`);
    }
    expect(resourcesOf(dev.statefulTemplate, 'AWS::S3::Bucket')).toHaveLength(
      Object.keys(topology.buckets).length + 1,
    );
  });

  it('versions, encrypts, blocks public access, logs access and sends events to EventBridge', () => {
    const [logsId] = resourceNamed('AWS::S3::Bucket', 'BucketName', 'tributary-dev-access-logs-');
    for (const name of Object.keys(topology.buckets)) {
      const [, bucket] = resourceNamed('AWS::S3::Bucket', 'BucketName', `tributary-dev-${name}-`);
      expect(bucket.Properties).toMatchObject({
        VersioningConfiguration: { Status: 'Enabled' },
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
        },
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        },
        NotificationConfiguration: { EventBridgeConfiguration: { EventBridgeEnabled: true } },
        LoggingConfiguration: { DestinationBucketName: { Ref: logsId }, LogFilePrefix: `${name}/` },
      });
    }
  });

  it('denies every request without TLS, on every bucket', () => {
    for (const [id] of resourcesOf(dev.statefulTemplate, 'AWS::S3::Bucket')) {
      dev.statefulTemplate.hasResourceProperties('AWS::S3::BucketPolicy', {
        Bucket: { Ref: id },
        PolicyDocument: { Statement: Match.arrayWith([sslOnlyStatement('s3:*')]) },
      });
    }
  });

  it('expires old versions and abandoned uploads everywhere, and landing files by folder', () => {
    for (const name of Object.keys(topology.buckets)) {
      const [, bucket] = resourceNamed('AWS::S3::Bucket', 'BucketName', `tributary-dev-${name}-`);
      const rules = (bucket.Properties.LifecycleConfiguration as { Rules: Record<string, unknown>[] }).Rules;
      expect(rules).toContainEqual(
        expect.objectContaining({ AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 } }),
      );
      expect(rules).toContainEqual(
        expect.objectContaining({ NoncurrentVersionExpiration: expect.anything() }),
      );
      // Nothing outside the landing bucket's work folders ever expires.
      for (const rule of rules.filter((r) => 'ExpirationInDays' in r)) {
        expect(name).toBe('landing');
        expect(['processed/', 'failed/', 'unmatched/']).toContain(rule.Prefix);
      }
    }
    const [, landing] = resourceNamed('AWS::S3::Bucket', 'BucketName', 'tributary-dev-landing-');
    expect(landing.Properties.LifecycleConfiguration).toEqual({
      Rules: expect.arrayContaining([
        expect.objectContaining({ Prefix: 'processed/', ExpirationInDays: 365 }),
        expect.objectContaining({ Prefix: 'failed/', ExpirationInDays: 90 }),
        expect.objectContaining({ Prefix: 'unmatched/', ExpirationInDays: 90 }),
      ]),
    });
  });

  it('is destroyed with the dev stack, emptied first', () => {
    for (const [id, bucket] of resourcesOf(dev.statefulTemplate, 'AWS::S3::Bucket')) {
      expect(bucket.DeletionPolicy).toBe('Delete');
      dev.statefulTemplate.hasResourceProperties('Custom::S3AutoDeleteObjects', { BucketName: { Ref: id } });
    }
  });
});

describe('tables', () => {
  it('creates every table of tables.ts with the keys and indexes the emulator tests use', () => {
    expect(resourcesOf(dev.statefulTemplate, 'AWS::DynamoDB::Table')).toHaveLength(TABLES.length);
    for (const spec of TABLES) {
      const name = `tributary-dev-${spec.name}`;
      const [, table] = resourceNamed('AWS::DynamoDB::Table', 'TableName', name);
      const emulated = createTableInput(name);
      expect(table.Properties).toMatchObject({
        BillingMode: 'PAY_PER_REQUEST',
        KeySchema: emulated.KeySchema,
        GlobalSecondaryIndexes: emulated.GlobalSecondaryIndexes,
        SSESpecification: { SSEEnabled: true },
      });
      expect(table.Properties.AttributeDefinitions).toEqual(
        expect.arrayContaining(emulated.AttributeDefinitions),
      );
    }
  });

  it('turns on point-in-time recovery on every table', () => {
    for (const [, table] of resourcesOf(dev.statefulTemplate, 'AWS::DynamoDB::Table')) {
      expect(table.Properties.PointInTimeRecoverySpecification).toEqual({
        PointInTimeRecoveryEnabled: true,
      });
    }
  });

  it('expires orders by their ttl attribute, and nothing else', () => {
    for (const spec of TABLES) {
      const [, table] = resourceNamed('AWS::DynamoDB::Table', 'TableName', `tributary-dev-${spec.name}`);
      const expected = spec.ttlAttribute ? { AttributeName: spec.ttlAttribute, Enabled: true } : undefined;
      expect(table.Properties.TimeToLiveSpecification).toEqual(expected);
    }
    const [, orders] = resourceNamed('AWS::DynamoDB::Table', 'TableName', 'tributary-dev-orders');
    expect(orders.Properties.TimeToLiveSpecification).toEqual({ AttributeName: 'ttl', Enabled: true });
  });
});

describe('queues', () => {
  it('creates one queue per topology queue with its visibility timeout and retention', () => {
    expect(resourcesOf(dev.statefulTemplate, 'AWS::SQS::Queue')).toHaveLength(Object.keys(queues).length);
    for (const [name, spec] of Object.entries(queues)) {
      const [, queue] = resourceNamed('AWS::SQS::Queue', 'QueueName', `tributary-dev-${name}`);
      expect(queue.Properties).toMatchObject({
        VisibilityTimeout: spec.visibilityTimeoutSeconds,
        MessageRetentionPeriod: spec.retentionSeconds,
        SqsManagedSseEnabled: true,
      });
    }
  });

  it('redrives to the topology dead-letter queue after the topology receive count', () => {
    for (const [name, spec] of Object.entries(queues)) {
      const [, queue] = resourceNamed('AWS::SQS::Queue', 'QueueName', `tributary-dev-${name}`);
      if (!spec.deadLetter) {
        expect(queue.Properties.RedrivePolicy, name).toBeUndefined();
        continue;
      }
      const [dlqId] = resourceNamed('AWS::SQS::Queue', 'QueueName', `tributary-dev-${spec.deadLetter.queue}`);
      expect(queue.Properties.RedrivePolicy).toEqual({
        deadLetterTargetArn: { 'Fn::GetAtt': [dlqId, 'Arn'] },
        maxReceiveCount: spec.deadLetter.maxReceiveCount,
      });
    }
  });

  it('denies every request without TLS, on every queue', () => {
    for (const [id] of resourcesOf(dev.statefulTemplate, 'AWS::SQS::Queue')) {
      dev.statefulTemplate.hasResourceProperties('AWS::SQS::QueuePolicy', {
        Queues: [{ Ref: id }],
        PolicyDocument: { Statement: Match.arrayWith([sslOnlyStatement('sqs:*')]) },
      });
    }
  });
});

describe('streams', () => {
  it('creates one encrypted stream per topology stream with its shards and retention', () => {
    expect(resourcesOf(dev.statefulTemplate, 'AWS::Kinesis::Stream')).toHaveLength(
      Object.keys(topology.streams).length,
    );
    for (const [name, spec] of Object.entries(topology.streams)) {
      const [, stream] = resourceNamed('AWS::Kinesis::Stream', 'Name', `tributary-dev-${name}`);
      expect(stream.Properties).toMatchObject({
        ShardCount: spec.shardCount,
        RetentionPeriodHours: spec.retentionHours,
        StreamModeDetails: { StreamMode: 'PROVISIONED' },
        StreamEncryption: { EncryptionType: 'KMS', KeyId: 'alias/aws/kinesis' },
      });
    }
  });
});

describe('alerts topic', () => {
  it('is encrypted with a rotated key that CloudWatch alarms may use, and SSL-only', () => {
    const [keyId, key] = resourcesOf(dev.statefulTemplate, 'AWS::KMS::Key')[0]!;
    expect(key.Properties.EnableKeyRotation).toBe(true);
    expect(JSON.stringify(key.Properties.KeyPolicy)).toContain('cloudwatch.amazonaws.com');
    const [topicId] = resourceNamed('AWS::SNS::Topic', 'TopicName', 'tributary-dev-alerts');
    dev.statefulTemplate.hasResourceProperties('AWS::SNS::Topic', {
      TopicName: 'tributary-dev-alerts',
      KmsMasterKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] },
    });
    dev.statefulTemplate.hasResourceProperties('AWS::SNS::TopicPolicy', {
      Topics: [{ Ref: topicId }],
      PolicyDocument: { Statement: Match.arrayWith([sslOnlyStatement('sns:Publish')]) },
    });
  });
});

describe('stacks', () => {
  it('names everything tributary-dev and deploys the stateless stack after the stateful one', () => {
    expect(dev.stateful.stackName).toBe('tributary-dev-stateful');
    expect(dev.stateless.stackName).toBe('tributary-dev-stateless');
    const dependencies = dev.assembly.getStackArtifact(dev.stateless.artifactId).dependencies;
    expect(dependencies.map((artifact) => artifact.id)).toContain(dev.stateful.artifactId);
  });

  it('exposes every topology resource to the stateless stack by name', () => {
    expect(Object.keys(dev.stateful.buckets).sort()).toEqual(Object.keys(topology.buckets).sort());
    expect(Object.keys(dev.stateful.queues).sort()).toEqual(Object.keys(topology.queues).sort());
    expect(Object.keys(dev.stateful.streams).sort()).toEqual(Object.keys(topology.streams).sort());
    expect(Object.keys(dev.stateful.tables).sort()).toEqual(TABLES.map((spec) => spec.name).sort());
  });
});
