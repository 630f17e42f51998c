import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  CreateBucketCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { CreateTopicCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import {
  CreateQueueCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createDynamoOrdersRepository } from '../../../src/adapters/aws/dynamo-orders-repository.js';
import type { OrdersRepository } from '../../../src/ports/orders-repository.js';
import {
  clientConfig,
  createTable,
  type Emulator,
  startDynalite,
  startFauxqsEmulator,
} from '../../support/aws-emulators.js';
import { type Received, startReceiver } from '../../support/http-receiver.js';
import { httpApiEvent, lambdaContext, stubLambdaEnv } from './lambda-events.js';

type Task = (input: unknown, context: Context) => Promise<unknown>;

const RESULTS_BUCKET = 'tributary-test-order-results';
const EXECUTION = 'arn:aws:states:eu-west-1:123456789012:execution:tributary-test-auction:run-1';
const HOUR = 3_600_000;

let dynamo: Emulator;
let fauxqs: Emulator;
let platform: Awaited<ReturnType<typeof startReceiver>>;
let documents: DynamoDBDocumentClient;
let s3: S3Client;
let sns: SNSClient;
let sqs: SQSClient;
let alertsQueueUrl: string;
let orders: OrdersRepository;
let ordersApi: typeof import('../../../src/aws/functions/orders-api.js').handler;
let tasks: Record<string, Task>;
let destroyAwsClients: () => void;

/** The platform's answers, in turn: not ready, then a verdict on every order it was asked about. */
function answer(request: Received, index: number) {
  if (index === 0) return { status: 200, body: { results: false } };
  const asked = JSON.parse(request.body) as { orders: { record_id: string }[] };
  return {
    status: 200,
    body: {
      results: true,
      orders: asked.orders.map(({ record_id }) => ({
        record_id,
        status: record_id.endsWith('-rejected') ? 'rejected' : 'accepted',
        power: 12.5,
      })),
    },
  };
}

async function call(routeKey: string, path: string, options: Parameters<typeof httpApiEvent>[2] = {}) {
  const response = await ordersApi(httpApiEvent(routeKey, path, options), lambdaContext('orders-api'));
  return { status: response.statusCode, body: JSON.parse(response.body) as Record<string, unknown> };
}

const run = (name: string, input: unknown) => (tasks[name] as Task)(input, lambdaContext(name));

/** The alerts the topic delivered to its queue subscription, taken off the queue. */
async function alerts(): Promise<
  { Subject: string; MessageAttributes: Record<string, { Value: string }> }[]
> {
  const { Messages = [] } = await sqs.send(
    new ReceiveMessageCommand({ QueueUrl: alertsQueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
  );
  for (const message of Messages) {
    await sqs.send(
      new DeleteMessageCommand({ QueueUrl: alertsQueueUrl, ReceiptHandle: message.ReceiptHandle }),
    );
  }
  return Messages.map((message) => JSON.parse(message.Body ?? '{}'));
}

beforeAll(async () => {
  [dynamo, fauxqs] = await Promise.all([startDynalite(), startFauxqsEmulator()]);
  platform = await startReceiver(answer);
  const tableName = await createTable(dynamo.endpoint, 'orders');
  documents = DynamoDBDocumentClient.from(new DynamoDBClient(clientConfig(dynamo.endpoint)));
  orders = createDynamoOrdersRepository({ client: documents, tableName, clock: { now: () => new Date() } });
  s3 = new S3Client(clientConfig(fauxqs.endpoint));
  await s3.send(new CreateBucketCommand({ Bucket: RESULTS_BUCKET }));
  sns = new SNSClient(clientConfig(fauxqs.endpoint));
  sqs = new SQSClient(clientConfig(fauxqs.endpoint));
  const { TopicArn = '' } = await sns.send(new CreateTopicCommand({ Name: 'tributary-test-alerts' }));
  alertsQueueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: 'alerts-inbox' }))).QueueUrl ?? '';
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: alertsQueueUrl, AttributeNames: ['QueueArn'] }),
  );
  await sns.send(new SubscribeCommand({ TopicArn, Protocol: 'sqs', Endpoint: Attributes?.QueueArn }));
  stubLambdaEnv({
    ORDERS_TABLE: tableName,
    ORDER_TTL_HOURS: '24',
    BUCKETS: JSON.stringify({ 'order-results': RESULTS_BUCKET }),
    ALERTS_TOPIC_ARN: TopicArn,
    AUCTION_URL: platform.url,
    AUCTION_BATCH_LIMIT: '2',
    AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
    AWS_ENDPOINT_URL_S3: fauxqs.endpoint,
    AWS_ENDPOINT_URL_SNS: fauxqs.endpoint,
  });
  ({ handler: ordersApi } = await import('../../../src/aws/functions/orders-api.js'));
  tasks = {
    'auction-fetch-results': (await import('../../../src/aws/functions/auction-fetch-results.js')).handler,
    'auction-store-result': (await import('../../../src/aws/functions/auction-store-result.js')).handler,
    'auction-notify': (await import('../../../src/aws/functions/auction-notify.js')).handler,
    'auction-summarize': (await import('../../../src/aws/functions/auction-summarize.js')).handler,
    'orders-purge': (await import('../../../src/aws/functions/orders-purge.js')).handler,
  };
  ({ destroyAwsClients } = await import('../../../src/aws/clients.js'));
});

afterAll(async () => {
  vi.unstubAllEnvs();
  destroyAwsClients?.();
  for (const client of [documents, s3, sns, sqs]) client?.destroy();
  await Promise.all([dynamo?.stop(), fauxqs?.stop(), platform?.close()]);
});

describe('orders on AWS', () => {
  it('runs the auction tasks as Step Functions invokes them, taking at most AUCTION_BATCH_LIMIT orders', async () => {
    const receivedAt = new Date(Date.now() - 2 * HOUR);
    const times = { receivedAt, expiresAt: new Date(receivedAt.getTime() + 24 * HOUR) };
    await orders.upsert(
      [
        { recordId: 'old-accepted', parameter1: 'east', parameter2: 40 },
        { recordId: 'old-rejected', parameter1: 'west', parameter2: 50 },
      ],
      times,
    );
    // Posted after them: beyond the batch limit of 2, it waits for the next execution.
    await orders.upsert([{ recordId: 'next-run', parameter1: 'north', parameter2: 60 }], times);
    const config = { waitSeconds: 1, maxAttempts: 3 };

    const waiting = await run('auction-fetch-results', { config, attempt: 0, executionId: EXECUTION });
    expect(waiting).toEqual({ config, attempt: 1, executionId: EXECUTION, results: false });
    const fetched = (await run('auction-fetch-results', { config, attempt: 1, executionId: EXECUTION })) as {
      results: true;
      orders: { record_id: string; status: string; power: number }[];
    };
    const asked = JSON.parse(platform.received[1]?.body ?? '{}') as { orders: { record_id: string }[] };
    expect(asked.orders.map((o) => o.record_id).sort()).toEqual(['old-accepted', 'old-rejected']);
    expect(fetched).toMatchObject({ results: true, attempt: 2, unknown: [] });

    const [accepted, rejected] = [...fetched.orders].sort((a, b) => a.record_id.localeCompare(b.record_id));
    expect(await run('auction-store-result', { result: accepted, executionId: EXECUTION })).toEqual({
      record_id: 'old-accepted',
      status: 'accepted',
      alerted: false,
    });
    const stored = await s3.send(
      new GetObjectCommand({ Bucket: RESULTS_BUCKET, Key: 'orders/old-accepted.json' }),
    );
    expect(JSON.parse((await stored.Body?.transformToString()) ?? '{}')).toMatchObject({
      order: { record_id: 'old-accepted' },
      result: { status: 'accepted', power: 12.5 },
      executionId: EXECUTION,
    });
    // The Map's Catch matches the error's name, which Lambda reports as the error type.
    await expect(
      run('auction-store-result', { result: rejected, executionId: EXECUTION }),
    ).rejects.toMatchObject({
      name: 'OrderRejected',
    });

    // A StoreResult of an earlier run that was killed before its mark left a result object.
    await s3.send(
      new PutObjectCommand({ Bucket: RESULTS_BUCKET, Key: 'orders/old-rejected.json', Body: '{}' }),
    );
    const notice = {
      kind: 'order-rejected',
      executionId: EXECUTION,
      result: rejected,
      rejection: { Error: 'OrderRejected', Cause: 'order old-rejected was rejected by the auction platform' },
    };
    expect(await run('auction-notify', notice)).toEqual({
      record_id: 'old-rejected',
      status: 'rejected',
      alerted: true,
    });
    // A retried task alerts once.
    expect(await run('auction-notify', notice)).toEqual({
      record_id: 'old-rejected',
      status: 'rejected',
      alerted: true,
    });
    const delivered = await alerts();
    expect(delivered).toHaveLength(1);
    expect(delivered[0]?.MessageAttributes.kind?.Value).toBe('order-rejected');
    expect(delivered[0]?.Subject).toMatch(
      /^Auction: order old-rejected was rejected \(execution arn:aws:states:/,
    );
    expect(await orders.get('old-rejected')).toMatchObject({ status: 'rejected' });
    // NotifyRejected deleted it: a rejected order has no result object.
    await expect(
      s3.send(new HeadObjectCommand({ Bucket: RESULTS_BUCKET, Key: 'orders/old-rejected.json' })),
    ).rejects.toMatchObject({ name: 'NotFound' });
    expect(await orders.get('old-accepted')).toMatchObject({ status: 'accepted', result: { power: 12.5 } });
    expect(await orders.get('next-run')).toMatchObject({ status: 'pending' });

    const summary = await run('auction-summarize', {
      stored: [
        { record_id: 'old-accepted', status: 'accepted', alerted: false },
        { record_id: 'old-rejected', status: 'rejected', alerted: true },
      ],
    });
    expect(summary).toEqual({ accepted: 1, rejected: 1, alerted: 1 });
  });

  it('raises the platform being unavailable under the name the state machine retries on', async () => {
    await platform.close();
    await expect(
      run('auction-fetch-results', {
        config: { waitSeconds: 1, maxAttempts: 3 },
        attempt: 0,
        executionId: EXECUTION,
      }),
    ).rejects.toMatchObject({ name: 'Platform.Unavailable' });
  });

  it('takes orders through API Gateway, stores them with their expiry, and shows them to the operator only', async () => {
    const posted = await call('POST /orders', '/orders', {
      principal: { kind: 'admin' },
      body: [
        { record_id: 'api-1', parameter_1: 'north', parameter_2: 10 },
        { record_id: 'api-2', parameter_1: 'south', parameter_2: 20 },
      ],
    });
    expect(posted).toMatchObject({ status: 201, body: { accepted: 2, record_ids: ['api-1', 'api-2'] } });
    const expiresIn = Date.parse(String(posted.body.expiresAt)) - Date.now();
    expect(expiresIn).toBeGreaterThan(23.9 * HOUR);
    expect(expiresIn).toBeLessThanOrEqual(24 * HOUR);

    const one = await call('GET /orders/{record_id}', '/orders/api-2', { principal: { kind: 'admin' } });
    expect(one).toMatchObject({
      status: 200,
      body: { record_id: 'api-2', parameter_2: 20, status: 'pending' },
    });
    const newest = await call('GET /orders', '/orders', {
      principal: { kind: 'admin' },
      query: { limit: '2' },
    });
    expect((newest.body.orders as { record_id: string }[]).map((o) => o.record_id)).toEqual([
      'api-2',
      'api-1',
    ]);

    const malformed = await call('POST /orders', '/orders', {
      principal: { kind: 'admin' },
      body: '{"record_id":',
    });
    expect(malformed.status).toBe(400);
    const asClient = await call('GET /orders', '/orders', {
      principal: { kind: 'client', client: 'barclays' },
    });
    expect(asClient.status).toBe(403);
  });

  it('purges the expired orders', async () => {
    const receivedAt = new Date(Date.now() - 30 * HOUR);
    await orders.upsert([{ recordId: 'expired', parameter1: 'x', parameter2: 1 }], {
      receivedAt,
      expiresAt: new Date(receivedAt.getTime() + 24 * HOUR),
    });
    expect(await run('orders-purge', {})).toEqual({ purged: 1 });
    expect(await run('orders-purge', {})).toEqual({ purged: 0 });
  });
});
