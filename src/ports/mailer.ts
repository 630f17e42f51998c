/** A fully composed email. `raw` is the RFC 5322 message (MIME), ready to send as is. */
export interface OutgoingEmail {
  /** Stable id chosen by the sender; the same id is never delivered twice by the outbox. */
  id: string;
  from: string;
  to: string[];
  subject: string;
  html: string;
  text: string;
  raw: Buffer;
}

/** Mailer port: outbox locally, SMTP when configured, SES on AWS. */
export interface Mailer {
  /** Returns `'sent'`, or `'duplicate'` when a message with this id was already delivered. */
  send(email: OutgoingEmail): Promise<'sent' | 'duplicate'>;
}
