import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { DeleteCommand, DynamoDBDocumentClient, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createDynamoStatementsRepository } from '../../../src/adapters/aws/dynamo-statements-repository.js';
import { summarizeAccount } from '../../../src/core/statements/summarize-account.js';
import { batchFailureReasons } from '../../../src/functions/sqs-batch.js';
import type { StatementsRepository } from '../../../src/ports/statements-repository.js';
import {
  clientConfig,
  createTable,
  type Emulator,
  startDynalite,
  startFauxqsEmulator,
  startSesLocal,
} from '../../support/aws-emulators.js';
import {
  busEvent,
  lambdaContext,
  objectCreated,
  sqsEvent,
  sqsRecord,
  startJsonServiceStandIn,
  stubLambdaEnv,
} from './lambda-events.js';

const challengeSample = new URL(
  '../../../../shared/datasets/statements/challenge-sample.csv',
  import.meta.url,
);
const BUCKETS = {
  transactions: 'tributary-test-transactions',
  'email-templates': 'tributary-test-email-templates',
};
const BUS = 'tributary-test';

let dynamo: Emulator;
let fauxqs: Emulator;
let ses: Emulator;
let bus: Awaited<ReturnType<typeof startJsonServiceStandIn>>;
let documents: DynamoDBDocumentClient;
let s3: S3Client;
let tableName: string;
let repository: StatementsRepository;
let ingest: typeof import('../../../src/aws/functions/statements-ingest.js').handler;
let notify: typeof import('../../../src/aws/functions/statements-notify.js').handler;
let destroyAwsClients: () => void;

/** Entries of every PutEvents call the functions made, as EventBridge received them. */
const putEntries = () =>
  bus.calls.flatMap(
    ({ input }) =>
      input.Entries as { Source: string; DetailType: string; Detail: string; EventBusName: string }[],
  );

interface StoredEmail {
  subject: string;
  destination: { to: string[] };
  body: { text?: string; html?: string };
}

async function sentMail(): Promise<StoredEmail[]> {
  return ((await (await fetch(`${ses.endpoint}/store`)).json()) as { emails: StoredEmail[] }).emails;
}

async function putCsv(key: string, body: string | Buffer, metadata: Record<string, string> = {}) {
  const output = await s3.send(
    new PutObjectCommand({
      Bucket: BUCKETS.transactions,
      Key: key,
      Body: body,
      Metadata: metadata,
      ContentType: 'text/csv',
    }),
  );
  return objectCreated(BUCKETS.transactions, key, {
    size: Buffer.byteLength(body),
    etag: (output.ETag ?? '').replaceAll('"', ''),
  });
}

beforeAll(async () => {
  [dynamo, fauxqs, ses] = await Promise.all([startDynalite(), startFauxqsEmulator(), startSesLocal()]);
  bus = await startJsonServiceStandIn((target, input) =>
    target === 'AWSEvents.PutEvents'
      ? {
          FailedEntryCount: 0,
          Entries: (input.Entries as unknown[]).map((_, i) => ({
            EventId: `event-${bus.calls.length}-${i}`,
          })),
        }
      : undefined,
  );
  tableName = await createTable(dynamo.endpoint, 'statements');
  documents = DynamoDBDocumentClient.from(new DynamoDBClient(clientConfig(dynamo.endpoint)));
  repository = createDynamoStatementsRepository({ client: documents, tableName });
  s3 = new S3Client(clientConfig(fauxqs.endpoint));
  for (const bucket of Object.values(BUCKETS)) await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  stubLambdaEnv({
    STATEMENTS_TABLE: tableName,
    BUCKETS: JSON.stringify(BUCKETS),
    EVENT_BUS_NAME: BUS,
    MAIL_FROM: 'statements@example.com',
    AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
    AWS_ENDPOINT_URL_S3: fauxqs.endpoint,
    AWS_ENDPOINT_URL_SESV2: ses.endpoint,
    AWS_ENDPOINT_URL_EVENTBRIDGE: bus.url,
  });
  ({ handler: ingest } = await import('../../../src/aws/functions/statements-ingest.js'));
  ({ handler: notify } = await import('../../../src/aws/functions/statements-notify.js'));
  ({ destroyAwsClients } = await import('../../../src/aws/clients.js'));
});

afterAll(async () => {
  vi.unstubAllEnvs();
  destroyAwsClients?.();
  documents?.destroy();
  s3?.destroy();
  await Promise.all([dynamo?.stop(), fauxqs?.stop(), ses?.stop(), bus?.close()]);
});

describe('statements on AWS', () => {
  it('ingests a file announced by S3 through EventBridge and SQS, failing only the message that is no S3 event', async () => {
    const created = await putCsv('uploads/challenge.csv', await readFile(challengeSample), {
      'account-id': 'acct-1',
      year: '2024',
    });
    const event = sqsEvent(
      sqsRecord(JSON.stringify(created), 'statements-ingest', 'm-file'),
      sqsRecord(
        JSON.stringify({ 'detail-type': 'Object Created', detail: {} }),
        'statements-ingest',
        'm-bad',
      ),
    );
    const response = await ingest(event, lambdaContext('statements-ingest'));

    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: 'm-bad' }] });
    const summary = summarizeAccount('acct-1', await repository.monthlyTotals('acct-1'));
    expect(summary).toMatchObject({ balance: '39.74', averageCredit: '35.25', averageDebit: '-15.38' });
    expect(summary.months.map(({ name, count }) => [name, count])).toEqual([
      ['July', 2],
      ['August', 2],
    ]);
    const [summarized] = putEntries();
    expect(putEntries()).toHaveLength(1);
    expect(summarized).toMatchObject({
      EventBusName: BUS,
      Source: 'tributary.statements',
      DetailType: 'StatementSummarized',
    });
    expect(JSON.parse(summarized?.Detail ?? '{}')).toMatchObject({
      accountId: 'acct-1',
      summary: { balance: '39.74' },
    });
  });

  it('sends the statement once per summary through SES, and fails only the summary whose account has no email', async () => {
    await repository.upsertAccount({ accountId: 'acct-1', email: 'ana@example.com', name: 'Ana' });
    const [entry] = putEntries();
    const detail = JSON.parse(entry?.Detail ?? '{}');
    const delivered = (messageId: string, body = detail) =>
      sqsRecord(
        JSON.stringify(busEvent('tributary.statements', 'StatementSummarized', body)),
        'statements-notify',
        messageId,
      );
    const nobody = {
      ...detail,
      accountId: 'acct-nobody',
      summary: { ...detail.summary, accountId: 'acct-nobody' },
    };

    const batch = sqsEvent(delivered('n-1'), delivered('n-nobody', nobody));
    const first = await notify(batch, lambdaContext('statements-notify'));
    expect(first).toEqual({ batchItemFailures: [{ itemIdentifier: 'n-nobody' }] });
    expect(batchFailureReasons(batch).get('n-nobody')).toMatchObject({
      retriable: false,
      error: { message: expect.stringContaining('no email known for account "acct-nobody"') },
    });
    // SQS delivers a message twice now and then: the second delivery sends nothing.
    const again = await notify(sqsEvent(delivered('n-1-again')), lambdaContext('statements-notify'));
    expect(again).toEqual({ batchItemFailures: [] });

    const mail = await sentMail();
    expect(mail).toHaveLength(1);
    expect(mail[0]?.destination.to.join()).toContain('ana@example.com');
    expect(mail[0]?.body.text).toContain('39.74');
    expect(mail[0]?.body.html).toContain('39.74');
    const { Items = [] } = await documents.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': 'IDEMPOTENCY#statements-notify' },
      }),
    );
    expect(Items.map((item) => [String(item.sk).split('#')[0], item.status])).toEqual([
      ['send-email', 'COMPLETED'],
    ]);
  });

  it('fails, for SQS to retry, a delivery whose email another invocation is sending, and sends nothing', async () => {
    await repository.upsertAccount({ accountId: 'acct-3', email: 'cleo@example.com', name: 'Cleo' });
    const [entry] = putEntries();
    const original = JSON.parse(entry?.Detail ?? '{}');
    const detail = {
      ...original,
      accountId: 'acct-3',
      fingerprint: 'f00dfeedf00dfeed0000',
      summary: { ...original.summary, accountId: 'acct-3' },
    };
    const body = JSON.stringify(busEvent('tributary.statements', 'StatementSummarized', detail));
    // What Powertools writes when an invocation starts sending this email (id from account and fingerprint).
    const hash = createHash('md5')
      .update(JSON.stringify('statement-acct-3-f00dfeedf00dfeed'))
      .digest('base64');
    const key = { pk: 'IDEMPOTENCY#statements-notify', sk: `send-email#${hash}` };
    await documents.send(
      new PutCommand({
        TableName: tableName,
        Item: {
          ...key,
          status: 'INPROGRESS',
          expiration: Math.floor(Date.now() / 1000) + 3600,
          in_progress_expiration: Date.now() + 60_000,
        },
      }),
    );

    const delivery = sqsEvent(sqsRecord(body, 'statements-notify', 'n-busy'));
    const busy = await notify(delivery, lambdaContext('statements-notify'));
    expect(busy).toEqual({ batchItemFailures: [{ itemIdentifier: 'n-busy' }] });
    expect(batchFailureReasons(delivery).get('n-busy')).toMatchObject({
      retriable: true,
      error: { name: 'IdempotencyAlreadyInProgressError' },
    });
    expect((await sentMail()).filter((m) => m.destination.to.join().includes('cleo@example.com'))).toEqual(
      [],
    );

    // The other invocation died without finishing: once its record is gone, the retry sends.
    await documents.send(new DeleteCommand({ TableName: tableName, Key: key }));
    const retried = await notify(
      sqsEvent(sqsRecord(body, 'statements-notify', 'n-busy')),
      lambdaContext('statements-notify'),
    );
    expect(retried).toEqual({ batchItemFailures: [] });
    expect(
      (await sentMail()).filter((m) => m.destination.to.join().includes('cleo@example.com')),
    ).toHaveLength(1);
  });

  it('renders with the template of bucket email-templates when there is one', async () => {
    await s3.send(
      new PutObjectCommand({
        Bucket: BUCKETS['email-templates'],
        Key: 'statement.html',
        Body: '<html><body><p>Custom statement for {{holderName}}: {{balance}}</p></body></html>',
        ContentType: 'text/html',
      }),
    );
    const created = await putCsv(
      'uploads/ruben.csv',
      'Email, Name, AccountId, Id, Date, Transaction\nruben@example.com, Ruben, acct-2, 1, 7/15,+60.5\n',
      { year: '2024' },
    );
    await ingest(
      sqsEvent(sqsRecord(JSON.stringify(created), 'statements-ingest')),
      lambdaContext('statements-ingest'),
    );
    const entry = putEntries().find((e) => JSON.parse(e.Detail).accountId === 'acct-2');
    const body = JSON.stringify(
      busEvent('tributary.statements', 'StatementSummarized', JSON.parse(entry?.Detail ?? '{}')),
    );

    expect(
      await notify(sqsEvent(sqsRecord(body, 'statements-notify')), lambdaContext('statements-notify')),
    ).toEqual({
      batchItemFailures: [],
    });
    const mail = (await sentMail()).find((m) => m.destination.to.join().includes('ruben@example.com'));
    expect(mail?.body.html).toContain('Custom statement for Ruben');
  });
});
