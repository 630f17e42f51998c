import type { Context, Hono } from 'hono';
import type { Child, FC } from 'hono/jsx';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { Empty, Notice } from '../components.js';
import { Page } from '../layout.js';
import type { DashboardServices } from '../services.js';
import {
  DEFAULT_LIMIT,
  describeIssue,
  feedQuery,
  queryString,
  rejectedQuery,
  toEventQuery,
} from './events-filters.js';
import {
  EventsNav,
  EventTable,
  FeedForm,
  type FormValues,
  RejectedForm,
  RejectedTable,
} from './events-views.js';

/** A cursor the repository refuses (edited, truncated, another client's): the operator's input. */
const isCursorError = (error: unknown) => error instanceof Error && error.name === 'InvalidCursorError';

const cursorProblem = (error: unknown) => `Bad filter "cursor": ${(error as Error).message}.`;

/** The next page (and the first, once paged): cursor links that keep the filters. */
const Pager: FC<{ path: string; values: Record<string, string | undefined>; next?: string | undefined }> = ({
  path,
  values,
  next,
}) =>
  next || values.cursor ? (
    <nav aria-label="Pages" class="actions">
      {values.cursor && (
        <a class="button secondary" href={`${path}${queryString({ ...values, cursor: undefined })}`}>
          First page
        </a>
      )}
      {next && (
        <a class="button secondary" href={`${path}${queryString({ ...values, cursor: next })}`} rel="next">
          Next page
        </a>
      )}
    </nav>
  ) : null;

const FeedPage: FC<{ clients: string[]; values: FormValues; error?: string; children?: Child }> = ({
  clients,
  values,
  error,
  children,
}) => (
  <Page title="Events" current="events">
    <EventsNav current="feed" />
    {error && <Notice kind="error">{error}</Notice>}
    {clients.length === 0 ? (
      <Empty>
        No events clients yet. Add one with <code>tributary clients add &lt;name&gt;</code> (or{' '}
        <code>POST /clients</code>) to read the events sent for it.
      </Empty>
    ) : (
      <FeedForm clients={clients} values={values} />
    )}
    {children}
  </Page>
);

async function feedPage(c: Context, services: DashboardServices) {
  const raw = c.req.query();
  const clients = (await services.api.clients.listClients()).map((client) => client.name).sort();
  const values = raw as FormValues;
  const fail = (status: ContentfulStatusCode, error: string) =>
    c.html(<FeedPage clients={clients} values={values} error={error} />, status);

  const parsed = feedQuery.safeParse(raw);
  if (!parsed.success) return fail(400, describeIssue(parsed.error));
  const filters = parsed.data;
  if (!filters.client) {
    return c.html(
      <FeedPage clients={clients} values={values}>
        {clients.length > 0 && <p class="muted">Choose a client to read its events.</p>}
      </FeedPage>,
    );
  }
  if (!clients.includes(filters.client)) {
    return fail(
      404,
      `Unknown client "${filters.client}" (filter "client"): the clients are ${clients.join(', ') || 'none yet'}.`,
    );
  }
  let page: Awaited<ReturnType<DashboardServices['api']['events']['query']>>;
  try {
    page = await services.api.events.query(filters.client, toEventQuery(filters));
  } catch (error) {
    if (isCursorError(error)) return fail(400, cursorProblem(error));
    throw error;
  }
  const { client, account, type, from, to, cursor, limit } = filters;
  const links = {
    client,
    account,
    type,
    from,
    to,
    cursor,
    limit: limit === undefined ? undefined : String(limit),
  };
  return c.html(
    <FeedPage clients={clients} values={values}>
      <p>
        {`${page.events.length === 0 ? 'No' : page.events.length} event${page.events.length === 1 ? '' : 's'}`}
        {cursor ? ' on this page' : ''}
        {page.next ? `; more on the next page (${limit ?? DEFAULT_LIMIT} a page).` : '.'}
      </p>
      {page.events.length > 0 && <EventTable client={client} events={page.events} />}
      <Pager path="/ui/events" values={links} next={page.next} />
    </FeedPage>,
  );
}

const RejectedPage: FC<{
  clients: string[];
  client?: string | undefined;
  error?: string;
  children?: Child;
}> = ({ clients, client, error, children }) => (
  <Page title="Rejected events" current="events">
    <EventsNav current="rejected" />
    {error && <Notice kind="error">{error}</Notice>}
    <p class="muted">
      Records that were refused at the edge, by the schema, or as a conflicting duplicate ID, newest first.
      Nothing is lost: each keeps every reason and its raw payload.
    </p>
    <RejectedForm clients={clients} client={client} />
    {children}
  </Page>
);

async function rejectedPage(c: Context, services: DashboardServices) {
  const raw = c.req.query();
  const clients = (await services.api.clients.listClients()).map((client) => client.name).sort();
  const fail = (error: string) =>
    c.html(<RejectedPage clients={clients} client={raw.client} error={error} />, 400);
  const parsed = rejectedQuery.safeParse(raw);
  if (!parsed.success) return fail(describeIssue(parsed.error));
  const { client, cursor, limit } = parsed.data;
  let page: Awaited<ReturnType<DashboardServices['api']['events']['listRejected']>>;
  try {
    page = await services.api.events.listRejected({
      limit: limit ?? DEFAULT_LIMIT,
      ...(client ? { client } : {}),
      ...(cursor ? { cursor } : {}),
    });
  } catch (error) {
    if (isCursorError(error)) return fail(cursorProblem(error));
    throw error;
  }
  const links = { client, cursor, limit: limit === undefined ? undefined : String(limit) };
  return c.html(
    <RejectedPage clients={clients} client={client}>
      {page.records.length === 0 ? (
        <Empty>{client ? `No rejected records name client "${client}".` : 'No rejected records.'}</Empty>
      ) : (
        <RejectedTable records={page.records} />
      )}
      <Pager path="/ui/events/rejected" values={links} next={page.next} />
    </RejectedPage>,
  );
}

/**
 * `/ui/events`: a client's events by event time, filtered by account, type and a UTC time range,
 * paged by cursor; `/ui/events/rejected`: refused records with every reason and the raw payload.
 */
export function registerEventPages(app: Hono, services: DashboardServices): void {
  app.get('/ui/events', (c) => feedPage(c, services));
  app.get('/ui/events/rejected', (c) => rejectedPage(c, services));
}
