import { readFile } from 'node:fs/promises';
import { simpleParser } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { composeStatementEmail, messageIdFor } from './compose-email.js';

const date = new Date('2024-09-01T10:00:00Z');
const html = '<p>Hello <b>Ada</b> <img src="cid:logo@tributary" alt="Tributary"> — 39,74 €</p>';
const text = 'Hello Ada — 39,74 €\n';
const base = {
  id: 'statement-acct-1',
  from: 'Tributary <statements@tributary.local>',
  to: ['Ada Lovelace <ada@example.com>', 'bob@example.com'],
  subject: 'Your statement for account acct-1 — Ñ',
  html,
  text,
  date,
};

describe('composeStatementEmail', () => {
  it('builds a multipart/alternative message whose HTML shows the inline logo', async () => {
    const logo = await readFile(new URL('./templates/logo.png', import.meta.url));
    const email = await composeStatementEmail({ ...base, logo });
    expect(email).toMatchObject({
      id: base.id,
      from: base.from,
      to: base.to,
      subject: base.subject,
      html,
      text,
    });

    const raw = email.raw.toString('latin1');
    expect(raw).toMatch(/Content-Type: multipart\/alternative/i);
    expect(raw).toMatch(/Content-Type: multipart\/related/i);

    // skipImageLinks: keep `cid:` links as sent instead of inlining them as data: URIs.
    const parsed = await simpleParser(email.raw, { skipImageLinks: true });
    expect(parsed.subject).toBe(base.subject);
    expect(parsed.messageId).toBe('<statement-acct-1@tributary.local>');
    expect(parsed.date?.toISOString()).toBe(date.toISOString());
    expect(parsed.from?.value).toEqual([{ address: 'statements@tributary.local', name: 'Tributary' }]);
    const to = Array.isArray(parsed.to) ? parsed.to : [parsed.to];
    expect(to.flatMap((address) => address?.value.map((entry) => entry.address))).toEqual([
      'ada@example.com',
      'bob@example.com',
    ]);
    expect(parsed.text).toBe(text);
    expect(parsed.html).toBe(html);

    expect(parsed.attachments).toHaveLength(1);
    const [attachment] = parsed.attachments;
    expect(attachment?.contentType).toBe('image/png');
    expect(attachment?.contentId).toBe('<logo@tributary>');
    expect(attachment?.contentDisposition).toBe('inline');
    expect(attachment?.related).toBe(true);
    expect(attachment?.content.equals(logo)).toBe(true);
  });

  it('leaves out the related part when there is no logo', async () => {
    const email = await composeStatementEmail(base);
    expect(email.raw.toString('latin1')).not.toMatch(/multipart\/related/i);
    const parsed = await simpleParser(email.raw);
    expect(parsed.attachments).toHaveLength(0);
    expect(parsed.text).toBe(text);
    expect(parsed.html).toBe(html);
  });

  it('gives the same headers for the same input', async () => {
    const headers = async () => {
      const raw = (await composeStatementEmail(base)).raw.toString('latin1');
      return raw.slice(0, raw.indexOf('\r\n\r\n')).replace(/boundary="[^"]+"/, '');
    };
    expect(await headers()).toBe(await headers());
  });
});

describe('messageIdFor', () => {
  it('keeps a plain id readable and encodes anything else', () => {
    expect(messageIdFor('acct-1_2024')).toBe('<acct-1_2024@tributary.local>');
    expect(messageIdFor('a b<c>@%')).toBe('<a%20b%3Cc%3E%40%25@tributary.local>');
    expect(messageIdFor('ü')).toBe('<%C3%BC@tributary.local>');
  });
});
