/**
 * The SNS notifier and its alert log.
 *
 * Item layout (orders table, beside the orders repository's items; no GSI attributes and no
 * `ttl`, so the items never appear in an index query and are never expired):
 *   pk = ALERT#<alert id>   sk = ALERT
 *   type = 'alert', kind, text, details (JSON text), delivery ('delivered' | 'failed'),
 *   attempts (number, added to by every try), lastError, createdAt, deliveredAt (ISO 8601)
 * Writes are conditional updates that never turn a delivered alert back into a failed one.
 */
import { PublishCommand, type PublishCommandOutput } from '@aws-sdk/client-sns';
import { type DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Clock } from '../../ports/clock.js';
import type { Alert, AlertDelivery, Notifier } from '../../ports/notifier.js';

/** SNS limits: a subject of at most 100 characters, a message of at most 256 KiB. */
export const MAX_SUBJECT_LENGTH = 100;
export const MAX_MESSAGE_BYTES = 256 * 1024;

/** How one notify call ended. */
export type AlertOutcome =
  | { delivery: 'delivered'; attempts: number }
  | { delivery: 'failed'; attempts: number; error: string };

/** Which alerts were delivered, and the last error of those that were not. */
export interface AlertLog {
  /** Whether this alert id was delivered already (an alert whose delivery failed is tried again). */
  has(id: string): Promise<boolean>;
  record(alert: Alert, outcome: AlertOutcome, at: Date): Promise<void>;
}

/** What the notifier needs of an `SNSClient` (tests may pass a fake). */
export interface PublishClient {
  send(command: PublishCommand): Promise<PublishCommandOutput>;
}

export interface SnsNotifierOptions {
  /** An `SNSClient`. */
  client: PublishClient;
  topicArn: string;
  /** Without a log, every alert is published, repeats included. */
  seen?: AlertLog | undefined;
  clock?: Clock;
  /** Tries per alert (the first and the retries). */
  attempts?: number;
  sleep?: (ms: number) => Promise<void>;
}

/**
 * The notifier on AWS: SNS Publish to the alerts topic (its subscriptions: a chat webhook, email,
 * a queue). Subject: the alert's text on one line, at most 100 characters. Message: the text,
 * then the details as JSON. Message attributes `kind` and `alertId`, so subscriptions can filter.
 *
 * Same semantics as the local alert notifier: an alert id the log has as delivered returns
 * `'duplicate'`; a failed publish is retried (0.5 s, 1 s, …; not when SNS refuses the request
 * itself, e.g. an unknown topic) and then returned as `'failed'`, never thrown, and kept in the
 * log with its error, so raising the alert again tries again. Only the log's own errors (DynamoDB
 * unreachable) throw, as the local notifier's database errors do: the caller's task is retried.
 * Delivery is at-least-once: the log is written after the publish, so two concurrent notifies of
 * one alert (or a crash between the two) publish it twice; the `alertId` attribute tells.
 *
 * @example
 * const notifier = createSnsNotifier({
 *   client: new SNSClient({}),
 *   topicArn,
 *   seen: createDynamoAlertLog({ client: DynamoDBDocumentClient.from(new DynamoDBClient({})), tableName }),
 * });
 * await notifier.notify(alert); // 'delivered', then 'duplicate' for the same id
 */
export function createSnsNotifier(options: SnsNotifierOptions): Notifier {
  const { client, topicArn, seen } = options;
  if (!topicArn) throw new Error('the SNS notifier needs the ARN of the alerts topic');
  const attempts = options.attempts ?? 3;
  const clock = options.clock ?? { now: () => new Date() };
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));

  async function publish(alert: Alert): Promise<AlertOutcome> {
    const input = {
      TopicArn: topicArn,
      Subject: subjectOf(alert.text),
      Message: messageOf(alert),
      MessageAttributes: {
        kind: { DataType: 'String', StringValue: alert.kind },
        alertId: { DataType: 'String', StringValue: alert.id },
      },
    };
    let error = '';
    for (let attempt = 1; attempt <= attempts; attempt++) {
      try {
        await client.send(new PublishCommand(input));
        return { delivery: 'delivered', attempts: attempt };
      } catch (caught) {
        error = `SNS topic "${topicArn}" did not take alert "${alert.id}": ${describeError(caught)}`;
        if (isPermanent(caught)) return { delivery: 'failed', attempts: attempt, error };
      }
      if (attempt < attempts) await sleep(500 * 2 ** (attempt - 1));
    }
    return { delivery: 'failed', attempts, error };
  }

  return {
    async notify(alert): Promise<AlertDelivery> {
      if (await seen?.has(alert.id)) return 'duplicate';
      const outcome = await publish(alert);
      await seen?.record(alert, outcome, clock.now());
      return outcome.delivery;
    },
  };
}

/** One line without control characters, at most 100 characters (SNS refuses anything else). */
export function subjectOf(text: string): string {
  const line = text
    .replace(/\p{Cc}+/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  const chars = [...(line || 'Tributary alert')];
  return chars.length <= MAX_SUBJECT_LENGTH
    ? chars.join('')
    : `${chars.slice(0, MAX_SUBJECT_LENGTH - 1).join('')}…`;
}

/** The text, then the details as JSON; details too large for SNS are left out, and it says so. */
export function messageOf(alert: Alert): string {
  const message = `${alert.text}\n\n${JSON.stringify(alert.details ?? {}, null, 2)}`;
  if (Buffer.byteLength(message, 'utf8') <= MAX_MESSAGE_BYTES) return message;
  return `${alert.text.slice(0, 4096)}\n\n(details left out: the message would exceed ${MAX_MESSAGE_BYTES} bytes)`;
}

/** A request SNS refused as such (not throttling): trying it again cannot help. */
function isPermanent(error: unknown): boolean {
  const { $fault, name } = error as { $fault?: string; name?: string };
  return $fault === 'client' && !/Throttl/i.test(name ?? '');
}

export interface DynamoAlertLogOptions {
  client: DynamoDBDocumentClient;
  /** The orders table (see tables.ts): alerts come from the auction workflow. */
  tableName: string;
}

/** An {@link AlertLog} in DynamoDB: one item per alert (layout at the top of this file). */
export function createDynamoAlertLog(options: DynamoAlertLogOptions): AlertLog {
  const { client, tableName } = options;
  const key = (id: string) => ({ pk: `ALERT#${id}`, sk: 'ALERT' });
  return {
    async has(id) {
      try {
        const { Item } = await client.send(
          new GetCommand({
            TableName: tableName,
            Key: key(id),
            ConsistentRead: true,
            ProjectionExpression: 'delivery',
          }),
        );
        return Item?.delivery === 'delivered';
      } catch (error) {
        throw new Error(
          `DynamoDB table "${tableName}": could not read the alert log for alert "${id}": ${describeError(error)}`,
          { cause: error },
        );
      }
    },
    async record(alert, outcome, at) {
      const delivered = outcome.delivery === 'delivered';
      try {
        await client.send(
          new UpdateCommand({
            TableName: tableName,
            Key: key(alert.id),
            UpdateExpression: [
              'SET #type = :type, #kind = :kind, #text = :text, #details = :details, #delivery = :delivery,',
              '#createdAt = if_not_exists(#createdAt, :at),',
              delivered ? '#deliveredAt = :at' : '#lastError = :error',
              'ADD #attempts :attempts',
            ].join(' '),
            ConditionExpression: 'attribute_not_exists(pk) OR #delivery <> :delivered',
            ExpressionAttributeNames: {
              '#type': 'type',
              '#kind': 'kind',
              '#text': 'text',
              '#details': 'details',
              '#delivery': 'delivery',
              '#createdAt': 'createdAt',
              '#attempts': 'attempts',
              ...(delivered ? { '#deliveredAt': 'deliveredAt' } : { '#lastError': 'lastError' }),
            },
            ExpressionAttributeValues: {
              ':type': 'alert',
              ':kind': alert.kind,
              ':text': alert.text,
              ':details': JSON.stringify(alert.details ?? {}),
              ':delivery': outcome.delivery,
              ':delivered': 'delivered',
              ':at': at.toISOString(),
              ':attempts': outcome.attempts,
              ...(outcome.delivery === 'failed' ? { ':error': outcome.error } : {}),
            },
          }),
        );
      } catch (error) {
        // Delivered already (a concurrent notify of the same alert): that outcome stands.
        if ((error as Error).name === 'ConditionalCheckFailedException') return;
        throw new Error(
          `DynamoDB table "${tableName}": could not record ${outcome.delivery} alert "${alert.id}": ${describeError(error)}`,
          { cause: error },
        );
      }
    },
  };
}

function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
