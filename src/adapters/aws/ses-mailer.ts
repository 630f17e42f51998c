/**
 * The SES mailer and its sent log.
 *
 * Item layout (statements table, beside the statements repository's items; no GSI attributes, so
 * the items never appear in an index query):
 *   pk = EMAIL#<email id>   sk = EMAIL
 *   type = 'email', sender, recipients (list), subject, sesMessageId, sentAt (ISO 8601)
 * One item per delivered message, written by a conditional put (`attribute_not_exists(pk)`), so
 * the first record of an id wins and a repeat changes nothing.
 */
import { SendEmailCommand, type SendEmailCommandOutput } from '@aws-sdk/client-sesv2';
import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { Clock } from '../../ports/clock.js';
import type { Mailer, OutgoingEmail } from '../../ports/mailer.js';

/** Which messages were already delivered, so that a retried send does not deliver one twice. */
export interface SentLog {
  has(id: string): Promise<boolean>;
  /** Keeps `email` (not its body) as delivered at `at`; a second record of one id is ignored. */
  record(email: OutgoingEmail, at: Date, providerMessageId?: string): Promise<void>;
}

/** What the mailer needs of an `SESv2Client` (tests may pass a fake). */
export interface SendEmailClient {
  send(command: SendEmailCommand): Promise<SendEmailCommandOutput>;
}

export interface SesMailerOptions {
  /** An `SESv2Client`. */
  client: SendEmailClient;
  sent: SentLog;
  /** SES configuration set (event publishing, dedicated IPs), when the deployment has one. */
  configurationSetName?: string | undefined;
  clock?: Clock;
}

/**
 * The mailer on AWS: SES v2 SendEmail with the complete MIME message (`Content.Raw`), so the
 * multipart HTML and text parts and the inline logo arrive exactly as composed. The envelope is
 * `FromEmailAddress` and `Destination.ToAddresses` from the email.
 *
 * Same semantics as the SMTP mailer: an id already in the sent log returns `'duplicate'` without
 * sending; the id is recorded only after SES accepted the message, so delivery is at-least-once
 * (a crash between the two, or two concurrent sends of one id, delivers it again; the
 * `Message-ID` derived from the id lets receivers recognise the repeat). A refused send throws,
 * naming the message and the SES error, and records nothing, so a retry can deliver it.
 *
 * @example
 * const mailer = createSesMailer({
 *   client: new SESv2Client({}),
 *   sent: createDynamoSentLog({ client: DynamoDBDocumentClient.from(new DynamoDBClient({})), tableName }),
 * });
 * await mailer.send(email); // 'sent', then 'duplicate' for the same id
 */
export function createSesMailer(options: SesMailerOptions): Mailer {
  const { client, sent, configurationSetName } = options;
  const clock = options.clock ?? { now: () => new Date() };
  return {
    async send(email) {
      if (await sent.has(email.id)) return 'duplicate';
      let output: SendEmailCommandOutput;
      try {
        output = await client.send(
          new SendEmailCommand({
            FromEmailAddress: email.from,
            Destination: { ToAddresses: email.to },
            Content: { Raw: { Data: email.raw } },
            ...(configurationSetName ? { ConfigurationSetName: configurationSetName } : {}),
          }),
        );
      } catch (error) {
        throw new Error(
          `SES did not send email "${email.id}" from ${email.from} to ${email.to.join(', ')}: ${describeError(error)}`,
          { cause: error },
        );
      }
      // When a concurrent send of the same id recorded it first, this call still delivered it: 'sent'.
      await sent.record(email, clock.now(), output.MessageId);
      return 'sent';
    },
  };
}

export interface DynamoSentLogOptions {
  client: DynamoDBDocumentClient;
  /** The statements table (see tables.ts). */
  tableName: string;
}

/** A {@link SentLog} in DynamoDB: one item per delivered message (layout at the top of this file). */
export function createDynamoSentLog(options: DynamoSentLogOptions): SentLog {
  const { client, tableName } = options;
  const key = (id: string) => ({ pk: `EMAIL#${id}`, sk: 'EMAIL' });
  return {
    async has(id) {
      try {
        const { Item } = await client.send(
          new GetCommand({
            TableName: tableName,
            Key: key(id),
            ConsistentRead: true,
            ProjectionExpression: 'pk',
          }),
        );
        return Item !== undefined;
      } catch (error) {
        throw new Error(
          `DynamoDB table "${tableName}": could not read the sent log for email "${id}": ${describeError(error)}`,
          { cause: error },
        );
      }
    },
    async record(email, at, providerMessageId) {
      try {
        await client.send(
          new PutCommand({
            TableName: tableName,
            Item: {
              ...key(email.id),
              type: 'email',
              sender: email.from,
              recipients: email.to,
              subject: email.subject,
              sentAt: at.toISOString(),
              ...(providerMessageId ? { sesMessageId: providerMessageId } : {}),
            },
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        );
      } catch (error) {
        if ((error as Error).name === 'ConditionalCheckFailedException') return;
        throw new Error(
          `DynamoDB table "${tableName}": email "${email.id}" was sent but could not be recorded as sent: ${describeError(error)}`,
          { cause: error },
        );
      }
    },
  };
}

function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
