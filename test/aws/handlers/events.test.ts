import { DeleteTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  CreateStreamCommand,
  DescribeStreamCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  KinesisClient,
} from '@aws-sdk/client-kinesis';
import type { KinesisStreamRecord } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  clientConfig,
  createTable,
  type Emulator,
  startDynalite,
  startKinesalite,
} from '../../support/aws-emulators.js';
import { makeEvent } from '../../support/events.js';
import {
  authorizerEvent,
  httpApiEvent,
  kinesisEvent,
  kinesisRecord,
  lambdaContext,
  stubLambdaEnv,
} from './lambda-events.js';

const STREAM = 'tributary-test-events';
const ADMIN_TOKEN_SECRET_ARN =
  'arn:aws:secretsmanager:eu-west-1:123456789012:secret:tributary-test-admin-token-AbCdEf';
const ADMIN_TOKEN = 'trb_test-admin-token';

let dynamo: Emulator;
let kinesalite: Emulator;
let kinesis: KinesisClient;
let eventsApi: typeof import('../../../src/aws/functions/events-api.js').handler;
let consume: typeof import('../../../src/aws/functions/events-consume.js').handler;
let authorize: typeof import('../../../src/aws/functions/api-authorizer.js').handler;
let destroyAwsClients: () => void;
let clientToken: string;
let eventsTable: string;

const admin = { kind: 'admin' } as const;
const client = (name: string) => ({ kind: 'client', client: name }) as const;

async function call(
  routeKey: string,
  path: string,
  options: Parameters<typeof httpApiEvent>[2] = {},
): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await eventsApi(httpApiEvent(routeKey, path, options), lambdaContext('events-api'));
  return { status: response.statusCode, body: JSON.parse(response.body) };
}

/** Every record on the stream, as the event source mapping would deliver them (one shard). */
async function streamRecords(): Promise<KinesisStreamRecord[]> {
  const { StreamDescription } = await kinesis.send(new DescribeStreamCommand({ StreamName: STREAM }));
  const shardId = StreamDescription?.Shards?.[0]?.ShardId ?? '';
  const { ShardIterator } = await kinesis.send(
    new GetShardIteratorCommand({ StreamName: STREAM, ShardId: shardId, ShardIteratorType: 'TRIM_HORIZON' }),
  );
  const { Records = [] } = await kinesis.send(new GetRecordsCommand({ ShardIterator }));
  return Records.map((record) =>
    kinesisRecord(STREAM, {
      data: Buffer.from(record.Data ?? new Uint8Array()).toString('utf8'),
      partitionKey: record.PartitionKey ?? '',
      shardId,
      sequenceNumber: record.SequenceNumber ?? '',
    }),
  );
}

beforeAll(async () => {
  [dynamo, kinesalite] = await Promise.all([startDynalite(), startKinesalite()]);
  kinesis = new KinesisClient(clientConfig(kinesalite.endpoint));
  await kinesis.send(new CreateStreamCommand({ StreamName: STREAM, ShardCount: 1 }));
  for (let i = 0; i < 50; i++) {
    const { StreamDescription } = await kinesis.send(new DescribeStreamCommand({ StreamName: STREAM }));
    if (StreamDescription?.StreamStatus === 'ACTIVE') break;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  eventsTable = await createTable(dynamo.endpoint, 'events');
  stubLambdaEnv({
    EVENTS_TABLE: eventsTable,
    STREAMS: JSON.stringify({ events: STREAM }),
    ADMIN_TOKEN_SECRET_ARN,
    AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
    AWS_ENDPOINT_URL_KINESIS: kinesalite.endpoint,
  });
  // Secrets Manager has no emulator here: the test supplies the secret's value.
  const secrets = await import('../../../src/aws/secrets.js');
  secrets.setSecretReader(async (secretId) => {
    if (secretId !== ADMIN_TOKEN_SECRET_ARN) throw new Error(`no secret ${secretId}`);
    return ADMIN_TOKEN;
  });
  ({ handler: eventsApi } = await import('../../../src/aws/functions/events-api.js'));
  ({ handler: consume } = await import('../../../src/aws/functions/events-consume.js'));
  ({ handler: authorize } = await import('../../../src/aws/functions/api-authorizer.js'));
  ({ destroyAwsClients } = await import('../../../src/aws/clients.js'));
});

afterAll(async () => {
  vi.unstubAllEnvs();
  destroyAwsClients?.();
  kinesis?.destroy();
  await Promise.all([dynamo?.stop(), kinesalite?.stop()]);
});

describe('events on AWS', () => {
  it('registers a client with the admin token, whose own token the authorizer then admits as that client', async () => {
    const context = lambdaContext('api-authorizer');
    expect(await authorize(authorizerEvent(`Bearer ${ADMIN_TOKEN}`), context)).toEqual({
      isAuthorized: true,
      context: { kind: 'admin' },
    });

    const registered = await call('POST /clients', '/clients', {
      principal: admin,
      body: { name: 'barclays' },
    });
    expect(registered).toMatchObject({ status: 201, body: { client: 'barclays', status: 'created' } });
    clientToken = String(registered.body.token);

    expect(
      await authorize(authorizerEvent(`Bearer ${clientToken}`, '/clients/barclays/events'), context),
    ).toEqual({
      isAuthorized: true,
      context: { kind: 'client', client: 'barclays' },
    });
    for (const header of ['Bearer trc_not-a-token', `Basic ${ADMIN_TOKEN}`, undefined]) {
      expect(await authorize(authorizerEvent(header), context), String(header)).toEqual({
        isAuthorized: false,
      });
    }
    expect(
      await call('POST /clients', '/clients', { principal: client('barclays'), body: { name: 'x' } }),
    ).toMatchObject({
      status: 403,
    });
    expect(await call('GET /clients', '/clients')).toMatchObject({ status: 401 });
  });

  it('puts valid events on Kinesis, stores them from the stream, and serves each client only its own', async () => {
    const events = [
      makeEvent({ client: 'barclays' }),
      makeEvent({ client: 'barclays' }),
      makeEvent({ client: 'monzo' }),
    ];
    // An unknown type passes the edge (it has a Client to partition by) and is refused by the consumer.
    const unknownType = makeEvent({ client: 'barclays', type: 'refund' });
    const noClient = { ID: 'no-client' };
    const sent = await call('POST /events', '/events', {
      principal: admin,
      body: [...events, unknownType, noClient],
    });
    expect(sent).toMatchObject({ status: 202, body: { accepted: 4, rejected: 1 } });

    const delivered = await streamRecords();
    expect(delivered.map((r) => r.kinesis.partitionKey)).toEqual([
      'barclays',
      'barclays',
      'monzo',
      'barclays',
    ]);
    // A record put straight on the stream that is no event: kept as rejected, the batch still succeeds.
    const notAnEvent = kinesisRecord(STREAM, {
      data: 'not json',
      partitionKey: 'barclays',
      shardId: 'shardId-000000000000',
      sequenceNumber: '49656123456789012345678901234567890123456789012345678901',
    });
    const batch = kinesisEvent(...delivered.slice(0, 2), notAnEvent, ...delivered.slice(2));
    expect(await consume(batch, lambdaContext('events-consume'))).toEqual({ batchItemFailures: [] });
    // The mapping delivers a batch again after a timeout: nothing changes.
    expect(await consume(batch, lambdaContext('events-consume'))).toEqual({ batchItemFailures: [] });

    const feed = await call('GET /clients/{client}/events', '/clients/barclays/events', {
      principal: client('barclays'),
    });
    expect(feed.status).toBe(200);
    expect((feed.body.events as { id: string }[]).map((e) => e.id)).toEqual(
      events.slice(0, 2).map((e) => e.ID),
    );
    expect(
      await call('GET /clients/{client}/events', '/clients/monzo/events', { principal: client('barclays') }),
    ).toMatchObject({ status: 403 });

    const rejected = await call('GET /events/rejected', '/events/rejected', { principal: admin });
    expect(rejected.status).toBe(200);
    expect((rejected.body.records as { stage: string }[]).map((r) => r.stage).sort()).toEqual([
      'ingest',
      'validation',
      'validation',
    ]);
  });

  // Last: it takes the table away.
  it('fails the whole invocation when DynamoDB fails, for the event source mapping to retry and bisect', async () => {
    const [record] = await streamRecords();
    const dynamoClient = new DynamoDBClient(clientConfig(dynamo.endpoint));
    await dynamoClient.send(new DeleteTableCommand({ TableName: eventsTable }));
    dynamoClient.destroy();
    await expect(consume(kinesisEvent(record!), lambdaContext('events-consume'))).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });
  });
});
