import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import { CLIENT_NAME_PATTERN } from '../../core/events/schema-registry.js';
import type { ConsumerState } from '../../ports/events-repository.js';
import { ApiError } from '../errors.js';
import { requireClientAccess } from '../principal.js';
import type { ApiServices } from '../services.js';
import { ConsumerStateSchema, limitParam, StoredEventSchema, serializeEvent } from './event-schemas.js';

const name = (what: string) =>
  z
    .string()
    .regex(
      CLIENT_NAME_PATTERN,
      `a ${what} name is 1 to 128 letters, digits, ".", "_" or "-", starting with a letter or digit`,
    );
const clientParams = z.object({ client: name('client') });
const consumerParams = z.object({ client: name('client'), name: name('consumer') });
const rfc3339 = z.iso.datetime({ offset: true });
const security: { [scheme: string]: string[] }[] = [{ adminToken: [] }, { clientToken: [] }];

const serializeState = <T extends ConsumerState>(state: T) => ({
  ...state,
  leaseExpiresAt: state.leaseExpiresAt?.toISOString() ?? null,
});

const json = <T extends z.ZodType>(description: string, schema: T) => ({
  200: { description, content: { 'application/json': { schema } } },
});

/** Clients: registration (operator), and each client's own feed, queries and consumer groups. */
export function clientRoutes(app: OpenAPIHono, services: ApiServices): void {
  app.openapi(
    createRoute({
      method: 'post',
      path: '/clients',
      summary: 'Register an events client and get its token (shown once); rotate replaces the token',
      security: [{ adminToken: [] }],
      request: {
        body: {
          content: {
            'application/json': {
              schema: z.object({ name: name('client'), rotate: z.boolean().optional() }),
            },
          },
        },
      },
      responses: {
        201: {
          description: 'The client and its token',
          content: {
            'application/json': {
              schema: z.object({
                client: z.string(),
                status: z.enum(['created', 'rotated']),
                token: z.string(),
              }),
            },
          },
        },
      },
    }),
    async (c) => {
      const { name: client, rotate } = c.req.valid('json');
      const result = await services.clients.add(client, { rotate: rotate ?? false });
      if (result.status === 'exists' || !result.token) {
        throw new ApiError(
          409,
          'client_exists',
          `client "${client}" exists; rotate its token (tributary clients add ${client} --rotate) to get a new one`,
        );
      }
      return c.json({ client, status: result.status, token: result.token }, 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/clients',
      summary: 'Registered events clients',
      security: [{ adminToken: [] }],
      responses: json(
        'Clients',
        z.object({ clients: z.array(z.object({ name: z.string(), createdAt: z.string() })) }),
      ),
    }),
    async (c) => {
      const clients = await services.clients.listClients();
      return c.json({ clients: clients.map((x) => ({ ...x, createdAt: x.createdAt.toISOString() })) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/clients/{client}/events',
      summary: "A client's events in ingestion order after a cursor; late events are never skipped",
      security,
      request: {
        params: clientParams,
        query: z.object({ after: z.string().optional(), limit: limitParam(100) }),
      },
      responses: json(
        'Events and the cursor to continue from',
        z.object({ events: z.array(StoredEventSchema), next: z.string() }),
      ),
    }),
    async (c) => {
      const { client } = c.req.valid('param');
      requireClientAccess(c, client);
      const { after, limit } = c.req.valid('query');
      const page = await services.events.feed(client, { limit, ...(after ? { after } : {}) });
      return c.json({ events: page.events.map(serializeEvent), next: page.next }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/clients/{client}/events/query',
      summary: "A client's events sorted by event time, filtered by account, type and time range [from, to)",
      security,
      request: {
        params: clientParams,
        query: z.object({
          account: z.string().optional(),
          type: z.string().optional(),
          from: rfc3339.optional(),
          to: rfc3339.optional(),
          cursor: z.string().optional(),
          limit: limitParam(100),
        }),
      },
      responses: json(
        'Events and, when there are more, a cursor',
        z.object({ events: z.array(StoredEventSchema), next: z.string().optional() }),
      ),
    }),
    async (c) => {
      const { client } = c.req.valid('param');
      requireClientAccess(c, client);
      const { account, type, from, to, cursor, limit } = c.req.valid('query');
      const page = await services.events.query(client, {
        limit,
        // Account IDs are UUIDs, stored lowercased.
        ...(account ? { account: account.toLowerCase() } : {}),
        ...(type ? { type } : {}),
        ...(from ? { fromMs: Date.parse(from) } : {}),
        ...(to ? { toMs: Date.parse(to) } : {}),
        ...(cursor ? { cursor } : {}),
      });
      return c.json(
        { events: page.events.map(serializeEvent), ...(page.next ? { next: page.next } : {}) },
        200,
      );
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/clients/{client}/consumers/{name}/poll',
      summary:
        'The next page for a named consumer group; unacknowledged events are handed out again once the lease expires',
      security,
      request: {
        params: consumerParams,
        query: z.object({
          limit: limitParam(100),
          leaseSeconds: z.coerce.number().int().min(1).max(43_200).default(30),
        }),
      },
      responses: json(
        'Events, the cursor to acknowledge, and the group state',
        ConsumerStateSchema.extend({
          events: z.array(StoredEventSchema),
          ackCursor: z.string(),
          redelivered: z.boolean(),
        }),
      ),
    }),
    async (c) => {
      const { client, name: consumer } = c.req.valid('param');
      requireClientAccess(c, client);
      const { limit, leaseSeconds } = c.req.valid('query');
      const page = await services.events.poll(client, consumer, { limit, leaseSeconds });
      return c.json({ ...serializeState(page), events: page.events.map(serializeEvent) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/clients/{client}/consumers/{name}/ack',
      summary: 'Commit a consumer group up to a cursor it was given (idempotent)',
      security,
      request: {
        params: consumerParams,
        body: { content: { 'application/json': { schema: z.object({ cursor: z.string().min(1) }) } } },
      },
      responses: json('The group state', ConsumerStateSchema),
    }),
    async (c) => {
      const { client, name: consumer } = c.req.valid('param');
      requireClientAccess(c, client);
      const state = await services.events.ack(client, consumer, c.req.valid('json').cursor);
      return c.json(serializeState(state), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/clients/{client}/consumers/{name}',
      summary: "A consumer group's committed and delivered positions",
      security,
      request: { params: consumerParams },
      responses: json('The group state', ConsumerStateSchema),
    }),
    async (c) => {
      const { client, name: consumer } = c.req.valid('param');
      requireClientAccess(c, client);
      const state = await services.events.getConsumer(client, consumer);
      if (!state)
        throw new ApiError(404, 'not_found', `client "${client}" has no consumer group "${consumer}"`);
      return c.json(serializeState(state), 200);
    },
  );
}
