import type { SQSBatchResponse } from 'aws-lambda';
import { createSqsDeadLetterSink } from '../../adapters/aws/sqs-dead-letters.js';
import { createSqlLoaderRepository } from '../../adapters/sql/loader-repository.js';
import { createLoaderIngestHandler } from '../../functions/loader-ingest.js';
import { sqsClient } from '../clients.js';
import { systemClock } from '../clock.js';
import { lambdaEnv } from '../env.js';
import { functionLogger, once, withSqsLogging } from '../lambda.js';
import { s3ObjectStore } from '../object-store.js';
import { loaderDatabase } from '../rds.js';

/**
 * `loader-ingest` (queue loader, fed by the rule on S3 "Object Created" under stage/ in bucket
 * landing): routes the file by name, bulk-loads its rows into RDS PostgreSQL (COPY), keeps the
 * rejected rows, and moves the object. The database is opened (and migrated) on the first
 * message; if that fails the batch fails and SQS delivers it again. A message that is no S3 event
 * goes straight to the DLQ (`DEAD_LETTER_QUEUE_URL`) with its reason.
 */
const env = lambdaEnv(['BUCKETS', 'DB_SECRET_ARN', 'LOADER_RULES', 'DEAD_LETTER_QUEUE_URL']);
const logger = functionLogger('loader-ingest');
const deadLetters = env.DEAD_LETTER_QUEUE_URL
  ? createSqsDeadLetterSink({ client: sqsClient(), queueUrl: env.DEAD_LETTER_QUEUE_URL })
  : undefined;
const objects = s3ObjectStore(env.BUCKETS, ['landing']);

const ingest = once(async () =>
  createLoaderIngestHandler({
    objects,
    repository: createSqlLoaderRepository(await loaderDatabase(env.DB_SECRET_ARN)),
    rules: env.LOADER_RULES,
    clock: systemClock,
    logger,
  }),
);

export const handler = withSqsLogging(
  logger,
  async (event, context): Promise<SQSBatchResponse | undefined> => (await ingest())(event, context),
  { deadLetters },
);
