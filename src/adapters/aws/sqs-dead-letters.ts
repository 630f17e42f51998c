/**
 * The dead-letter sink on AWS: SQS SendMessage to a dead-letter queue.
 *
 * The dead letter is the original body, unchanged (so it can be replayed as it was), with message
 * attributes saying why and whence:
 *   tributary.error        String  `<name>: <message>` of the error (at most 8 KiB)
 *   tributary.source       String  where it came from (the source queue's ARN on Lambda)
 *   tributary.messageId    String  its id in that queue
 *   tributary.receiveCount Number  how many times it had been received, when known
 * then the original message's own attributes, as many as fit. SQS takes at most 10 attributes
 * and 256 KiB for body and attributes together (names, types and values): the body is never cut,
 * the error is shortened to what fits, and attributes that do not fit are left out.
 */
import {
  type MessageAttributeValue,
  SendMessageCommand,
  type SendMessageCommandOutput,
} from '@aws-sdk/client-sqs';
import type { DeadLetter, DeadLetterFailure, DeadLetterSink } from '../../ports/dead-letters.js';

/** The attributes a dead letter carries, by what they hold. */
export const DEAD_LETTER_ATTRIBUTES = {
  error: 'tributary.error',
  source: 'tributary.source',
  messageId: 'tributary.messageId',
  receiveCount: 'tributary.receiveCount',
} as const;

/**
 * 256 KiB: SQS's limit until 2025 (now up to 1 MiB, as a queue's `MaximumMessageSize` allows). A
 * dead letter within the old limit fits either default, and the messages it comes from (fed by
 * EventBridge, whose events are at most 256 KB) fit it too.
 */
export const MAX_MESSAGE_BYTES = 256 * 1024;
/** An error longer than this is noise on a message; the function's log has it whole. */
export const MAX_ERROR_BYTES = 8 * 1024;
export const MAX_ATTRIBUTES = 10;

/** What the sink needs of an `SQSClient` (tests may pass a fake). */
export interface SendMessageClient {
  send(command: SendMessageCommand): Promise<SendMessageCommandOutput>;
}

export interface SqsDeadLetterSinkOptions {
  /** An `SQSClient`. */
  client: SendMessageClient;
  /** The dead-letter queue's URL. */
  queueUrl: string;
}

/**
 * A {@link DeadLetterSink} that sends each dead letter to one SQS queue (layout at the top of this
 * file). `send` resolves once SQS has stored it; a failure (no such queue, access denied,
 * throttling after the SDK's retries) rejects with an error naming the queue and the message.
 *
 * @example
 * const deadLetters = createSqsDeadLetterSink({ client: new SQSClient({}), queueUrl });
 * await deadLetters.send(
 *   { id: record.messageId, body: record.body },
 *   { error: 'NonRetriableError: no email known', source: record.eventSourceARN },
 * );
 */
export function createSqsDeadLetterSink(options: SqsDeadLetterSinkOptions): DeadLetterSink {
  const { client, queueUrl } = options;
  if (!queueUrl) throw new Error('the SQS dead-letter sink needs the URL of its queue');
  return {
    async send(message, failure) {
      try {
        await client.send(new SendMessageCommand(deadLetterInput(queueUrl, message, failure)));
      } catch (error) {
        throw new Error(
          `SQS queue "${queueUrl}" did not take the dead letter of message "${message.id}": ${describeError(error)}`,
          { cause: error },
        );
      }
    },
  };
}

/** The SendMessage request of one dead letter, within SQS's limits. */
export function deadLetterInput(queueUrl: string, message: DeadLetter, failure: DeadLetterFailure) {
  const attributes: Record<string, MessageAttributeValue> = {};
  let size = byteLength(message.body);
  const cost = (name: string, dataType: string, value: string) =>
    byteLength(name) + byteLength(dataType) + byteLength(value);
  const add = (name: string, dataType: 'String' | 'Number', value: string) => {
    if (value === '' || name in attributes || Object.keys(attributes).length >= MAX_ATTRIBUTES) return;
    const needed = cost(name, dataType, value);
    if (size + needed > MAX_MESSAGE_BYTES) return;
    attributes[name] = { DataType: dataType, StringValue: value };
    size += needed;
  };

  const { error, source, messageId, receiveCount } = DEAD_LETTER_ATTRIBUTES;
  add(source, 'String', validText(failure.source));
  add(messageId, 'String', validText(message.id));
  if (failure.receiveCount !== undefined) add(receiveCount, 'Number', String(failure.receiveCount));
  const room = MAX_MESSAGE_BYTES - size - cost(error, 'String', '');
  add(
    error,
    'String',
    truncate(validText(failure.error) || 'unknown error', Math.min(MAX_ERROR_BYTES, room)),
  );
  for (const [name, value] of Object.entries(message.attributes ?? {})) {
    if (!name.startsWith('tributary.')) add(name, 'String', validText(value));
  }
  return { QueueUrl: queueUrl, MessageBody: message.body, MessageAttributes: attributes };
}

/** Characters SQS does not take (#x9 | #xA | #xD | #x20–#xD7FF | #xE000–#xFFFD | #x10000–#x10FFFF). */
const INVALID = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

function validText(text: string): string {
  return text.replace(INVALID, '\uFFFD');
}

function byteLength(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

/** At most `maxBytes` of UTF-8, cut between characters, `…` marking the cut. */
export function truncate(text: string, maxBytes: number): string {
  if (byteLength(text) <= maxBytes) return text;
  const ellipsis = '…';
  let budget = maxBytes - byteLength(ellipsis);
  if (budget < 0) return '';
  let kept = '';
  for (const char of text) {
    budget -= byteLength(char);
    if (budget < 0) break;
    kept += char;
  }
  return `${kept}${ellipsis}`;
}

function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
