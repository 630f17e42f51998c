import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { S3Client } from '@aws-sdk/client-s3';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { NodeHttpHandler } from '@smithy/node-http-handler';

/**
 * The AWS SDK clients of a Lambda container, each created on first use and then kept: one
 * connection pool per service for every invocation the container serves. One function per
 * service, so a bundle carries only the SDK clients its function calls for.
 *
 * Region, credentials and endpoints come from the SDK's own configuration chain: `AWS_REGION`
 * and the execution role on Lambda; the standard `AWS_ENDPOINT_URL_<SERVICE>` variables
 * (`AWS_ENDPOINT_URL_DYNAMODB`, `…_S3`, `…_KINESIS`, `…_EVENTBRIDGE`, `…_SESV2`, `…_SNS`,
 * `…_SQS`, `…_SECRETS_MANAGER`) point a client at an emulator, which is how the handler tests run.
 */

/** The node HTTP handler: kinesalite needs it (the default answers "Protocol error"); fine on AWS. */
const requestHandler = () => new NodeHttpHandler({ connectionTimeout: 3_000, requestTimeout: 60_000 });

/** The clients created so far, by service. */
const created = new Map<string, { destroy(): void }>();

function kept<T extends { destroy(): void }>(service: string, create: () => T): T {
  let client = created.get(service) as T | undefined;
  if (!client) {
    client = create();
    created.set(service, client);
  }
  return client;
}

export function dynamoClient(): DynamoDBClient {
  return kept('dynamodb', () => new DynamoDBClient({ requestHandler: requestHandler() }));
}

/** The DynamoDB document client the repositories take (default marshalling, as in their tests). */
export function documentClient(): DynamoDBDocumentClient {
  return kept('dynamodb-documents', () => DynamoDBDocumentClient.from(dynamoClient()));
}

/**
 * S3 addresses buckets by virtual host on AWS; an emulator on 127.0.0.1 has no such hosts, so a
 * configured S3 endpoint means path-style requests.
 */
export function s3Client(): S3Client {
  const pathStyle = Boolean(process.env.AWS_ENDPOINT_URL_S3 || process.env.AWS_ENDPOINT_URL);
  return kept('s3', () => new S3Client({ requestHandler: requestHandler(), forcePathStyle: pathStyle }));
}

export function kinesisClient(): KinesisClient {
  return kept('kinesis', () => new KinesisClient({ requestHandler: requestHandler() }));
}

export function eventBridgeClient(): EventBridgeClient {
  return kept('eventbridge', () => new EventBridgeClient({ requestHandler: requestHandler() }));
}

export function sesClient(): SESv2Client {
  return kept('sesv2', () => new SESv2Client({ requestHandler: requestHandler() }));
}

export function snsClient(): SNSClient {
  return kept('sns', () => new SNSClient({ requestHandler: requestHandler() }));
}

export function sqsClient(): SQSClient {
  return kept('sqs', () => new SQSClient({ requestHandler: requestHandler() }));
}

export function secretsManagerClient(): SecretsManagerClient {
  return kept('secrets-manager', () => new SecretsManagerClient({ requestHandler: requestHandler() }));
}

/**
 * Closes every client created so far, for a test's teardown before it stops its emulators. Lambda
 * never needs this: the container freezes with its connections open.
 */
export function destroyAwsClients(): void {
  for (const client of created.values()) client.destroy();
  created.clear();
}
