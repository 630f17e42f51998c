/**
 * The Tributary CDK app: `npx cdk synth|deploy` runs this file (cdk.json), `npm run synth` builds
 * the same app in-process (scripts/synth.ts), and the tests in test/infra build it through
 * `buildApp`. What was chosen, and why:
 *
 * - Environments from context: `-c env=dev|prod` (default dev), `-c region=…` (default
 *   eu-west-1). Every physical name starts with `tributary-<env>`; what differs between the two
 *   is in infra/environment.ts. No account is set: the stacks deploy to the credentials' account
 *   and synth needs none (no lookups anywhere: AZs resolve at deploy time with Fn::GetAZs).
 * - Two stacks. `Stateful` (tributary-<env>-stateful) holds the data and is built by iterating
 *   the topology and the table specs, so a new topology bucket, queue or stream gets its resource
 *   without touching infra/. `Stateless` (tributary-<env>-stateless) receives the stateful stack
 *   and holds the functions, event sources, rules, workflows, schedules, the HTTP API and its
 *   authorizer, SES and the DLQ alarms (infra/stateless/).
 * - Buckets: SSE-S3, public access blocked, SSL only, versioned, EventBridge notifications (set
 *   on the bucket, no custom resource), server access logs to one log bucket, per-bucket
 *   lifecycle rules (infra/stateful/buckets.ts). Named `tributary-<env>-<name>-<account>-<region>`
 *   (S3 names are global).
 * - Tables: on-demand, PITR, AWS-managed KMS encryption, TTL `ttl` on orders. Queues: SSE-SQS,
 *   SSL only, redrive from the topology. Kinesis: provisioned shards, `aws/kinesis` encryption.
 *   Alerts topic: customer-managed KMS key (CloudWatch and EventBridge may use it), SSL only.
 * - Loader database: RDS PostgreSQL 17 in isolated subnets of a two-AZ VPC (NAT for the function
 *   subnets, S3 gateway endpoint, flow logs), generated credentials in Secrets Manager rotated
 *   every 30 days, IAM authentication, encrypted storage, automated backups, reachable only from
 *   the database-clients security group.
 * - dev: DESTROY everywhere (buckets emptied by autoDeleteObjects), single-AZ t4g.micro, one NAT.
 *   prod: RETAIN (the database: SNAPSHOT), deletion protection, termination protection on the
 *   stateful stack, multi-AZ t4g.medium, a NAT per AZ.
 * - cdk-nag AwsSolutions runs as a validation plugin on every synth: an unacknowledged finding
 *   fails it. Acknowledgements are on the one resource concerned, with their reason, in the
 *   `AwsSolutions::<rule>` form so the synth's validation-report.json lists each one with its
 *   reason.
 */
import { buildApp } from './tributary-app.js';

buildApp().app.synth();
