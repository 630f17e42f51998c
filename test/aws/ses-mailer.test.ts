import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SESv2Client, type SendEmailCommand } from '@aws-sdk/client-sesv2';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDynamoSentLog, createSesMailer, type SentLog } from '../../src/adapters/aws/ses-mailer.js';
import { ManualClock } from '../../src/runtime/clock.js';
import { type DeliveredEmail, mailerContract, statementEmail } from '../contracts/mailer.js';
import {
  clientConfig,
  createTable,
  type Emulator,
  startDynalite,
  startSesLocal,
} from '../support/aws-emulators.js';

let dynalite: Emulator;
let ses: Emulator;
let documents: DynamoDBDocumentClient;
let sesClient: SESv2Client;
let tableName: string;
const clock = new ManualClock('2024-09-01T10:00:00Z');

beforeAll(async () => {
  [dynalite, ses] = await Promise.all([startDynalite(), startSesLocal()]);
  documents = DynamoDBDocumentClient.from(new DynamoDBClient(clientConfig(dynalite.endpoint)));
  sesClient = new SESv2Client(clientConfig(ses.endpoint));
  tableName = await createTable(dynalite.endpoint, 'statements');
});
afterAll(async () => {
  documents?.destroy();
  sesClient?.destroy();
  await Promise.all([dynalite?.stop(), ses?.stop()]);
});

interface StoredEmail {
  subject: string;
  destination: { to: string[] };
  body: { text?: string; html?: string };
  attachments: { contentId?: string }[];
}

/** What aws-ses-v2-local accepted, oldest first (it parses each raw message on receipt). */
async function store(): Promise<StoredEmail[]> {
  const response = await fetch(`${ses.endpoint}/store`);
  return ((await response.json()) as { emails: StoredEmail[] }).emails;
}

function toDelivered(email: StoredEmail): DeliveredEmail {
  return {
    to: email.destination.to.map((address) => /<([^>]+)>/.exec(address)?.[1] ?? address),
    subject: email.subject,
    text: email.body.text ?? '',
    html: email.body.html ?? '',
    contentIds: email.attachments.map((attachment) => attachment.contentId ?? ''),
  };
}

function sesMailer(sent: SentLog = createDynamoSentLog({ client: documents, tableName })) {
  return createSesMailer({ client: sesClient, sent, clock });
}

describe('SES mailer on aws-ses-v2-local, sent log on dynalite', () => {
  mailerContract('SES', async () => {
    const before = (await store()).length;
    return {
      mailer: sesMailer(),
      another: () => sesMailer(),
      delivered: async () => (await store()).slice(before).map(toDelivered),
    };
  });

  it('records a sent message in the statements table under EMAIL#<id>, without its body', async () => {
    const email = await statementEmail();
    expect(await sesMailer().send(email)).toBe('sent');
    const { Item } = await documents.send(
      new GetCommand({ TableName: tableName, Key: { pk: `EMAIL#${email.id}`, sk: 'EMAIL' } }),
    );
    expect(Item).toEqual({
      pk: `EMAIL#${email.id}`,
      sk: 'EMAIL',
      type: 'email',
      sender: 'Tributary <statements@tributary.local>',
      recipients: ['Ada <ada@example.com>'],
      subject: 'Your statement for account acct-1',
      sentAt: '2024-09-01T10:00:00.000Z',
      sesMessageId: expect.any(String),
    });
  });

  it('keeps the first record of an id: a second record changes nothing', async () => {
    const log = createDynamoSentLog({ client: documents, tableName });
    const email = await statementEmail();
    expect(await log.has(email.id)).toBe(false);
    await log.record(email, new Date('2024-09-01T10:00:00Z'));
    await log.record({ ...email, subject: 'other' }, new Date('2024-09-02T10:00:00Z'));
    expect(await log.has(email.id)).toBe(true);
    const { Item } = await documents.send(
      new GetCommand({ TableName: tableName, Key: { pk: `EMAIL#${email.id}`, sk: 'EMAIL' } }),
    );
    expect(Item).toMatchObject({
      subject: 'Your statement for account acct-1',
      sentAt: '2024-09-01T10:00:00.000Z',
    });
  });

  it('records nothing when SES refuses the message, so a retry can deliver it', async () => {
    const unreachable = new SESv2Client({ ...clientConfig('http://127.0.0.1:1'), maxAttempts: 1 });
    const email = await statementEmail();
    try {
      const mailer = createSesMailer({
        client: unreachable,
        sent: createDynamoSentLog({ client: documents, tableName }),
      });
      await expect(mailer.send(email)).rejects.toThrow(
        `SES did not send email "${email.id}" from Tributary <statements@tributary.local> to Ada <ada@example.com>: `,
      );
    } finally {
      unreachable.destroy();
    }
    expect(await createDynamoSentLog({ client: documents, tableName }).has(email.id)).toBe(false);
    expect(await sesMailer().send(email)).toBe('sent');
  });

  it('names the table when the sent log cannot be read', async () => {
    const log = createDynamoSentLog({ client: documents, tableName: 'no-such-table' });
    await expect(log.has('m-1')).rejects.toThrow(
      /^DynamoDB table "no-such-table": could not read the sent log for email "m-1": ResourceNotFoundException/,
    );
  });
});

describe('SES mailer request', () => {
  it('sends the raw MIME message with its envelope and the configuration set', async () => {
    const requests: SendEmailCommand['input'][] = [];
    const recorded: string[] = [];
    const mailer = createSesMailer({
      client: {
        async send(command) {
          requests.push(command.input);
          return { MessageId: 'ses-1', $metadata: {} };
        },
      },
      sent: { has: async () => false, record: async (email) => void recorded.push(email.id) },
      configurationSetName: 'tributary-dev',
    });
    const email = await statementEmail('m-raw');
    expect(await mailer.send(email)).toBe('sent');
    expect(requests).toEqual([
      {
        FromEmailAddress: 'Tributary <statements@tributary.local>',
        Destination: { ToAddresses: ['Ada <ada@example.com>'] },
        Content: { Raw: { Data: email.raw } },
        ConfigurationSetName: 'tributary-dev',
      },
    ]);
    expect(recorded).toEqual(['m-raw']);
  });
});
