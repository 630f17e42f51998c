import { Duration } from 'aws-cdk-lib';
import { Stream, StreamEncryption, StreamMode } from 'aws-cdk-lib/aws-kinesis';
import { Construct } from 'constructs';
import { topology } from '../../src/topology.js';
import type { DeploymentEnvironment } from '../environment.js';
import { mapEntries, type StreamName } from '../topology-resources.js';

/**
 * One provisioned Kinesis data stream per topology stream (shard count and retention from the
 * topology), encrypted with the AWS-managed `aws/kinesis` key: no key policy to maintain for
 * producers and consumers, and no per-request KMS charge of a customer key.
 */
export class TopologyStreams extends Construct {
  readonly byName: Record<StreamName, Stream>;

  constructor(scope: Construct, id: string, env: DeploymentEnvironment) {
    super(scope, id);
    this.byName = mapEntries(
      topology.streams,
      (name, spec) =>
        new Stream(this, name, {
          streamName: `${env.prefix}-${name}`,
          streamMode: StreamMode.PROVISIONED,
          shardCount: spec.shardCount,
          retentionPeriod: Duration.hours(spec.retentionHours),
          encryption: StreamEncryption.MANAGED,
          removalPolicy: env.removalPolicy,
        }),
    );
  }
}
