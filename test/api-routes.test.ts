import type { APIGatewayEventRequestContextV2 } from 'aws-lambda';
import { handle, type LambdaEvent } from 'hono/aws-lambda';
import { describe, expect, it } from 'vitest';
import { createApp, servedRoutes } from '../src/api/app.js';
import { principalFromAuthorizer } from '../src/api/authorize.js';
import {
  type ApiServices,
  type RouteGroup,
  routeGroupServices,
  type ServicesFor,
} from '../src/api/services.js';
import type { Principal } from '../src/core/access/authorize-bearer.js';
import { defaultRoutingRules } from '../src/core/loader/routing-rules.js';
import { ManualClock } from '../src/runtime/clock.js';
import { type FunctionTrigger, isApiTrigger, topology } from '../src/topology.js';

/**
 * The route groups each API function's entry (src/aws/functions/<name>.ts) builds its app with.
 * The tests below hold this table to the topology.
 */
const groupsOf: Record<string, readonly RouteGroup[]> = {
  'events-api': ['events', 'clients'],
  'orders-api': ['orders'],
  'reports-api': ['reports', 'datasets'],
};

/**
 * Routes a deployed group serves that no function claims, and why. API Gateway sends a route
 * only to a function that lists it, so these answer 404 on AWS.
 */
const localOnly: Record<string, string> = {
  'POST /events/bulk':
    'streams a body of any length; Lambda buffers at most 6 MB, so on AWS producers send batches to POST /events',
};

const apiFunctions = Object.entries(topology.functions).flatMap(([name, fn]) => {
  const trigger: FunctionTrigger = fn.trigger;
  return isApiTrigger(trigger) ? [{ name, routes: [...trigger.routes] as string[] }] : [];
});

/** Stand-ins for every service: serving a route touches none of them. */
function standIns(groups: readonly RouteGroup[]): Partial<ApiServices> {
  const names = groups.flatMap((group) => routeGroupServices[group]);
  return Object.fromEntries(names.map((name) => [name, {}]));
}

/**
 * An HTTP API (payload 2.0) request as API Gateway hands it to the function, with the context of
 * the authorizer that admitted it (none: the route has no authorizer, or it was bypassed).
 */
function gatewayEvent(
  method: string,
  target: string,
  principal: Principal | undefined,
  body?: unknown,
): LambdaEvent {
  const url = new URL(target, 'https://api.example.com');
  const requestContext: APIGatewayEventRequestContextV2 & { authorizer?: unknown } = {
    accountId: '123456789012',
    apiId: 'abcdef123',
    domainName: 'abcdef123.execute-api.eu-west-1.amazonaws.com',
    domainPrefix: 'abcdef123',
    http: { method, path: url.pathname, protocol: 'HTTP/1.1', sourceIp: '203.0.113.7', userAgent: 'test' },
    requestId: 'r-1',
    routeKey: `${method} ${url.pathname}`,
    stage: '$default',
    time: '01/Sep/2024:00:00:00 +0000',
    timeEpoch: 1_725_148_800_000,
    ...(principal ? { authorizer: { principalId: '', integrationLatency: 3, lambda: principal } } : {}),
  };
  return {
    version: '2.0',
    routeKey: `${method} ${url.pathname}`,
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    headers: {
      host: 'abcdef123.execute-api.eu-west-1.amazonaws.com',
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    requestContext,
    body: body === undefined ? null : JSON.stringify(body),
    isBase64Encoded: false,
    // hono's own event type is narrower than @types/aws-lambda's (it wants an authorizer always).
  } as unknown as LambdaEvent;
}

const admin: Principal = { kind: 'admin' };
const barclays: Principal = { kind: 'client', client: 'barclays' };
const bodyOf = (result: { body: string }) => JSON.parse(result.body) as Record<string, unknown>;

describe('the API split into functions', () => {
  it('builds each API function from route groups that serve every route it lists', () => {
    expect(Object.keys(groupsOf).sort()).toEqual(apiFunctions.map((fn) => fn.name).sort());
    for (const { name, routes } of apiFunctions) {
      const groups = groupsOf[name] ?? [];
      const app = createApp(standIns(groups), { routes: groups, principalFrom: principalFromAuthorizer });
      expect(servedRoutes(app), name).toEqual(expect.arrayContaining(routes));
    }
  });

  it('leaves no route of a deployed group unclaimed, except the local-only ones', () => {
    for (const { name, routes } of apiFunctions) {
      const groups = groupsOf[name] ?? [];
      const app = createApp(standIns(groups), { routes: groups, principalFrom: principalFromAuthorizer });
      const unclaimed = servedRoutes(app).filter((route) => !routes.includes(route) && !(route in localOnly));
      expect(unclaimed, name).toEqual([]);
    }
    const claimed = apiFunctions.flatMap((fn) => fn.routes);
    for (const route of Object.keys(localOnly)) expect(claimed).not.toContain(route);
  });

  it('refuses at start-up to serve a group without its services, or to check tokens without services.auth', () => {
    expect(() => createApp({}, { routes: ['orders'], auth: false })).toThrow(
      'createApp: route group "orders" needs services orders',
    );
    expect(() =>
      createApp({ loader: {} as ApiServices['loader'] }, { routes: ['datasets'], auth: false }),
    ).toThrow(/needs services loaderRules, clock/);
    expect(() => createApp({})).toThrow(/needs services\.auth/);
  });

  it('serves by default only the groups whose services are all given', () => {
    const routes = servedRoutes(createApp(standIns(['orders']), { auth: false }));
    expect(routes.sort()).toEqual(['GET /orders', 'GET /orders/{record_id}', 'POST /orders']);
  });
});

describe('orders-api behind the authorizer', () => {
  const clock = new ManualClock('2024-09-01T00:00:00Z');
  const submitted: string[] = [];
  const services: ServicesFor<'orders'> = {
    orders: {
      async submit(orders) {
        submitted.push(...orders.map((order) => order.recordId));
        const expiresAt = new Date(clock.now().getTime() + 86_400_000);
        return {
          accepted: orders.length,
          recordIds: orders.map((o) => o.recordId),
          receivedAt: clock.now(),
          expiresAt,
        };
      },
      get: async () => undefined,
      list: async () => ({ orders: [] }),
    },
  };
  const handler = handle(createApp(services, { routes: ['orders'], principalFrom: principalFromAuthorizer }));

  it('takes orders from a request the authorizer admitted as the operator', async () => {
    const orders = [{ record_id: 'r-1', parameter_1: 'a', parameter_2: 1 }];
    const result = await handler(gatewayEvent('POST', '/orders', admin, orders));
    expect(result.statusCode).toBe(201);
    expect(bodyOf(result)).toEqual({
      accepted: 1,
      record_ids: ['r-1'],
      expiresAt: '2024-09-02T00:00:00.000Z',
    });
    expect(submitted).toEqual(['r-1']);
  });

  it('answers 401 without an authorizer decision and 403 to a client token, as the local server does', async () => {
    const anonymous = await handler(gatewayEvent('GET', '/orders/r-1', undefined));
    expect(anonymous.statusCode).toBe(401);
    expect(bodyOf(anonymous)).toMatchObject({ error: { code: 'unauthorized' } });
    const client = await handler(gatewayEvent('GET', '/orders/r-1', barclays));
    expect(client.statusCode).toBe(403);
    expect(bodyOf(client)).toMatchObject({ error: { code: 'forbidden' } });
    expect((await handler(gatewayEvent('GET', '/orders/r-1', admin))).statusCode).toBe(404);
  });

  it('does not take an authorizer context it cannot read as a principal', async () => {
    const forged = gatewayEvent('GET', '/orders', { kind: 'root' } as unknown as Principal);
    expect((await handler(forged)).statusCode).toBe(401);
  });
});

describe('events-api behind the authorizer', () => {
  const read: string[] = [];
  const services: ServicesFor<'events' | 'clients'> = {
    events: {
      accept: async (records) =>
        records.map((r) => ({ index: r.index, status: 'rejected', reasons: [] }) as never),
      feed: async (client) => {
        read.push(client);
        return { events: [], next: 'c-0' };
      },
      query: async () => ({ events: [] }),
      listRejected: async () => ({ records: [] }),
      poll: async () => {
        throw new Error('not used');
      },
      ack: async () => {
        throw new Error('not used');
      },
      getConsumer: async () => undefined,
    },
    clients: {
      add: async () => ({ status: 'created', token: 'trc_new' }),
      listClients: async () => [],
    },
  };
  const handler = handle(
    createApp(services, { routes: ['events', 'clients'], principalFrom: principalFromAuthorizer }),
  );

  it("lets a client read its own feed and nobody else's, and keeps it off the operator's routes", async () => {
    const own = await handler(gatewayEvent('GET', '/clients/barclays/events?limit=5', barclays));
    expect(own.statusCode).toBe(200);
    expect(bodyOf(own)).toEqual({ events: [], next: 'c-0' });
    expect(read).toEqual(['barclays']);
    const other = await handler(gatewayEvent('GET', '/clients/monzo/events', barclays));
    expect(other.statusCode).toBe(403);
    expect((await handler(gatewayEvent('GET', '/events/rejected', barclays))).statusCode).toBe(403);
    expect((await handler(gatewayEvent('POST', '/clients', barclays, { name: 'monzo' }))).statusCode).toBe(
      403,
    );
    expect(read).toEqual(['barclays']);
  });

  it('lets the operator register a client and read any feed', async () => {
    const created = await handler(gatewayEvent('POST', '/clients', admin, { name: 'monzo' }));
    expect(created.statusCode).toBe(201);
    expect(bodyOf(created)).toEqual({ client: 'monzo', status: 'created', token: 'trc_new' });
    expect((await handler(gatewayEvent('GET', '/clients/monzo/events', admin))).statusCode).toBe(200);
  });
});

describe('reports-api behind the authorizer', () => {
  const services: ServicesFor<'reports' | 'datasets'> = {
    loader: {
      hiresByQuarter: async () => [{ department: 'Staff', job: 'Recruiter', q1: 1, q2: 0, q3: 2, q4: 0 }],
      departmentsAboveMean: async () => {
        throw new Error('connection refused');
      },
      insertRows: async () => {
        throw new Error('not used');
      },
      listFiles: async () => [],
      listRejected: async () => [],
    },
    loaderRules: defaultRoutingRules,
    clock: new ManualClock('2024-09-01T00:00:00Z'),
  };
  const logged: { message: string; attributes: Record<string, unknown>[] }[] = [];
  const logger = {
    error: (message: string, ...attributes: Record<string, unknown>[]) =>
      logged.push({ message, attributes }),
  };
  const handler = handle(
    createApp(services, { routes: ['reports', 'datasets'], principalFrom: principalFromAuthorizer, logger }),
  );

  it('answers a report to the operator', async () => {
    const result = await handler(gatewayEvent('GET', '/reports/hires-by-quarter?year=2021', admin));
    expect(result.statusCode).toBe(200);
    expect(bodyOf(result)).toMatchObject({
      report: 'hires-by-quarter',
      year: 2021,
      rows: [{ department: 'Staff', job: 'Recruiter', q1: 1, q2: 0, q3: 2, q4: 0 }],
    });
  });

  it("answers an unexpected failure with a JSON 500 and logs it through the function's logger", async () => {
    const result = await handler(gatewayEvent('GET', '/reports/departments-above-mean?year=2021', admin));
    expect(result.statusCode).toBe(500);
    expect(bodyOf(result)).toMatchObject({ error: { code: 'internal' } });
    expect(logged).toEqual([
      { message: 'unhandled API error', attributes: [{ error: new Error('connection refused') }] },
    ]);
  });

  it('does not serve the routes of other functions', async () => {
    expect((await handler(gatewayEvent('GET', '/orders', admin))).statusCode).toBe(404);
  });
});
