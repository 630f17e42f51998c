import type { AddressInfo } from 'node:net';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CHALLENGE_SUMMARY } from '../../../test/support/fixtures.js';
import { composeStatementEmail } from '../../core/statements/compose-email.js';
import { renderStatement } from '../../core/statements/render-statement.js';
import { migrate } from '../sql/migrate.js';
import { openPGlite } from '../sql/pglite-client.js';
import type { SqlClient } from '../sql/sql-client.js';
import { readDefaultStatementTemplate } from './default-template.js';
import { createOutboxMailer } from './outbox-mailer.js';
import { createSmtpMailer } from './smtp-mailer.js';

interface Received {
  from: string;
  to: string[];
  raw: Buffer;
}

let received: Received[] = [];
let server: SMTPServer;
let smtpUrl: string;
let db: SqlClient;
const now = new Date('2024-09-01T10:00:00Z');
const clock = { now: () => now };

beforeAll(async () => {
  server = new SMTPServer({
    secure: false,
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const envelope = session.envelope;
        received.push({
          from: envelope.mailFrom ? envelope.mailFrom.address : '',
          to: envelope.rcptTo.map((rcpt) => rcpt.address),
          raw: Buffer.concat(chunks),
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  smtpUrl = `smtp://127.0.0.1:${(server.server.address() as AddressInfo).port}`;
  db = await openPGlite();
  await migrate(db);
});
beforeEach(() => {
  received = [];
});
afterAll(async () => {
  await new Promise<void>((resolve) => server.close(resolve));
  await db.close();
});

async function statementEmail(id: string) {
  const { html: template, logo } = await readDefaultStatementTemplate();
  const rendered = renderStatement({
    template,
    holder: { name: "Ada O'Hara", email: 'ada@example.com' },
    summary: CHALLENGE_SUMMARY,
    now,
  });
  return composeStatementEmail({
    id,
    from: 'Tributary <statements@tributary.local>',
    to: ['Ada <ada@example.com>'],
    ...rendered,
    logo,
    date: now,
  });
}

describe('createSmtpMailer', () => {
  it('delivers the statement over SMTP and records it in the outbox', async () => {
    const mailer = createSmtpMailer(smtpUrl, db, clock);
    const email = await statementEmail('stmt-1');
    expect(await mailer.send(email)).toBe('sent');

    expect(received).toHaveLength(1);
    const [message] = received;
    expect(message?.from).toBe('statements@tributary.local');
    expect(message?.to).toEqual(['ada@example.com']);

    const parsed = await simpleParser(message?.raw ?? Buffer.alloc(0), { skipImageLinks: true });
    expect(parsed.subject).toBe('Your statement for account acct-1');
    expect(parsed.messageId).toBe('<stmt-1@tributary.local>');
    for (const figure of ['39.74', '35.25', '-15.38', 'July 2024', 'August 2024', '-20.46']) {
      expect(parsed.text).toContain(figure);
      expect(parsed.html).toContain(figure);
    }
    expect(parsed.text).toContain("Hello Ada O'Hara,");
    expect(parsed.html).toContain('Hello Ada O&#39;Hara,');
    expect(parsed.html).toContain('src="cid:logo@tributary"');
    expect(parsed.attachments.map((attachment) => attachment.contentId)).toEqual(['<logo@tributary>']);

    const entry = await createOutboxMailer(db, clock).get('stmt-1');
    expect(entry).toMatchObject({ id: 'stmt-1', transport: 'smtp', createdAt: now });
    expect(entry?.raw.equals(email.raw)).toBe(true);
  });

  it('does not resend a message whose id was already delivered', async () => {
    const mailer = createSmtpMailer(smtpUrl, db, clock);
    const email = await statementEmail('stmt-2');
    expect(await mailer.send(email)).toBe('sent');
    expect(await mailer.send(email)).toBe('duplicate');
    expect(await createSmtpMailer(smtpUrl, db, clock).send(email)).toBe('duplicate');
    expect(received).toHaveLength(1);
  });

  it('records nothing when delivery fails, so a retry can deliver it', async () => {
    const mailer = createSmtpMailer('smtp://127.0.0.1:1', db, clock);
    await expect(mailer.send(await statementEmail('stmt-3'))).rejects.toThrow();
    expect(await createOutboxMailer(db, clock).get('stmt-3')).toBeUndefined();
  });

  it.each([
    ['http://mail.example.com', 'got http://mail.example.com'],
    ['mail.example.com:25', 'got mail.example.com:'],
    ['not a url', 'got a value that is not a URL'],
    ['smtp://', 'got smtp://'],
  ])('refuses SMTP_URL %s at construction', (url, got) => {
    expect(() => createSmtpMailer(url, db, clock)).toThrow(/^SMTP_URL must be smtp:\/\/ or smtps:\/\//);
    expect(() => createSmtpMailer(url, db, clock)).toThrow(got);
  });

  it('does not echo the password of a refused SMTP_URL', () => {
    expect(() => createSmtpMailer('ftp://user:s3cret@mail.example.com', db, clock)).toThrow(
      /^(?!.*s3cret).*got ftp:\/\/mail\.example\.com$/,
    );
  });
});
