import { CreateQueueCommand, type Message, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createSqsDeadLetterSink,
  DEAD_LETTER_ATTRIBUTES,
  MAX_ERROR_BYTES,
  MAX_MESSAGE_BYTES,
} from '../../src/adapters/aws/sqs-dead-letters.js';
import { clientConfig, type Emulator, REGION, startFauxqsEmulator } from '../support/aws-emulators.js';

const SOURCE = `arn:aws:sqs:${REGION}:123456789012:tributary-test-statements-notify`;

let fauxqs: Emulator;
let sqs: SQSClient;

beforeAll(async () => {
  fauxqs = await startFauxqsEmulator();
  sqs = new SQSClient(clientConfig(fauxqs.endpoint));
});
afterAll(async () => {
  sqs?.destroy();
  await fauxqs?.stop();
});

let queues = 0;
async function createQueue(): Promise<string> {
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: `dlq-${++queues}` }));
  if (!QueueUrl) throw new Error('fauxqs gave no queue URL');
  return QueueUrl;
}

async function receiveOne(queueUrl: string): Promise<Message> {
  const { Messages = [] } = await sqs.send(
    new ReceiveMessageCommand({
      QueueUrl: queueUrl,
      MaxNumberOfMessages: 10,
      MessageAttributeNames: ['All'],
      WaitTimeSeconds: 0,
    }),
  );
  expect(Messages).toHaveLength(1);
  return Messages[0]!;
}

const attributeValues = (message: Message) =>
  Object.fromEntries(
    Object.entries(message.MessageAttributes ?? {}).map(([name, value]) => [name, value.StringValue]),
  );

/** What SQS counts against its limit: the body, and each attribute's name, type and value. */
const sizeOf = (message: Message) =>
  Buffer.byteLength(message.Body ?? '') +
  Object.entries(message.MessageAttributes ?? {}).reduce(
    (total, [name, value]) =>
      total +
      Buffer.byteLength(name) +
      Buffer.byteLength(value.DataType ?? '') +
      Buffer.byteLength(value.StringValue ?? ''),
    0,
  );

describe('SQS dead-letter sink', () => {
  it('sends the original body with its error, source, message id and receive count as attributes', async () => {
    const queueUrl = await createQueue();
    const sink = createSqsDeadLetterSink({ client: sqs, queueUrl });
    const body = JSON.stringify({ 'detail-type': 'StatementSummarized', detail: { accountId: 'acct-9' } });

    await sink.send(
      { id: 'm-1', body, attributes: { traceparent: '00-abc-def-01', 'tributary.error': 'forged' } },
      {
        error: 'NonRetriableError: no email known for account "acct-9"',
        source: SOURCE,
        receiveCount: 1,
      },
    );

    const letter = await receiveOne(queueUrl);
    expect(letter.Body).toBe(body);
    expect(attributeValues(letter)).toEqual({
      [DEAD_LETTER_ATTRIBUTES.error]: 'NonRetriableError: no email known for account "acct-9"',
      [DEAD_LETTER_ATTRIBUTES.source]: SOURCE,
      [DEAD_LETTER_ATTRIBUTES.messageId]: 'm-1',
      [DEAD_LETTER_ATTRIBUTES.receiveCount]: '1',
      traceparent: '00-abc-def-01',
    });
    expect(letter.MessageAttributes?.[DEAD_LETTER_ATTRIBUTES.receiveCount]?.DataType).toBe('Number');
  });

  it('keeps the body whole and shortens the error to fit 256 KiB, between characters', async () => {
    const queueUrl = await createQueue();
    const sink = createSqsDeadLetterSink({ client: sqs, queueUrl });
    const body = 'x'.repeat(MAX_MESSAGE_BYTES - 1_000);

    await sink.send({ id: 'm-big', body }, { error: `Error: ${'é'.repeat(20_000)}`, source: SOURCE });

    const letter = await receiveOne(queueUrl);
    expect(letter.Body).toBe(body);
    const error = letter.MessageAttributes?.[DEAD_LETTER_ATTRIBUTES.error]?.StringValue ?? '';
    expect(error).toMatch(/^Error: é+…$/);
    expect(sizeOf(letter)).toBeLessThanOrEqual(MAX_MESSAGE_BYTES);
    expect(sizeOf(letter)).toBeGreaterThan(MAX_MESSAGE_BYTES - 3);
    expect(attributeValues(letter)[DEAD_LETTER_ATTRIBUTES.messageId]).toBe('m-big');
  });

  it('keeps at most 8 KiB of an error, and replaces the characters SQS refuses', async () => {
    const queueUrl = await createQueue();
    const sink = createSqsDeadLetterSink({ client: sqs, queueUrl });

    await sink.send(
      { id: 'm-long', body: '{}' },
      { error: `Error: a\u0000b ${'y'.repeat(20_000)}`, source: SOURCE },
    );

    const error =
      (await receiveOne(queueUrl)).MessageAttributes?.[DEAD_LETTER_ATTRIBUTES.error]?.StringValue ?? '';
    expect(error.startsWith('Error: a\uFFFDb yyy')).toBe(true);
    expect(error.endsWith('…')).toBe(true);
    expect(Buffer.byteLength(error)).toBe(MAX_ERROR_BYTES);
  });

  it('leaves out the original attributes beyond the 10 SQS takes', async () => {
    const queueUrl = await createQueue();
    const sink = createSqsDeadLetterSink({ client: sqs, queueUrl });
    const attributes = Object.fromEntries(Array.from({ length: 9 }, (_, i) => [`a${i}`, `v${i}`]));

    await sink.send({ id: 'm-attrs', body: '{}', attributes }, { error: 'Error: bad', source: SOURCE });

    const names = Object.keys((await receiveOne(queueUrl)).MessageAttributes ?? {});
    expect(names).toHaveLength(10);
    expect(names).toEqual(
      expect.arrayContaining([DEAD_LETTER_ATTRIBUTES.error, DEAD_LETTER_ATTRIBUTES.source, 'a0', 'a6']),
    );
  });

  it('fails naming the queue when it does not exist', async () => {
    const queueUrl = `${fauxqs.endpoint}/000000000000/no-such-dlq`;
    const sink = createSqsDeadLetterSink({ client: sqs, queueUrl });

    await expect(
      sink.send({ id: 'm-lost', body: '{}' }, { error: 'Error: bad', source: SOURCE }),
    ).rejects.toThrow(`SQS queue "${queueUrl}" did not take the dead letter of message "m-lost"`);
  });

  it('cannot be built without a queue URL', () => {
    expect(() => createSqsDeadLetterSink({ client: sqs, queueUrl: '' })).toThrow(
      /needs the URL of its queue/,
    );
  });
});
