import type { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { AlertListing, OutboxListing } from '../../api/services.js';
import { formatBytes, formatNumber, Notice, Time } from '../components.js';
import { Page } from '../layout.js';
import type { DashboardServices } from '../services.js';
import { attachmentDisposition } from './buckets-listing.js';
import { inlineCidImages, inlineImages, messageHeaders } from './outbox-mime.js';
import { AlertsTable, EmailFrame, EmailsTable, emailHref, HeadersTable } from './outbox-views.js';

/** Most emails the outbox page lists; the outbox keeps every one. */
const MAX_EMAILS = 500;

/**
 * What a captured email's HTML may do in its frame: show its own inline styles and `data:`
 * images, nothing else (no script, no request, no form), in a sandbox even if opened directly.
 */
export const EMAIL_HTML_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox";

const OutboxPage = ({ emails, alerts }: { emails: OutboxListing[]; alerts: AlertListing[] }) => (
  <Page title="Outbox" current="outbox">
    <p class="muted">
      Every email the pipelines sent (kept here whether or not SMTP delivered it too) and every alert raised,
      with how its delivery to the webhook went.
    </p>
    <h2 id="emails">{`Emails (${formatNumber(emails.length)})`}</h2>
    {emails.length > MAX_EMAILS && (
      <Notice>{`Showing the newest ${formatNumber(MAX_EMAILS)} of ${formatNumber(emails.length)} emails.`}</Notice>
    )}
    <EmailsTable emails={emails.slice(0, MAX_EMAILS)} label="Emails" />
    <h2 id="alerts">{`Alerts (${formatNumber(alerts.length)})`}</h2>
    <AlertsTable alerts={alerts} />
  </Page>
);

type Email = OutboxListing & { html: string; text: string; raw: Buffer };

const EmailPage = ({ email }: { email: Email }) => (
  <Page title={email.subject || '(no subject)'} current="outbox">
    <nav aria-label="Breadcrumbs">
      <ol class="breadcrumbs">
        <li>
          <a href="/ui/outbox">Outbox</a>
        </li>
        <li>
          <span aria-current="page">{email.id}</span>
        </li>
      </ol>
    </nav>
    <dl class="meta">
      <dt>from</dt>
      <dd>{email.from}</dd>
      <dt>to</dt>
      <dd>{email.to.join(', ')}</dd>
      <dt>sent</dt>
      <dd>
        <Time value={email.createdAt} />
      </dd>
      <dt>transport</dt>
      <dd>{email.transport}</dd>
      <dt>id</dt>
      <dd>
        <code>{email.id}</code>
      </dd>
      <dt>size</dt>
      <dd>{formatBytes(email.raw.byteLength)}</dd>
    </dl>
    <div class="actions">
      <a
        class="button secondary"
        href={`${emailHref(email.id)}/eml`}
        download
        aria-label={`Download .eml of ${email.id}`}
      >
        Download .eml
      </a>
    </div>
    <h2>As rendered</h2>
    <EmailFrame email={email} />
    <h2>Text part</h2>
    <section aria-label="Text part">
      <pre tabindex={0}>{email.text}</pre>
    </section>
    <h2>Header fields</h2>
    <HeadersTable fields={messageHeaders(email.raw)} />
  </Page>
);

/**
 * `/ui/outbox`: emails and alerts; `/ui/outbox/:id`: one email with its rendered HTML (framed
 * from `/ui/outbox/:id/html`, which sets its own strict headers), text part and header fields;
 * `/ui/outbox/:id/eml`: the raw message.
 */
export function registerOutboxPages(app: Hono, services: DashboardServices): void {
  const emailOr404 = async (id: string): Promise<Email> => {
    const email = await services.api.outbox.get(id);
    if (!email) throw new HTTPException(404, { message: `No email with id "${id}" in the outbox.` });
    return email;
  };

  app.get('/ui/outbox', async (c) => {
    const [emails, alerts] = await Promise.all([services.api.outbox.list(), services.api.alerts.list()]);
    return c.html(<OutboxPage emails={emails} alerts={alerts} />);
  });

  app.get('/ui/outbox/:id', async (c) => c.html(<EmailPage email={await emailOr404(c.req.param('id'))} />));

  app.get('/ui/outbox/:id/html', async (c) => {
    // app.tsx leaves this path without the dashboard's headers: these are stricter.
    c.header('Content-Security-Policy', EMAIL_HTML_CSP);
    c.header('X-Content-Type-Options', 'nosniff');
    c.header('X-Frame-Options', 'SAMEORIGIN');
    c.header('Referrer-Policy', 'no-referrer');
    const id = c.req.param('id');
    const email = await services.api.outbox.get(id);
    if (!email) return c.text(`No email with id "${id}" in the outbox.`, 404);
    c.header('Content-Type', 'text/html; charset=utf-8');
    return c.body(inlineCidImages(email.html, inlineImages(email.raw)));
  });

  app.get('/ui/outbox/:id/eml', async (c) => {
    const email = await emailOr404(c.req.param('id'));
    c.header('Content-Type', 'message/rfc822');
    c.header('Content-Disposition', attachmentDisposition(`${email.id}.eml`));
    return c.body(new Uint8Array(email.raw));
  });
}
