import { createDynamoStatementsRepository } from '../../adapters/aws/dynamo-statements-repository.js';
import { createEventBridgePublisher } from '../../adapters/aws/eventbridge-publisher.js';
import { createSqsDeadLetterSink } from '../../adapters/aws/sqs-dead-letters.js';
import { createStatementsIngestHandler } from '../../functions/statements-ingest.js';
import { documentClient, eventBridgeClient, sqsClient } from '../clients.js';
import { systemClock } from '../clock.js';
import { lambdaEnv } from '../env.js';
import { functionLogger, withSqsLogging } from '../lambda.js';
import { s3ObjectStore } from '../object-store.js';

/**
 * `statements-ingest` (queue statements-ingest, fed by the rule on S3 "Object Created" in bucket
 * transactions): parses the file, stores its transactions in DynamoDB and puts a
 * `StatementSummarized` event per changed account on the EventBridge bus. A message that is no
 * S3 event goes straight to the DLQ (`DEAD_LETTER_QUEUE_URL`) with its reason.
 */
const env = lambdaEnv(['STATEMENTS_TABLE', 'BUCKETS', 'EVENT_BUS_NAME', 'DEAD_LETTER_QUEUE_URL']);
const logger = functionLogger('statements-ingest');
const deadLetters = env.DEAD_LETTER_QUEUE_URL
  ? createSqsDeadLetterSink({ client: sqsClient(), queueUrl: env.DEAD_LETTER_QUEUE_URL })
  : undefined;

export const handler = withSqsLogging(
  logger,
  createStatementsIngestHandler({
    // S3 events name the physical bucket: the map lets the store recognise it.
    objects: s3ObjectStore(env.BUCKETS, ['transactions']),
    repository: createDynamoStatementsRepository({
      client: documentClient(),
      tableName: env.STATEMENTS_TABLE,
    }),
    bus: createEventBridgePublisher({ client: eventBridgeClient(), eventBusName: env.EVENT_BUS_NAME }),
    clock: systemClock,
    logger,
  }),
  { deadLetters },
);
