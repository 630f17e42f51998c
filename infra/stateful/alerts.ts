import { Duration } from 'aws-cdk-lib';
import { ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import type { DeploymentEnvironment } from '../environment.js';

/**
 * The SNS topic operators subscribe to: CloudWatch alarms (one per DLQ) and rejected-order alerts
 * land here. Encrypted with a customer-managed key (rotated yearly) because the AWS-managed
 * `aws/sns` key cannot be granted to CloudWatch or EventBridge, which must publish to it; SSL
 * required by the topic policy.
 */
export class AlertsTopic extends Construct {
  readonly topic: Topic;
  readonly key: Key;

  constructor(scope: Construct, id: string, env: DeploymentEnvironment) {
    super(scope, id);
    this.key = new Key(this, 'Key', {
      alias: `alias/${env.prefix}-alerts`,
      description: `Encrypts the ${env.prefix}-alerts SNS topic`,
      enableKeyRotation: true,
      removalPolicy: env.removalPolicy,
      pendingWindow: Duration.days(env.production ? 30 : 7),
    });
    for (const service of ['cloudwatch.amazonaws.com', 'events.amazonaws.com']) {
      this.key.grant(new ServicePrincipal(service), 'kms:Decrypt', 'kms:GenerateDataKey*');
    }
    this.topic = new Topic(this, 'Topic', {
      topicName: `${env.prefix}-alerts`,
      displayName: `Tributary ${env.name} alerts`,
      masterKey: this.key,
      enforceSSL: true,
    });
  }
}
