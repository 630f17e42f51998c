import { createTransport } from 'nodemailer';
import type { Clock } from '../../ports/clock.js';
import type { Mailer } from '../../ports/mailer.js';
import type { SqlClient } from '../sql/sql-client.js';
import { isInOutbox, recordInOutbox } from './outbox-mailer.js';

/**
 * A mailer that delivers over SMTP (`SMTP_URL`, e.g. `smtp://user:pass@mail.example.com:587` or
 * `smtps://…:465`; nodemailer's URL query options such as `?ignoreTLS=true` apply) and records
 * each delivered message in the `outbox` table with `transport = 'smtp'`, so the dashboard shows
 * it and a second send of the same id is skipped (`'duplicate'`).
 *
 * Delivery is at-least-once: the message is recorded only after the server accepted it, so a
 * crash between the two (or two concurrent sends of one id) delivers it again. The `Message-ID`
 * derives from the id, so receivers can recognise the repeat.
 *
 * Throws at construction when the URL is not `smtp://` or `smtps://`, so a bad configuration
 * fails at start-up rather than on the first statement.
 */
export function createSmtpMailer(smtpUrl: string, db: SqlClient, clock: Clock): Mailer {
  assertSmtpUrl(smtpUrl);
  const transport = createTransport(smtpUrl);
  return {
    async send(email) {
      if (await isInOutbox(db, email.id)) return 'duplicate';
      await transport.sendMail({ envelope: { from: email.from, to: email.to }, raw: email.raw });
      // When a concurrent send of the same id recorded it first, this call still delivered it: 'sent'.
      await recordInOutbox(db, email, 'smtp', clock.now());
      return 'sent';
    },
  };
}

function assertSmtpUrl(smtpUrl: string): void {
  let url: URL | undefined;
  try {
    url = new URL(smtpUrl);
  } catch {
    url = undefined;
  }
  if (url && (url.protocol === 'smtp:' || url.protocol === 'smtps:') && url.hostname) return;
  // Never echo the whole value: it may carry a password.
  const got = url ? `${url.protocol}//${url.host}` : 'a value that is not a URL';
  throw new Error(
    `SMTP_URL must be smtp:// or smtps:// with a host (e.g. smtp://user:pass@mail.example.com:587), got ${got}`,
  );
}
