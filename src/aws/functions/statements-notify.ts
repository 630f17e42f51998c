import { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import type { SQSBatchResponse } from 'aws-lambda';
import { createDynamoStatementsRepository } from '../../adapters/aws/dynamo-statements-repository.js';
import { createDynamoSentLog, createSesMailer } from '../../adapters/aws/ses-mailer.js';
import { createSqsDeadLetterSink } from '../../adapters/aws/sqs-dead-letters.js';
import { TEMPLATES_BUCKET } from '../../core/statements/notify-statement.js';
import { createStatementsNotifyHandler } from '../../functions/statements-notify.js';
import type { Mailer, OutgoingEmail } from '../../ports/mailer.js';
import { documentClient, dynamoClient, sesClient, sqsClient } from '../clients.js';
import { systemClock } from '../clock.js';
import { lambdaEnv } from '../env.js';
import { functionLogger, once, withSqsLogging } from '../lambda.js';
import { s3ObjectStore } from '../object-store.js';
import { shippedStatementTemplate } from '../statement-template.js';

/**
 * `statements-notify` (queue statements-notify, fed by the rule on `StatementSummarized`): renders
 * the statement (template from bucket email-templates, else the shipped one) and sends it by SES.
 * A summary whose account has no email (or a message that is no such event) goes straight to the
 * DLQ (`DEAD_LETTER_QUEUE_URL`) with its reason.
 *
 * Idempotency, in two layers. The email id comes from the message (account and summary
 * fingerprint): the SES mailer's sent log (`EMAIL#<id>`) makes a repeat a no-op for good, but it
 * is written after SES accepted the mail, so two deliveries of one message at once (SQS is
 * at-least-once) could both send. Powertools idempotency closes that gap: the send is made
 * idempotent on the email id, with its records in the statements table
 * (`pk = IDEMPOTENCY#statements-notify`, `sk = send-email#<hash of the id>`), so a concurrent
 * duplicate finds the send in progress, fails its record, and is retried by SQS after the first
 * finished. A failed send deletes its record, so a retry sends. The records expire (logically,
 * attribute `expiration`) after an hour; the sent log stays.
 */
const env = lambdaEnv([
  'STATEMENTS_TABLE',
  'BUCKETS',
  'MAIL_FROM',
  'SES_CONFIGURATION_SET',
  'DEAD_LETTER_QUEUE_URL',
]);
const logger = functionLogger('statements-notify');
const deadLetters = env.DEAD_LETTER_QUEUE_URL
  ? createSqsDeadLetterSink({ client: sqsClient(), queueUrl: env.DEAD_LETTER_QUEUE_URL })
  : undefined;

// An email without an id must fail, not share one idempotency record with every other such email.
const idempotency = new IdempotencyConfig({
  eventKeyJmesPath: 'id',
  throwOnNoIdempotencyKey: true,
  expiresAfterSeconds: 3600,
});
const ses = createSesMailer({
  client: sesClient(),
  sent: createDynamoSentLog({ client: documentClient(), tableName: env.STATEMENTS_TABLE }),
  configurationSetName: env.SES_CONFIGURATION_SET,
  clock: systemClock,
});
const mailer: Mailer = {
  send: makeIdempotent((email: OutgoingEmail) => ses.send(email), {
    persistenceStore: new DynamoDBPersistenceLayer({
      tableName: env.STATEMENTS_TABLE,
      keyAttr: 'pk',
      sortKeyAttr: 'sk',
      staticPkValue: 'IDEMPOTENCY#statements-notify',
      awsSdkV3Client: dynamoClient(),
    }),
    config: idempotency,
    keyPrefix: 'send-email',
  }),
};
const objects = s3ObjectStore(env.BUCKETS, [TEMPLATES_BUCKET]);
const repository = createDynamoStatementsRepository({
  client: documentClient(),
  tableName: env.STATEMENTS_TABLE,
});

const notify = once(async () =>
  createStatementsNotifyHandler({
    objects,
    repository,
    mailer,
    clock: systemClock,
    defaultTemplate: await shippedStatementTemplate(),
    from: env.MAIL_FROM,
  }),
);

export const handler = withSqsLogging(
  logger,
  async (event, context): Promise<SQSBatchResponse | undefined> => {
    // A send in progress counts as abandoned once this invocation would have timed out.
    idempotency.registerLambdaContext(context);
    return (await notify())(event, context);
  },
  { deadLetters },
);
