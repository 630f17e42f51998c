import type { WildcardAllowance } from './nag.js';

const either = (...words: string[]) => `(${words.join('|')})`;

/**
 * The IAM wildcards the stateless stack's roles may hold, each with why (see nag.ts). Anything
 * else with a `*` fails cdk-nag. Which resources each role reaches is asserted per function in
 * test/infra/stateless-iam.test.ts.
 */
export const WILDCARD_ALLOWANCES: readonly WildcardAllowance[] = [
  {
    finding: /^Resource::[^*]+\/index\/\*$/,
    actions: /^dynamodb:\w+$/,
    reason:
      "The table's global secondary indexes (gsi1, gsi2), which the repositories query: index ARNs are the " +
      "table's ARN followed by /index/<name>, and the grant covers the indexes of that one table only.",
  },
  {
    finding: /^Resource::[^*]+\/\*$/,
    actions: /^s3:\w+\*?$/,
    reason:
      'Objects of the one bucket this function uses: object ARNs are the bucket ARN followed by the key, ' +
      'and the keys are data (uploaded files, results), not known in advance.',
  },
  {
    finding: new RegExp(
      `^Action::s3:${either('GetObject', 'GetBucket', 'List', 'DeleteObject', 'Abort')}\\*$`,
    ),
    reason:
      "CDK's S3 grant (grantRead/grantPut/grantReadWrite) names action families (object versions, tags, " +
      'multipart aborts) on the one bucket granted, and on its objects only.',
  },
  {
    finding: /^Action::kms:GenerateDataKey\*$/,
    actions: /^kms:(Decrypt|GenerateDataKey\*)$/,
    reason:
      "Publishing to the KMS-encrypted alerts topic needs data keys of the topic's key (GenerateDataKey, " +
      'GenerateDataKeyWithoutPlaintext), on that one key only.',
  },
  {
    finding: /^Resource::\*$/,
    actions: new RegExp(`^ec2:${either('Create', 'Describe', 'Delete', 'Assign', 'Unassign')}\\w+$`),
    reason:
      'Lambda attaches a VPC function through network interfaces it creates in the subnets: the EC2 calls ' +
      'of the AWS-managed AWSLambdaVPCAccessExecutionRole, whose Describe calls take no resource ARN.',
  },
  {
    finding: /^Resource::\*$/,
    actions: new RegExp(
      `^logs:${either('CreateLogDelivery', 'DeleteLogDelivery', 'DescribeLogGroups', 'DescribeResourcePolicies', 'GetLogDelivery', 'ListLogDeliveries', 'PutResourcePolicy', 'UpdateLogDelivery')}$`,
    ),
    reason:
      'Step Functions delivers execution logs through CloudWatch Logs vended log deliveries, whose API has ' +
      'no resource-level permissions.',
  },
  {
    finding: /^Resource::\*$/,
    actions: new RegExp(
      `^xray:${either('GetSamplingRules', 'GetSamplingTargets', 'PutTelemetryRecords', 'PutTraceSegments')}$`,
    ),
    reason: 'X-Ray trace segments and sampling rules have no resource-level permissions.',
  },
];
