import { createHash } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import {
  CreateQueueCommand,
  DeleteQueueCommand,
  type Message,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { SQSRecord } from 'aws-lambda';
import { interceptLocalhostDns } from 'fauxqs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createDynamoStatementsRepository } from '../../../src/adapters/aws/dynamo-statements-repository.js';
import { DEAD_LETTER_ATTRIBUTES } from '../../../src/adapters/aws/sqs-dead-letters.js';
import {
  clientConfig,
  createTable,
  type Emulator,
  startDynalite,
  startFauxqsEmulator,
  startSesLocal,
} from '../../support/aws-emulators.js';
import { busEvent, lambdaContext, sqsEvent, sqsRecord, stubLambdaEnv } from './lambda-events.js';

/**
 * A message that can never succeed goes straight to the DLQ of its queue (`DEAD_LETTER_QUEUE_URL`)
 * with its reason, as in the embedded fabric, and is acknowledged; one that may succeed later stays
 * in `batchItemFailures` for SQS to deliver again. statements-notify on dynalite, fauxqs (S3 and
 * the DLQ) and aws-ses-v2-local.
 */

let dynamo: Emulator;
let fauxqs: Emulator;
let ses: Emulator;
let documents: DynamoDBDocumentClient;
let sqs: SQSClient;
let s3: S3Client;
let tableName: string;
let dlqUrl: string;
let notify: typeof import('../../../src/aws/functions/statements-notify.js').handler;
let destroyAwsClients: () => void;
let restoreDns: (() => void) | undefined;

beforeAll(async () => {
  // fauxqs names its queues http://sqs.<region>.localhost:<port>/…, and an SQS client without an
  // explicit endpoint (as on Lambda) sends to the queue URL's host: that host must resolve here.
  restoreDns = interceptLocalhostDns();
  [dynamo, fauxqs, ses] = await Promise.all([startDynalite(), startFauxqsEmulator(), startSesLocal()]);
  tableName = await createTable(dynamo.endpoint, 'statements');
  documents = DynamoDBDocumentClient.from(new DynamoDBClient(clientConfig(dynamo.endpoint)));
  s3 = new S3Client(clientConfig(fauxqs.endpoint));
  await s3.send(new CreateBucketCommand({ Bucket: 'tributary-test-email-templates' }));
  sqs = new SQSClient(clientConfig(fauxqs.endpoint));
  dlqUrl =
    (await sqs.send(new CreateQueueCommand({ QueueName: 'tributary-test-statements-notify-dlq' })))
      .QueueUrl ?? '';
  const repository = createDynamoStatementsRepository({ client: documents, tableName });
  await repository.upsertAccount({ accountId: 'acct-ana', email: 'ana@example.com', name: 'Ana' });
  await repository.upsertAccount({ accountId: 'acct-busy', email: 'bo@example.com', name: 'Bo' });
  stubLambdaEnv({
    STATEMENTS_TABLE: tableName,
    BUCKETS: JSON.stringify({ 'email-templates': 'tributary-test-email-templates' }),
    MAIL_FROM: 'statements@example.com',
    DEAD_LETTER_QUEUE_URL: dlqUrl,
    AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
    AWS_ENDPOINT_URL_S3: fauxqs.endpoint,
    AWS_ENDPOINT_URL_SQS: new URL(dlqUrl).origin,
    AWS_ENDPOINT_URL_SESV2: ses.endpoint,
  });
  ({ handler: notify } = await import('../../../src/aws/functions/statements-notify.js'));
  ({ destroyAwsClients } = await import('../../../src/aws/clients.js'));
});

afterAll(async () => {
  vi.unstubAllEnvs();
  destroyAwsClients?.();
  documents?.destroy();
  s3?.destroy();
  sqs?.destroy();
  await Promise.all([dynamo?.stop(), fauxqs?.stop(), ses?.stop()]);
  restoreDns?.();
});

/** A `StatementSummarized` event for an account, as the rule's SQS target delivers it. */
function summarized(accountId: string, messageId: string, fingerprint = 'feedfacefeedface0000'): SQSRecord {
  const month = { month: '2024-07', name: 'July', count: 2, averageCredit: '35.25', averageDebit: '-15.38' };
  const detail = {
    accountId,
    fingerprint,
    summary: {
      accountId,
      balance: '39.74',
      transactionCount: 2,
      averageCredit: '35.25',
      averageDebit: '-15.38',
      months: [month],
    },
  };
  return sqsRecord(
    JSON.stringify(busEvent('tributary.statements', 'StatementSummarized', detail)),
    'tributary-test-statements-notify',
    messageId,
  );
}

/** Marks the statement email of an account as being sent by another invocation (Powertools' record). */
async function sendingElsewhere(accountId: string, fingerprint = 'feedfacefeedface0000') {
  const emailId = `statement-${accountId}-${fingerprint.slice(0, 16)}`;
  const hash = createHash('md5').update(JSON.stringify(emailId)).digest('base64');
  await documents.send(
    new PutCommand({
      TableName: tableName,
      Item: {
        pk: 'IDEMPOTENCY#statements-notify',
        sk: `send-email#${hash}`,
        status: 'INPROGRESS',
        expiration: Math.floor(Date.now() / 1000) + 3600,
        in_progress_expiration: Date.now() + 60_000,
      },
    }),
  );
}

async function deadLetters(): Promise<Message[]> {
  const { Messages = [] } = await sqs.send(
    new ReceiveMessageCommand({
      QueueUrl: dlqUrl,
      MaxNumberOfMessages: 10,
      MessageAttributeNames: ['All'],
      WaitTimeSeconds: 0,
    }),
  );
  return Messages;
}

const attributesOf = (message: Message | undefined) =>
  Object.fromEntries(
    Object.entries(message?.MessageAttributes ?? {}).map(([name, value]) => [name, value.StringValue]),
  );

describe('dead letters on AWS', () => {
  it('sends a message that cannot succeed to the DLQ with its reason, and keeps a retriable failure for SQS', async () => {
    await sendingElsewhere('acct-busy');
    const nobody = summarized('acct-nobody', 'n-nobody');
    const garbage = sqsRecord('not json', 'tributary-test-statements-notify', 'n-garbage');
    const batch = sqsEvent(
      summarized('acct-ana', 'n-ana'),
      nobody,
      summarized('acct-busy', 'n-busy'),
      garbage,
    );

    const response = await notify(batch, lambdaContext('statements-notify'));

    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: 'n-busy' }] });
    const letters = await deadLetters();
    expect(letters).toHaveLength(2);
    const byId = new Map(
      letters.map((letter) => [attributesOf(letter)[DEAD_LETTER_ATTRIBUTES.messageId], letter]),
    );
    expect([...byId.keys()].sort()).toEqual(['n-garbage', 'n-nobody']);
    expect(byId.get('n-nobody')?.Body).toBe(nobody.body);
    expect(attributesOf(byId.get('n-nobody'))).toEqual({
      [DEAD_LETTER_ATTRIBUTES.error]: expect.stringMatching(
        /^NonRetriableError: no email known for account "acct-nobody"/,
      ),
      [DEAD_LETTER_ATTRIBUTES.source]: nobody.eventSourceARN,
      [DEAD_LETTER_ATTRIBUTES.messageId]: 'n-nobody',
      [DEAD_LETTER_ATTRIBUTES.receiveCount]: '1',
    });
    expect(byId.get('n-garbage')?.Body).toBe('not json');
    expect(attributesOf(byId.get('n-garbage'))[DEAD_LETTER_ATTRIBUTES.error]).toMatch(
      /^NonRetriableError: message n-garbage is not JSON/,
    );
    const mail = (await (await fetch(`${ses.endpoint}/store`)).json()) as {
      emails: { destination: { to: string[] } }[];
    };
    expect(mail.emails.map((email) => email.destination.to.join())).toEqual([
      expect.stringContaining('ana@example.com'),
    ]);
  });

  it('keeps a message that cannot succeed in batchItemFailures when its DLQ does not take it', async () => {
    await sqs.send(new DeleteQueueCommand({ QueueUrl: dlqUrl }));

    const response = await notify(
      sqsEvent(summarized('acct-nobody', 'n-nobody-again')),
      lambdaContext('statements-notify'),
    );

    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: 'n-nobody-again' }] });
  });
});
