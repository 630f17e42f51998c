import { Aws, Duration } from 'aws-cdk-lib';
import {
  BlockPublicAccess,
  Bucket,
  BucketEncryption,
  type CfnBucket,
  type LifecycleRule,
  ObjectOwnership,
  StorageClass,
} from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { topology } from '../../src/topology.js';
import type { DeploymentEnvironment } from '../environment.js';
import { type BucketName, mapEntries } from '../topology-resources.js';

/** Rules every bucket gets: old versions and abandoned multipart uploads do not pile up. */
const BASE_RULES: LifecycleRule[] = [
  { id: 'abort-incomplete-uploads', abortIncompleteMultipartUploadAfter: Duration.days(7) },
  { id: 'expire-old-versions', noncurrentVersionExpiration: Duration.days(30) },
];

/**
 * Retention beyond the base rules, per bucket. A topology bucket missing here gets the base
 * rules only, which never expire a current object: keeping data is the safe default.
 */
const RETENTION: Partial<Record<BucketName, LifecycleRule[]>> = {
  // The uploaded files are the statements' record ("the file itself is never lost"): never
  // expired, moved to a cheaper class once the month is summarized.
  transactions: [
    {
      id: 'infrequent-access-after-30-days',
      transitions: [{ storageClass: StorageClass.INFREQUENT_ACCESS, transitionAfter: Duration.days(30) }],
    },
  ],
  // Tiny files whose history tells which template an email was rendered with.
  'email-templates': [{ id: 'keep-template-history', noncurrentVersionExpiration: Duration.days(365) }],
  landing: [
    // Loaded rows live in PostgreSQL with their source file and row number: after a year the
    // processed file is only an audit copy.
    {
      id: 'processed-infrequent-access-then-expire',
      prefix: 'processed/',
      transitions: [{ storageClass: StorageClass.INFREQUENT_ACCESS, transitionAfter: Duration.days(30) }],
      expiration: Duration.days(365),
    },
    // Failed and unmatched files wait for an operator (with their error report beside them).
    { id: 'failed-expire', prefix: 'failed/', expiration: Duration.days(90) },
    { id: 'unmatched-expire', prefix: 'unmatched/', expiration: Duration.days(90) },
  ],
};

/** S3 bucket names: at most 63 characters, lower case, made unique by account and region. */
function bucketName(env: DeploymentEnvironment, name: string): string {
  const longest = `${env.prefix}-${name}-123456789012-${env.region}`;
  if (longest.length > 63 || !/^[a-z0-9-]+$/.test(name)) {
    throw new Error(`Bucket name "${longest}" is not a valid S3 bucket name (63 characters at most)`);
  }
  return `${env.prefix}-${name}-${Aws.ACCOUNT_ID}-${env.region}`;
}

/**
 * One bucket per topology bucket, plus the bucket receiving their server access logs. Every
 * bucket: SSE-S3 encryption, all public access blocked, SSL-only policy, versioning (except the
 * log bucket, which only S3 writes to), EventBridge notifications on (the bus rules of the
 * topology match "Object Created" events), and the retention rules above.
 */
export class TopologyBuckets extends Construct {
  readonly byName: Record<BucketName, Bucket>;
  readonly accessLogs: Bucket;

  constructor(scope: Construct, id: string, env: DeploymentEnvironment) {
    super(scope, id);
    const destroy = !env.production;

    this.accessLogs = new Bucket(this, 'access-logs', {
      bucketName: bucketName(env, 'access-logs'),
      // Server access log delivery supports SSE-S3 only.
      encryption: BucketEncryption.S3_MANAGED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      lifecycleRules: [
        { id: 'expire-access-logs', expiration: env.accessLogRetention },
        { id: 'abort-incomplete-uploads', abortIncompleteMultipartUploadAfter: Duration.days(7) },
      ],
      removalPolicy: env.removalPolicy,
      autoDeleteObjects: destroy,
    });

    this.byName = mapEntries(topology.buckets, (name) => {
      const bucket = new Bucket(this, name, {
        bucketName: bucketName(env, name),
        encryption: BucketEncryption.S3_MANAGED,
        blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
        objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
        enforceSSL: true,
        versioned: true,
        serverAccessLogsBucket: this.accessLogs,
        serverAccessLogsPrefix: `${name}/`,
        lifecycleRules: [...BASE_RULES, ...(RETENTION[name] ?? [])],
        removalPolicy: env.removalPolicy,
        autoDeleteObjects: destroy,
      });
      // EventBridge delivery set on the bucket itself: `eventBridgeEnabled: true` would do it
      // through a custom-resource Lambda (and its wildcard IAM policy) for the same result.
      const cfnBucket = bucket.node.defaultChild as CfnBucket;
      cfnBucket.notificationConfiguration = { eventBridgeConfiguration: { eventBridgeEnabled: true } };
      return bucket;
    });
  }
}
