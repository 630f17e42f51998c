import { describe, expect, it } from 'vitest';
import { composeStatementEmail, LOGO_CID } from '../../core/statements/compose-email.js';
import { decodeWords, inlineCidImages, inlineImages, messageHeaders } from './outbox-mime.js';

const logo = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0xff, 0x10]);

const compose = () =>
  composeStatementEmail({
    id: 'statement-acct-1-abc',
    from: 'Tributary <statements@tributary.local>',
    to: ['ana@example.com'],
    subject: `Relevé de compte — juillet ${'et août '.repeat(12)}fin`,
    html: `<p><img src="cid:${LOGO_CID}" alt="logo"> <img src='cid:missing@x'> Balance 39.74</p>`,
    text: 'Balance 39.74',
    logo,
    date: new Date('2024-09-01T10:00:00Z'),
  });

describe('messageHeaders', () => {
  it('reads the header fields in order, unfolded, with encoded words decoded', async () => {
    const email = await compose();
    const fields = messageHeaders(email.raw);
    const names = fields.map((f) => f.name);
    expect(names).toEqual(
      expect.arrayContaining(['From', 'To', 'Subject', 'Message-ID', 'Date', 'MIME-Version']),
    );
    expect(names).not.toContain('Content-ID');
    expect(fields.find((f) => f.name === 'Subject')?.value).toBe(
      `Relevé de compte — juillet ${'et août '.repeat(12)}fin`,
    );
    expect(fields.find((f) => f.name === 'Message-ID')?.value).toBe('<statement-acct-1-abc@tributary.local>');
    expect(fields.find((f) => f.name === 'Date')?.value).toBe('Sun, 01 Sep 2024 10:00:00 +0000');
  });

  it('unfolds a long field and leaves a malformed line out', () => {
    const raw = Buffer.from('Subject: one\r\n two\r\n\tthree\r\nnot a field\r\nX-A: 1\r\n\r\nbody: no\r\n');
    expect(messageHeaders(raw)).toEqual([
      { name: 'Subject', value: 'one two\tthree' },
      { name: 'X-A', value: '1' },
    ]);
  });
});

describe('decodeWords', () => {
  it('decodes B and Q words, joins adjacent ones and keeps what it cannot decode', () => {
    expect(decodeWords('=?UTF-8?B?UmVsZXbDqQ==?= =?utf-8?Q?_d=C3=A9j=C3=A0?=')).toBe('Relevé déjà');
    expect(decodeWords('plain =?iso-8859-1?Q?caf=E9?= text')).toBe('plain café text');
    expect(decodeWords('=?x-unknown?Q?a?=')).toBe('=?x-unknown?Q?a?=');
  });
});

describe('inline images', () => {
  it('finds the logo by Content-ID and shows it from a data: URL; a missing one loads nothing', async () => {
    const email = await compose();
    const images = inlineImages(email.raw);
    expect(images.get(LOGO_CID)).toBe(`data:image/png;base64,${logo.toString('base64')}`);
    const html = inlineCidImages(email.html, images);
    expect(html).toContain(`<img src="data:image/png;base64,${logo.toString('base64')}" alt="logo">`);
    expect(html).toContain(`<img src='data:,'>`);
    expect(html).not.toContain('cid:');
  });
});
