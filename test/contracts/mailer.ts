import { randomBytes } from 'node:crypto';
import { simpleParser } from 'mailparser';
import { beforeEach, describe, expect, it } from 'vitest';
import { readDefaultStatementTemplate } from '../../src/adapters/local/default-template.js';
import { composeStatementEmail } from '../../src/core/statements/compose-email.js';
import { renderStatement } from '../../src/core/statements/render-statement.js';
import type { Mailer, OutgoingEmail } from '../../src/ports/mailer.js';
import { CHALLENGE_SUMMARY } from '../support/fixtures.js';

/** A message as the backend received it, parsed. */
export interface DeliveredEmail {
  to: string[];
  subject: string;
  text: string;
  html: string;
  /** Content-IDs of the inline parts, e.g. `<logo@tributary>`. */
  contentIds: string[];
}

export interface MailerContext {
  mailer: Mailer;
  /** Another mailer over the same record of sent messages: another process or Lambda instance. */
  another(): Mailer;
  /** What the backend received since this setup, oldest first. */
  delivered(): Promise<DeliveredEmail[]>;
}

const now = new Date('2024-09-01T10:00:00Z');

/** The challenge statement, composed as the notify step does, under a fresh id. */
export async function statementEmail(id = `stmt-${randomBytes(4).toString('hex')}`): Promise<OutgoingEmail> {
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

/** Parses a raw RFC 5322 message into what {@link DeliveredEmail} compares. */
export async function parseDelivered(raw: Buffer): Promise<DeliveredEmail> {
  const parsed = await simpleParser(raw, { skipImageLinks: true });
  const to = [parsed.to ?? []].flat().flatMap((address) => address.value.map((entry) => entry.address ?? ''));
  return {
    to,
    subject: parsed.subject ?? '',
    text: parsed.text ?? '',
    html: typeof parsed.html === 'string' ? parsed.html : '',
    contentIds: parsed.attachments.map((attachment) => attachment.contentId ?? ''),
  };
}

/**
 * The Mailer port for every backend: the local outbox, SMTP and SES (aws-ses-v2-local). `setup`
 * runs before each test and gives a mailer whose backend has received nothing yet.
 */
export function mailerContract(name: string, setup: () => Promise<MailerContext>): void {
  describe(`${name}: mailer contract`, () => {
    let context: MailerContext;
    beforeEach(async () => {
      context = await setup();
    });

    it('delivers the composed statement intact: subject, text and HTML parts, inline logo', async () => {
      const email = await statementEmail();
      expect(await context.mailer.send(email)).toBe('sent');

      const delivered = await context.delivered();
      expect(delivered).toHaveLength(1);
      const [message] = delivered;
      expect(message?.to).toEqual(['ada@example.com']);
      expect(message?.subject).toBe('Your statement for account acct-1');
      for (const figure of ['39.74', '35.25', '-15.38', 'July 2024', 'August 2024', '-20.46']) {
        expect(message?.text).toContain(figure);
        expect(message?.html).toContain(figure);
      }
      expect(message?.text).toContain("Hello Ada O'Hara,");
      expect(message?.html).toContain('Hello Ada O&#39;Hara,');
      expect(message?.contentIds).toEqual(['<logo@tributary>']);
    });

    it('delivers an id once: a second send, from this mailer or another, is a duplicate', async () => {
      const email = await statementEmail();
      expect(await context.mailer.send(email)).toBe('sent');
      expect(await context.mailer.send(email)).toBe('duplicate');
      expect(await context.another().send(email)).toBe('duplicate');
      expect(await context.delivered()).toHaveLength(1);
    });

    it('delivers messages of different ids each', async () => {
      const first = await statementEmail();
      const second = await statementEmail();
      expect(await context.mailer.send(first)).toBe('sent');
      expect(await context.another().send(second)).toBe('sent');
      expect(await context.delivered()).toHaveLength(2);
    });
  });
}
