import type { Child, FC } from 'hono/jsx';
import type { RejectedRecord, StoredEvent } from '../../ports/events-repository.js';
import { Json, TableWrap, Time } from '../components.js';
import { eventTypes } from './events-filters.js';
import { Payload } from './queues-payload.js';

/** Filter values as the form shows them again (what was typed, valid or not). */
export type FormValues = Partial<Record<'client' | 'account' | 'type' | 'from' | 'to' | 'limit', string>>;

/** Links between the feed and the rejected records. */
export const EventsNav: FC<{ current: 'feed' | 'rejected' }> = ({ current }) => (
  <nav aria-label="Event views" class="actions">
    {(
      [
        ['feed', '/ui/events', 'Client feeds'],
        ['rejected', '/ui/events/rejected', 'Rejected records'],
      ] as const
    ).map(([view, href, label]) => (
      <a
        href={href}
        class={view === current ? 'button' : 'button secondary'}
        aria-current={view === current ? 'page' : undefined}
      >
        {label}
      </a>
    ))}
  </nav>
);

const Field: FC<{ id: string; label: string; children?: Child }> = ({ id, label, children }) => (
  <div>
    <label for={id}>{label}</label>
    {children}
  </div>
);

/** A GET form: the client, then the filters; times are UTC. */
export const FeedForm: FC<{ clients: string[]; values: FormValues }> = ({ clients, values }) => (
  <form method="get" action="/ui/events" class="filters" aria-label="Choose a client and filter its events">
    <Field id="client" label="Client">
      <select id="client" name="client" required>
        <option value="">Choose a client…</option>
        {clients.map((name) => (
          <option value={name} selected={name === values.client}>
            {name}
          </option>
        ))}
      </select>
    </Field>
    <Field id="account" label="Account ID">
      <input id="account" name="account" type="text" value={values.account ?? ''} autocomplete="off" />
    </Field>
    <Field id="type" label="Type">
      <select id="type" name="type">
        <option value="">any type</option>
        {eventTypes.map((type) => (
          <option value={type} selected={type === values.type}>
            {type}
          </option>
        ))}
      </select>
    </Field>
    <Field id="from" label="From (UTC)">
      <input id="from" name="from" type="datetime-local" step="1" value={values.from ?? ''} />
    </Field>
    <Field id="to" label="To (UTC, excluded)">
      <input id="to" name="to" type="datetime-local" step="1" value={values.to ?? ''} />
    </Field>
    <div>
      <button type="submit">Show events</button>
    </div>
  </form>
);

/** A client's events by event time: id, type, account, time, and the payload folded. */
export const EventTable: FC<{ client: string; events: StoredEvent[] }> = ({ client, events }) => (
  <TableWrap label={`Events of ${client}`}>
    <table>
      <caption>{`Events of ${client}, by event time`}</caption>
      <thead>
        <tr>
          <th scope="col">time</th>
          <th scope="col">type</th>
          <th scope="col">account</th>
          <th scope="col">ID</th>
          <th scope="col">source</th>
        </tr>
      </thead>
      {events.map((event) => (
        // One group per event: its fields, then its payload across the whole width, folded.
        <tbody data-event={event.id}>
          <tr>
            <td>
              <Time value={event.time} />
            </td>
            <td>{event.type}</td>
            <td>
              <code>{event.accountId}</code>
            </td>
            <th scope="row">
              <code>{event.id}</code>
            </th>
            <td>{event.source}</td>
          </tr>
          <tr>
            <td colspan={5}>
              <details>
                <summary>{`Payload of ${event.id.slice(0, 8)}`}</summary>
                <Json value={event.event} />
              </details>
            </td>
          </tr>
        </tbody>
      ))}
    </table>
  </TableWrap>
);

/** Filter rejected records by the client they named (any name: they may name an unknown one). */
export const RejectedForm: FC<{ clients: string[]; client?: string | undefined }> = ({ clients, client }) => (
  <form method="get" action="/ui/events/rejected" class="filters" aria-label="Filter rejected records">
    <Field id="rejected-client" label="Client">
      <input
        id="rejected-client"
        name="client"
        type="text"
        list="known-clients"
        value={client ?? ''}
        autocomplete="off"
        aria-describedby="rejected-client-help"
      />
      <datalist id="known-clients">
        {clients.map((name) => (
          <option value={name} />
        ))}
      </datalist>
      <span id="rejected-client-help" class="help">
        Empty: every client.
      </span>
    </Field>
    <div>
      <button type="submit">Show rejected records</button>
    </div>
  </form>
);

/** Refused records, newest first, with every reason and the raw payload. */
export const RejectedTable: FC<{ records: RejectedRecord[] }> = ({ records }) => (
  <TableWrap label="Rejected records">
    <table>
      <caption>Rejected records, newest first</caption>
      <thead>
        <tr>
          <th scope="col">rejected</th>
          <th scope="col">stage</th>
          <th scope="col">client</th>
          <th scope="col">event ID</th>
          <th scope="col">reasons</th>
          <th scope="col">raw payload</th>
        </tr>
      </thead>
      <tbody>
        {records.map((record) => (
          <tr data-rejected={record.id}>
            <th scope="row">
              <Time value={record.rejectedAt} />
            </th>
            <td>{record.stage}</td>
            <td>{record.client ?? '—'}</td>
            <td>{record.eventId ? <code>{record.eventId}</code> : '—'}</td>
            <td>
              <ul class="plain">
                {record.reasons.map((reason) => (
                  <li>
                    {reason.path ? <code>{reason.path}</code> : <em>record</em>}
                    {`: ${reason.message}`}
                  </li>
                ))}
              </ul>
            </td>
            <td>
              <Payload text={record.raw} label="Raw payload" />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  </TableWrap>
);
