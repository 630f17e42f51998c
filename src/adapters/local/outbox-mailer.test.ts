import { describe, expect, it } from 'vitest';
import { useMemoryDb } from '../../../test/support/memory-db.js';
import { composeStatementEmail } from '../../core/statements/compose-email.js';
import type { OutgoingEmail } from '../../ports/mailer.js';
import { createOutboxMailer } from './outbox-mailer.js';

const database = useMemoryDb();
let time = new Date('2024-09-01T10:00:00Z');
const clock = { now: () => time };

function email(id: string, subject = `Statement ${id}`): Promise<OutgoingEmail> {
  return composeStatementEmail({
    id,
    from: 'Tributary <statements@tributary.local>',
    to: ['ada@example.com', 'bob@example.com'],
    subject,
    html: `<p>${subject}</p>`,
    text: subject,
    logo: Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0xff]),
    date: time,
  });
}

describe('createOutboxMailer', () => {
  it('keeps a sent message in full, raw MIME included', async () => {
    const mailer = createOutboxMailer(database(), clock);
    const message = await email('m-1');
    expect(await mailer.send(message)).toBe('sent');

    const entry = await mailer.get('m-1');
    expect(entry).toEqual({
      id: 'm-1',
      from: message.from,
      to: ['ada@example.com', 'bob@example.com'],
      subject: 'Statement m-1',
      html: '<p>Statement m-1</p>',
      text: 'Statement m-1',
      createdAt: time,
      transport: 'outbox',
      raw: message.raw,
    });
    expect(Buffer.isBuffer(entry?.raw)).toBe(true);
    expect(entry?.raw.equals(message.raw)).toBe(true);
  });

  it('stores a message with a known id once and reports the duplicate', async () => {
    const mailer = createOutboxMailer(database(), clock);
    expect(await mailer.send(await email('m-2', 'first'))).toBe('sent');
    expect(await mailer.send(await email('m-2', 'second'))).toBe('duplicate');
    expect((await mailer.get('m-2'))?.subject).toBe('first');
  });

  it('lists every message newest first, without bodies', async () => {
    const mailer = createOutboxMailer(database(), clock);
    time = new Date('2024-09-02T10:00:00Z');
    await mailer.send(await email('m-3'));
    time = new Date('2024-09-03T10:00:00Z');
    await mailer.send(await email('m-4'));

    const list = await mailer.list();
    expect(list.map((entry) => entry.id)).toEqual(['m-4', 'm-3', 'm-2', 'm-1']);
    expect(list[0]).toEqual({
      id: 'm-4',
      from: 'Tributary <statements@tributary.local>',
      to: ['ada@example.com', 'bob@example.com'],
      subject: 'Statement m-4',
      createdAt: new Date('2024-09-03T10:00:00Z'),
      transport: 'outbox',
    });
  });

  it('returns undefined for an unknown id', async () => {
    expect(await createOutboxMailer(database(), clock).get('nope')).toBeUndefined();
  });
});
