import MailComposer from 'nodemailer/lib/mail-composer/index.js';
import type { OutgoingEmail } from '../../ports/mailer.js';

/** Content-ID the templates use for the logo: `<img src="cid:logo@tributary">`. */
export const LOGO_CID = 'logo@tributary';

export interface ComposeStatementEmailInput {
  /** Stable id of the message; also gives its `Message-ID`, so a resend is recognisable. */
  id: string;
  from: string;
  to: string[];
  subject: string;
  html: string;
  text: string;
  /** PNG shown inline by the HTML part through `cid:logo@tributary`. */
  logo?: Buffer;
  /** The `Date` header: passed in so the same input composes the same headers. */
  date: Date;
}

/**
 * Composes a statement as a MIME message: `multipart/alternative` with the text part and the HTML
 * part, the latter inside `multipart/related` with the inline logo when one is given.
 * The `Message-ID` is `<id@tributary.local>`, with characters outside `[A-Za-z0-9_-]` of the id
 * percent-encoded so any id yields a valid, distinct Message-ID.
 *
 * @example
 * const email = await composeStatementEmail({ id, from, to: [holder.email], ...rendered, logo, date: clock.now() });
 * await mailer.send(email);
 */
export async function composeStatementEmail(input: ComposeStatementEmailInput): Promise<OutgoingEmail> {
  const composer = new MailComposer({
    from: input.from,
    to: input.to,
    subject: input.subject,
    messageId: messageIdFor(input.id),
    date: input.date,
    text: input.text,
    html: input.html,
    attachments: input.logo
      ? [{ filename: 'logo.png', content: input.logo, contentType: 'image/png', cid: LOGO_CID }]
      : [],
    // Everything is in memory; never let a value be read as a path or URL.
    disableFileAccess: true,
    disableUrlAccess: true,
  });
  const raw = await composer.compile().build();
  return {
    id: input.id,
    from: input.from,
    to: [...input.to],
    subject: input.subject,
    html: input.html,
    text: input.text,
    raw,
  };
}

/** `<id@tributary.local>`, the id made safe for the left-hand side of a msg-id (RFC 5322). */
export function messageIdFor(id: string): string {
  const local = Array.from(new TextEncoder().encode(id), (byte) => {
    const char = String.fromCharCode(byte);
    return /[A-Za-z0-9_-]/.test(char) ? char : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }).join('');
  return `<${local}@tributary.local>`;
}
