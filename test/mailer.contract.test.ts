import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe } from 'vitest';
import { createOutboxMailer } from '../src/adapters/local/outbox-mailer.js';
import { createSmtpMailer } from '../src/adapters/local/smtp-mailer.js';
import { ManualClock } from '../src/runtime/clock.js';
import { mailerContract, parseDelivered } from './contracts/mailer.js';
import { useMemoryDb } from './support/memory-db.js';

const database = useMemoryDb(['outbox']);
const clock = new ManualClock('2024-09-01T10:00:00Z');

describe('outbox mailer', () => {
  mailerContract('outbox', async () => {
    const mailer = createOutboxMailer(database(), clock);
    return {
      mailer,
      another: () => createOutboxMailer(database(), clock),
      delivered: async () => {
        const entries = (await mailer.list()).reverse();
        return Promise.all(
          entries.map(async (entry) => parseDelivered((await mailer.get(entry.id))?.raw ?? Buffer.alloc(0))),
        );
      },
    };
  });
});

describe('SMTP mailer', () => {
  let received: Buffer[] = [];
  let server: SMTPServer;
  let smtpUrl: string;
  beforeAll(async () => {
    server = new SMTPServer({
      secure: false,
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onData(stream, _session, callback) {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => {
          received.push(Buffer.concat(chunks));
          callback();
        });
      },
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    smtpUrl = `smtp://127.0.0.1:${(server.server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(resolve)));

  mailerContract('SMTP', async () => {
    received = [];
    return {
      mailer: createSmtpMailer(smtpUrl, database(), clock),
      another: () => createSmtpMailer(smtpUrl, database(), clock),
      delivered: () => Promise.all(received.map(parseDelivered)),
    };
  });
});
