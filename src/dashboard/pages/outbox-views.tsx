import type { AlertListing, OutboxListing } from '../../api/services.js';
import { Empty, Json, Status, TableWrap, Time } from '../components.js';
import type { HeaderField } from './outbox-mime.js';

/** `/ui/outbox/<id>`: one email. */
export const emailHref = (id: string): string => `/ui/outbox/${encodeURIComponent(id)}`;

/**
 * A captured email's HTML as it was rendered, in a sandbox: no scripts, no forms, no navigation,
 * and (the `/html` route's own CSP) no request beyond the page itself.
 */
export const EmailFrame = ({ email }: { email: Pick<OutboxListing, 'id' | 'subject'> }) => (
  <iframe
    class="email"
    sandbox=""
    src={`${emailHref(email.id)}/html`}
    title={`Rendered HTML of the email "${email.subject}"`}
  />
);

/** Emails newest first, each linked to its detail page. */
export const EmailsTable = ({ emails, label }: { emails: readonly OutboxListing[]; label: string }) =>
  emails.length === 0 ? (
    <Empty>No emails yet.</Empty>
  ) : (
    <TableWrap label={label}>
      <table>
        <thead>
          <tr>
            <th scope="col">subject</th>
            <th scope="col">to</th>
            <th scope="col">from</th>
            <th scope="col">sent</th>
            <th scope="col">transport</th>
          </tr>
        </thead>
        <tbody>
          {emails.map((email) => (
            <tr data-email={email.id}>
              <th scope="row">
                <a href={emailHref(email.id)}>{email.subject || '(no subject)'}</a>
              </th>
              <td>{email.to.join(', ')}</td>
              <td>{email.from}</td>
              <td>
                <Time value={email.createdAt} />
              </td>
              <td>{email.transport}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableWrap>
  );

/** Alerts newest first, with how their delivery to the webhook went. */
export const AlertsTable = ({ alerts }: { alerts: readonly AlertListing[] }) =>
  alerts.length === 0 ? (
    <Empty>No alerts yet.</Empty>
  ) : (
    <TableWrap label="Alerts">
      <table>
        <thead>
          <tr>
            <th scope="col">raised</th>
            <th scope="col">kind</th>
            <th scope="col">text</th>
            <th scope="col">delivery</th>
            <th scope="col" class="num">
              attempts
            </th>
            <th scope="col">details</th>
          </tr>
        </thead>
        <tbody>
          {alerts.map((alert) => (
            <tr data-alert={alert.id}>
              <td>
                <Time value={alert.createdAt} />
              </td>
              <td>{alert.kind}</td>
              <th scope="row">{alert.text}</th>
              <td>
                <Status value={alert.delivery} />
                {alert.lastError && <p class="help">{alert.lastError}</p>}
              </td>
              <td class="num">{alert.attempts}</td>
              <td>
                <details>
                  <summary aria-label={`Details of alert ${alert.id}`}>details</summary>
                  <Json value={alert.details} />
                </details>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableWrap>
  );

/** The message's header fields as sent, in order. */
export const HeadersTable = ({ fields }: { fields: readonly HeaderField[] }) =>
  fields.length === 0 ? (
    <Empty>No header fields could be read from the raw message.</Empty>
  ) : (
    <TableWrap label="Header fields">
      <table>
        <thead>
          <tr>
            <th scope="col">field</th>
            <th scope="col">value</th>
          </tr>
        </thead>
        <tbody>
          {fields.map((field) => (
            <tr>
              <th scope="row">{field.name}</th>
              <td>
                <code>{field.value}</code>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableWrap>
  );
