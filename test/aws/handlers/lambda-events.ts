import { createHash, randomUUID } from 'node:crypto';
import type {
  APIGatewayProxyEventV2WithLambdaAuthorizer,
  APIGatewayRequestAuthorizerEventV2,
  Context,
  KinesisStreamEvent,
  KinesisStreamRecord,
  SQSEvent,
  SQSRecord,
} from 'aws-lambda';
import { vi } from 'vitest';
import type { Principal } from '../../../src/core/access/authorize-bearer.js';
import { REGION } from '../../support/aws-emulators.js';
import { startReceiver } from '../../support/http-receiver.js';

/**
 * AWS-shaped events and a Lambda context for the handler tests, built as the services send them
 * (the shapes of @types/aws-lambda), and the environment a Lambda entry reads.
 */

export const ACCOUNT = '123456789012';

/** The Lambda context of one invocation (what the runtime passes; only a stub of its methods). */
export function lambdaContext(functionName: string, timeoutMs = 30_000): Context {
  const deadline = Date.now() + timeoutMs;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: `tributary-test-${functionName}`,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:tributary-test-${functionName}`,
    memoryLimitInMB: '512',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/tributary-test-${functionName}`,
    logStreamName: '2024/09/01/[$LATEST]0123456789abcdef',
    getRemainingTimeInMillis: () => Math.max(deadline - Date.now(), 0),
    done: () => {},
    fail: () => {},
    succeed: () => {},
  };
}

/**
 * Sets the variables a Lambda entry reads (and what the Lambda service sets: region, dummy
 * credentials), with Powertools quiet; undone by `vi.unstubAllEnvs()`.
 */
export function stubLambdaEnv(variables: Record<string, string>): void {
  const all: Record<string, string> = {
    AWS_REGION: REGION,
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    POWERTOOLS_LOG_LEVEL: 'SILENT',
    ...variables,
  };
  for (const [name, value] of Object.entries(all)) vi.stubEnv(name, value);
}

/** One SQS message as the event source mapping delivers it. */
export function sqsRecord(body: string, queue: string, messageId: string = randomUUID()): SQSRecord {
  return {
    messageId,
    receiptHandle: `AQEB${createHash('sha256').update(messageId).digest('base64')}`,
    body,
    attributes: {
      ApproximateReceiveCount: '1',
      SentTimestamp: '1725148800000',
      SenderId: 'AIDAIENQZJOLO23YVJ4VO',
      ApproximateFirstReceiveTimestamp: '1725148800001',
    },
    messageAttributes: {},
    md5OfBody: createHash('md5').update(body).digest('hex'),
    eventSource: 'aws:sqs',
    eventSourceARN: `arn:aws:sqs:${REGION}:${ACCOUNT}:${queue}`,
    awsRegion: REGION,
  };
}

export const sqsEvent = (...records: SQSRecord[]): SQSEvent => ({ Records: records });

/** An EventBridge event as a rule's SQS target receives it: the whole event, as JSON. */
export function busEvent(source: string, detailType: string, detail: unknown, resources: string[] = []) {
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': detailType,
    source,
    account: ACCOUNT,
    time: '2024-09-01T00:00:00Z',
    region: REGION,
    resources,
    detail,
  };
}

/** S3's "Object Created" event on EventBridge (EventBridge notifications on the bucket). */
export function objectCreated(bucket: string, key: string, object: { size: number; etag: string }) {
  return busEvent(
    'aws.s3',
    'Object Created',
    {
      version: '0',
      bucket: { name: bucket },
      object: { key, size: object.size, etag: object.etag, sequencer: '0066D3A8E1B0A4C5D1' },
      'request-id': 'N4N7GDK58NMKJ12R',
      requester: ACCOUNT,
      'source-ip-address': '203.0.113.7',
      reason: 'PutObject',
    },
    [`arn:aws:s3:::${bucket}`],
  );
}

/** One Kinesis record as the event source mapping delivers it (data base64-encoded). */
export function kinesisRecord(
  stream: string,
  record: { data: string; partitionKey: string; shardId: string; sequenceNumber: string },
): KinesisStreamRecord {
  return {
    kinesis: {
      kinesisSchemaVersion: '1.0',
      partitionKey: record.partitionKey,
      sequenceNumber: record.sequenceNumber,
      data: Buffer.from(record.data).toString('base64'),
      approximateArrivalTimestamp: 1_725_148_800.123,
    },
    eventSource: 'aws:kinesis',
    eventVersion: '1.0',
    eventID: `${record.shardId}:${record.sequenceNumber}`,
    eventName: 'aws:kinesis:record',
    invokeIdentityArn: `arn:aws:iam::${ACCOUNT}:role/tributary-test-events-consume`,
    awsRegion: REGION,
    eventSourceARN: `arn:aws:kinesis:${REGION}:${ACCOUNT}:stream/${stream}`,
  };
}

export const kinesisEvent = (...records: KinesisStreamRecord[]): KinesisStreamEvent => ({ Records: records });

const API_ID = 'abcdef1234';
const DOMAIN = `${API_ID}.execute-api.${REGION}.amazonaws.com`;

/**
 * An HTTP API (payload 2.0) request for route `routeKey`, as API Gateway hands it to the function
 * after the Lambda authorizer admitted it with `principal` as its context.
 */
export function httpApiEvent(
  routeKey: string,
  path: string,
  options: {
    principal?: Principal;
    body?: unknown;
    contentType?: string;
    query?: Record<string, string>;
  } = {},
): APIGatewayProxyEventV2WithLambdaAuthorizer<Principal> {
  const [method = 'GET'] = routeKey.split(' ');
  const query = new URLSearchParams(options.query ?? {});
  const body =
    options.body === undefined
      ? undefined
      : typeof options.body === 'string'
        ? options.body
        : JSON.stringify(options.body);
  return {
    version: '2.0',
    routeKey,
    rawPath: path,
    rawQueryString: query.toString(),
    cookies: [],
    headers: {
      accept: 'application/json',
      authorization: 'Bearer (checked by the authorizer)',
      host: DOMAIN,
      'user-agent': 'tributary-test',
      'x-forwarded-for': '203.0.113.7',
      'x-forwarded-port': '443',
      'x-forwarded-proto': 'https',
      ...(body === undefined ? {} : { 'content-type': options.contentType ?? 'application/json' }),
    },
    ...(options.query ? { queryStringParameters: options.query } : {}),
    requestContext: {
      accountId: ACCOUNT,
      apiId: API_ID,
      authorizer: { lambda: options.principal as Principal },
      domainName: DOMAIN,
      domainPrefix: API_ID,
      http: { method, path, protocol: 'HTTP/1.1', sourceIp: '203.0.113.7', userAgent: 'tributary-test' },
      requestId: randomUUID(),
      routeKey,
      stage: '$default',
      time: '01/Sep/2024:00:00:00 +0000',
      timeEpoch: 1_725_148_800_000,
    },
    pathParameters: {},
    ...(body === undefined ? {} : { body }),
    isBase64Encoded: false,
  };
}

/** The REQUEST authorizer event (payload 2.0, identity source `$request.header.Authorization`). */
export function authorizerEvent(
  authorization: string | undefined,
  path = '/orders',
): APIGatewayRequestAuthorizerEventV2 {
  return {
    version: '2.0',
    type: 'REQUEST',
    routeArn: `arn:aws:execute-api:${REGION}:${ACCOUNT}:${API_ID}/$default/GET${path}`,
    identitySource: authorization === undefined ? [] : [authorization],
    routeKey: `GET ${path}`,
    rawPath: path,
    rawQueryString: '',
    cookies: [],
    headers: { host: DOMAIN, ...(authorization === undefined ? {} : { authorization }) },
    requestContext: {
      accountId: ACCOUNT,
      apiId: API_ID,
      domainName: DOMAIN,
      domainPrefix: API_ID,
      http: { method: 'GET', path, protocol: 'HTTP/1.1', sourceIp: '203.0.113.7', userAgent: 'curl/8' },
      requestId: randomUUID(),
      routeKey: `GET ${path}`,
      stage: '$default',
      time: '01/Sep/2024:00:00:00 +0000',
      timeEpoch: 1_725_148_800_000,
    },
    pathParameters: {},
  };
}

/**
 * A stand-in endpoint for an AWS JSON-protocol service that has no emulator here (EventBridge,
 * Secrets Manager): it answers each operation (`X-Amz-Target`, e.g. `AWSEvents.PutEvents`) with
 * `answer`, and records the requests. Point `AWS_ENDPOINT_URL_<SERVICE>` at its `url`.
 */
export async function startJsonServiceStandIn(
  answer: (target: string, input: Record<string, unknown>) => unknown,
) {
  const calls: { target: string; input: Record<string, unknown> }[] = [];
  const receiver = await startReceiver((request) => {
    const target = String(request.headers['x-amz-target'] ?? '');
    const input = JSON.parse(request.body || '{}') as Record<string, unknown>;
    calls.push({ target, input });
    const body = answer(target, input);
    return body === undefined
      ? { status: 400, body: { __type: 'UnknownOperationException', message: `no answer for ${target}` } }
      : { status: 200, body };
  });
  return { url: receiver.url, calls, close: receiver.close };
}
