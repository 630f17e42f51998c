import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateTopicCommand, type PublishCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createDynamoAlertLog,
  createSnsNotifier,
  MAX_MESSAGE_BYTES,
  messageOf,
  subjectOf,
} from '../../src/adapters/aws/sns-notifier.js';
import type { Alert } from '../../src/ports/notifier.js';
import { ManualClock } from '../../src/runtime/clock.js';
import { notifierContract, rejectedOrderAlert } from '../contracts/notifier.js';
import {
  clientConfig,
  createTable,
  type Emulator,
  startDynalite,
  startFauxqsEmulator,
} from '../support/aws-emulators.js';

let dynalite: Emulator;
let fauxqs: Emulator;
let documents: DynamoDBDocumentClient;
let sns: SNSClient;
/** SNS on a port nothing listens on. */
let deadSns: SNSClient;
let sqs: SQSClient;
let tableName: string;
let topicArn: string;
let queueUrl: string;
const clock = new ManualClock('2024-09-01T00:00:00Z');

beforeAll(async () => {
  [dynalite, fauxqs] = await Promise.all([startDynalite(), startFauxqsEmulator()]);
  documents = DynamoDBDocumentClient.from(new DynamoDBClient(clientConfig(dynalite.endpoint)));
  sns = new SNSClient(clientConfig(fauxqs.endpoint));
  deadSns = new SNSClient({ ...clientConfig('http://127.0.0.1:1'), maxAttempts: 1 });
  sqs = new SQSClient(clientConfig(fauxqs.endpoint));
  tableName = await createTable(dynalite.endpoint, 'orders');
  topicArn = (await sns.send(new CreateTopicCommand({ Name: 'tributary-alerts' }))).TopicArn ?? '';
  queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: 'alerts-inbox' }))).QueueUrl ?? '';
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }),
  );
  await sns.send(
    new SubscribeCommand({ TopicArn: topicArn, Protocol: 'sqs', Endpoint: Attributes?.QueueArn }),
  );
});
afterAll(async () => {
  documents?.destroy();
  sns?.destroy();
  deadSns?.destroy();
  sqs?.destroy();
  await Promise.all([dynalite?.stop(), fauxqs?.stop()]);
});

/** An SNS notification as SQS receives it from a subscription without raw delivery. */
interface Notification {
  Type: string;
  TopicArn: string;
  Subject: string | null;
  Message: string;
  MessageAttributes: Record<string, { Type: string; Value: string }>;
}

/** Takes every notification waiting in the subscribed queue, oldest first. */
async function drain(): Promise<Notification[]> {
  const taken: Notification[] = [];
  for (;;) {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
    );
    if (Messages.length === 0) return taken;
    taken.push(...Messages.map((message) => JSON.parse(message.Body ?? '') as Notification));
    await sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: Messages.map((message, i) => ({ Id: String(i), ReceiptHandle: message.ReceiptHandle })),
      }),
    );
  }
}

function snsNotifier(client: SNSClient = sns) {
  return createSnsNotifier({
    client,
    topicArn,
    seen: createDynamoAlertLog({ client: documents, tableName }),
    clock,
    sleep: async () => {},
  });
}

describe('SNS notifier on fauxqs, alert log on dynalite', () => {
  notifierContract('SNS', async () => {
    await drain();
    const received: Notification[] = [];
    return {
      notifier: snsNotifier(),
      another: () => snsNotifier(),
      unreachable: () => snsNotifier(deadSns),
      delivered: async () => {
        received.push(...(await drain()));
        return received.map((notification) => notification.Message);
      },
    };
  });

  it('publishes the subject, the text with the details as JSON, and the kind and alert id as attributes', async () => {
    await drain();
    const alert = rejectedOrderAlert();
    expect(await snsNotifier().notify(alert)).toBe('delivered');
    const [notification, ...others] = await drain();
    expect(others).toEqual([]);
    expect(notification).toMatchObject({
      Type: 'Notification',
      TopicArn: topicArn,
      Subject: alert.text,
      Message: `${alert.text}\n\n${JSON.stringify(alert.details, null, 2)}`,
      MessageAttributes: {
        kind: { Type: 'String', Value: 'order-rejected' },
        alertId: { Type: 'String', Value: alert.id },
      },
    });
  });

  it('keeps each alert in the orders table under ALERT#<id>, with its failed tries and last error', async () => {
    const alert = rejectedOrderAlert();
    expect(await snsNotifier(deadSns).notify(alert)).toBe('failed');
    const key = { pk: `ALERT#${alert.id}`, sk: 'ALERT' };
    const failed = (await documents.send(new GetCommand({ TableName: tableName, Key: key }))).Item;
    expect(failed).toEqual({
      ...key,
      type: 'alert',
      kind: 'order-rejected',
      text: alert.text,
      details: JSON.stringify(alert.details),
      delivery: 'failed',
      attempts: 3,
      createdAt: '2024-09-01T00:00:00.000Z',
      lastError: expect.stringMatching(
        new RegExp(`^SNS topic "${topicArn}" did not take alert "${alert.id}": .*ECONNREFUSED`),
      ),
    });

    clock.advance(60_000);
    expect(await snsNotifier().notify(alert)).toBe('delivered');
    const delivered = (await documents.send(new GetCommand({ TableName: tableName, Key: key }))).Item;
    expect(delivered).toMatchObject({
      delivery: 'delivered',
      attempts: 4,
      createdAt: '2024-09-01T00:00:00.000Z',
      deliveredAt: '2024-09-01T00:01:00.000Z',
    });
    await drain();
  });

  it('does not retry when SNS refuses the request itself, and says which topic', async () => {
    const alert = rejectedOrderAlert();
    const sends: PublishCommand[] = [];
    const missing = `${topicArn}-missing`;
    const notifier = createSnsNotifier({
      client: {
        send: (command) => {
          sends.push(command);
          return sns.send(command);
        },
      },
      topicArn: missing,
      seen: createDynamoAlertLog({ client: documents, tableName }),
      sleep: async () => {},
    });
    expect(await notifier.notify(alert)).toBe('failed');
    expect(sends).toHaveLength(1);
    const { Item } = await documents.send(
      new GetCommand({ TableName: tableName, Key: { pk: `ALERT#${alert.id}`, sk: 'ALERT' } }),
    );
    expect(Item?.lastError).toMatch(
      new RegExp(`^SNS topic "${missing}" did not take alert "${alert.id}": NotFound`),
    );
  });

  it('retries a failing publish with growing waits before reporting it failed', async () => {
    const sleeps: number[] = [];
    let calls = 0;
    const notifier = createSnsNotifier({
      client: {
        send: async () => {
          calls += 1;
          throw Object.assign(new Error('Service unavailable'), { name: 'InternalError', $fault: 'server' });
        },
      },
      topicArn,
      sleep: async (ms) => void sleeps.push(ms),
      attempts: 4,
    });
    expect(await notifier.notify(rejectedOrderAlert())).toBe('failed');
    expect(calls).toBe(4);
    expect(sleeps).toEqual([500, 1000, 2000]);
  });

  it('throws, naming the table, when the alert log cannot be read', async () => {
    const notifier = createSnsNotifier({
      client: sns,
      topicArn,
      seen: createDynamoAlertLog({ client: documents, tableName: 'no-such-table' }),
    });
    const alert = rejectedOrderAlert();
    await expect(notifier.notify(alert)).rejects.toThrow(
      `DynamoDB table "no-such-table": could not read the alert log for alert "${alert.id}": ResourceNotFoundException`,
    );
  });
});

describe('SNS message shape', () => {
  const alert: Alert = { id: 'a-1', kind: 'auction-failed', text: 'x', details: {} };

  it('makes the subject one line of at most 100 characters', () => {
    expect(subjectOf('Order o-1 rejected\r\n\tby the platform ')).toBe('Order o-1 rejected by the platform');
    const long = subjectOf(`Auction ${'é'.repeat(200)}`);
    expect([...long]).toHaveLength(100);
    expect(long.endsWith('…')).toBe(true);
    expect(subjectOf(' \n ')).toBe('Tributary alert');
  });

  it('leaves out details that would make the message too large for SNS, and says so', () => {
    const message = messageOf({ ...alert, details: { blob: 'x'.repeat(MAX_MESSAGE_BYTES) } });
    expect(message).toBe(`x\n\n(details left out: the message would exceed ${MAX_MESSAGE_BYTES} bytes)`);
  });

  it('refuses to start without a topic ARN', () => {
    expect(() => createSnsNotifier({ client: sns, topicArn: '' })).toThrow(/ARN of the alerts topic/);
  });
});
