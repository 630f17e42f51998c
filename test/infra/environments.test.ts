import { App } from 'aws-cdk-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveEnvironment } from '../../infra/environment.js';
import { topology } from '../../src/topology.js';
import { namePrefix, resourcesOf, type Synthesized, synthesize } from './synthesize.js';

describe('environment from context', () => {
  const resolve = (context: Record<string, unknown>) => resolveEnvironment(new App({ context }).node);

  it('defaults to dev in eu-west-1', () => {
    expect(resolve({})).toMatchObject({
      name: 'dev',
      region: 'eu-west-1',
      prefix: 'tributary-dev',
      production: false,
    });
  });

  it('selects prod and the region from context', () => {
    expect(resolve({ env: 'prod', region: 'eu-central-1' })).toMatchObject({
      name: 'prod',
      region: 'eu-central-1',
      prefix: 'tributary-prod',
      production: true,
    });
  });

  it('refuses an unknown environment or a malformed region', () => {
    expect(() => resolve({ env: 'staging' })).toThrow(/Unknown environment "staging"/);
    expect(() => resolve({ region: 'Ireland' })).toThrow(/not an AWS region/);
  });
});

describe('prod', () => {
  let prod: Synthesized;
  beforeAll(() => {
    prod = synthesize({ env: 'prod', region: 'eu-central-1' });
  });
  afterAll(() => prod?.cleanup());

  it('deploys to the selected region of whichever account the credentials belong to', () => {
    const artifact = prod.assembly.getStackArtifact(prod.stateful.artifactId);
    expect(artifact.environment).toMatchObject({ account: 'unknown-account', region: 'eu-central-1' });
    expect(prod.stateful.stackName).toBe('tributary-prod-stateful');
    expect(prod.stateless.stackName).toBe('tributary-prod-stateless');
  });

  it('names every bucket tributary-prod-<name>-<account>-<region>', () => {
    for (const [, bucket] of resourcesOf(prod.statefulTemplate, 'AWS::S3::Bucket')) {
      const name = bucket.Properties.BucketName as { 'Fn::Join': [string, unknown[]] };
      expect(name['Fn::Join'][1]).toEqual([
        expect.stringMatching(/^tributary-prod-[a-z-]+-$/),
        { Ref: 'AWS::AccountId' },
        '-eu-central-1',
      ]);
    }
    for (const name of Object.keys(topology.buckets)) {
      expect(
        resourcesOf(prod.statefulTemplate, 'AWS::S3::Bucket').filter(
          ([, bucket]) => namePrefix(bucket.Properties.BucketName) === `tributary-prod-${name}-`,
        ),
      ).toHaveLength(1);
    }
  });

  it('retains buckets, tables, queues, streams, the key and the database secret, and never empties a bucket', () => {
    for (const type of [
      'AWS::S3::Bucket',
      'AWS::DynamoDB::Table',
      'AWS::SQS::Queue',
      'AWS::Kinesis::Stream',
      'AWS::KMS::Key',
      'AWS::SecretsManager::Secret',
    ]) {
      const resources = resourcesOf(prod.statefulTemplate, type);
      expect(resources.length, type).toBeGreaterThan(0);
      for (const [id, resource] of resources) {
        expect({ id, deletion: resource.DeletionPolicy, replace: resource.UpdateReplacePolicy }).toEqual({
          id,
          deletion: 'Retain',
          replace: 'Retain',
        });
      }
    }
    prod.statefulTemplate.resourceCountIs('Custom::S3AutoDeleteObjects', 0);
  });

  it('protects tables, the database and the stateful stack from deletion', () => {
    for (const [, table] of resourcesOf(prod.statefulTemplate, 'AWS::DynamoDB::Table')) {
      expect(table.Properties.DeletionProtectionEnabled).toBe(true);
    }
    const [, instance] = resourcesOf(prod.statefulTemplate, 'AWS::RDS::DBInstance')[0]!;
    expect(instance.Properties).toMatchObject({ DeletionProtection: true, MultiAZ: true });
    expect(instance.DeletionPolicy).toBe('Snapshot');
    expect(prod.assembly.getStackArtifact(prod.stateful.artifactId).terminationProtection).toBe(true);
  });

  it('sizes the database and the network for production', () => {
    prod.statefulTemplate.hasResourceProperties('AWS::RDS::DBInstance', { DBInstanceClass: 'db.t4g.medium' });
    prod.statefulTemplate.resourceCountIs('AWS::EC2::NatGateway', 2);
  });
});
