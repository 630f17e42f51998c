import { OpenAPIHono } from '@hono/zod-openapi';
import { bodyLimit } from 'hono/body-limit';
import { HTTPException } from 'hono/http-exception';
import { type Authentication, authenticate, type PrincipalSource } from './authorize.js';
import { ApiError, errorBody } from './errors.js';
import { auctionRoutes } from './routes/auction.js';
import { clientRoutes } from './routes/clients.js';
import { datasetRoutes } from './routes/datasets.js';
import { eventRoutes } from './routes/events.js';
import { objectRoutes } from './routes/objects.js';
import { operationRoutes } from './routes/operations.js';
import { orderRoutes } from './routes/orders.js';
import { reportRoutes } from './routes/reports.js';
import { statementRoutes } from './routes/statements.js';
import { type ApiServices, type RouteGroup, routeGroupServices } from './services.js';

/** Largest JSON request body (objects have their own, larger limit). */
export const MAX_JSON_BYTES = 1024 * 1024;

/** Maps errors thrown by the layers below to a status and code (the dashboard maps them too). */
export const knownErrors: Record<string, [400 | 404 | 409, string]> = {
  InvalidObjectKeyError: [400, 'invalid_key'],
  InvalidBucketNameError: [400, 'invalid_bucket'],
  NoSuchBucketError: [404, 'no_such_bucket'],
  ObjectNotFoundError: [404, 'not_found'],
  UnknownQueueError: [404, 'not_found'],
  InvalidCursorError: [400, 'invalid_cursor'],
  AckBeyondDeliveryError: [409, 'ack_beyond_delivery'],
  UnstorableTextError: [400, 'invalid_text'],
};

const routeGroups: Record<RouteGroup, (app: OpenAPIHono, services: ApiServices) => void> = {
  objects: objectRoutes,
  statements: statementRoutes,
  operations: operationRoutes,
  events: eventRoutes,
  clients: clientRoutes,
  orders: orderRoutes,
  auction: auctionRoutes,
  reports: reportRoutes,
  datasets: datasetRoutes,
};

export interface AppOptions {
  /**
   * Check bearer tokens (default). `false` treats every request as the operator's: the local
   * server allows that on loopback only. Ignored with `principalFrom`.
   */
  auth?: boolean;
  /**
   * Take the principal from whoever authenticated the request before it reached the app (on AWS,
   * `principalFromAuthorizer`: the API Gateway authorizer) instead of checking the bearer here.
   * `undefined` is a 401, as a missing token is.
   */
  principalFrom?: PrincipalSource;
  /**
   * The route groups to serve. Default: every group whose services are all given. A listed group
   * whose services are missing is a start-up error, not a 404 later.
   */
  routes?: readonly RouteGroup[];
  /** Where unexpected errors are logged (default: `console.error`); a Powertools Logger fits. */
  logger?: { error(message: string, ...attributes: Record<string, unknown>[]): void };
}

const has = (services: Partial<ApiServices>, group: RouteGroup) =>
  routeGroupServices[group].every((name) => services[name] !== undefined);

/**
 * The HTTP API: one Hono app, served by Node locally and by API Gateway + Lambda on AWS, where
 * each function builds it with only the services of its own routes.
 * Every route but `/health` needs `Authorization: Bearer <admin token>` (or a client's token for
 * its own `/clients/<client>/…`), checked here or by the authorizer in front (`principalFrom`).
 *
 * @example
 * // An AWS Lambda entry: the orders routes, behind the API Gateway authorizer.
 * export const handler = handle(createApp({ orders }, { routes: ['orders'], principalFrom: principalFromAuthorizer }));
 */
export function createApp(services: Partial<ApiServices>, options: AppOptions = {}): OpenAPIHono {
  const groups = options.routes ?? (Object.keys(routeGroups) as RouteGroup[]).filter((g) => has(services, g));
  for (const group of groups) {
    if (!has(services, group)) {
      const missing = routeGroupServices[group].filter((name) => services[name] === undefined);
      throw new Error(`createApp: route group "${group}" needs services ${missing.join(', ')}`);
    }
  }
  const authentication = authenticationOf(services, options);
  const logger = options.logger ?? {
    error: (message, ...attributes) => console.error(message, attributes[0]?.error),
  };
  const app = new OpenAPIHono({
    defaultHook: (result) => {
      if (!result.success) {
        const details = result.error.issues.map((issue) => ({
          path: issue.path.join('.'),
          message: issue.message,
        }));
        const summary = details.map((d) => (d.path ? `${d.path}: ${d.message}` : d.message)).join('; ');
        throw new ApiError(400, 'invalid_request', `invalid request: ${summary}`, details);
      }
      return undefined;
    },
  });

  app.onError((error, c) => {
    if (error instanceof ApiError) {
      return c.json(errorBody(error.code, error.message, error.details), error.status);
    }
    const known = knownErrors[error.name];
    if (known) return c.json(errorBody(known[1], error.message), known[0]);
    if (error instanceof HTTPException) {
      const status = error.status;
      if (status === 415) {
        return c.json(
          errorBody('unsupported_media_type', 'send the body as JSON with Content-Type: application/json'),
          415,
        );
      }
      const code = status === 400 ? 'bad_request' : status === 413 ? 'too_large' : 'http_error';
      return c.json(errorBody(code, error.message || 'request failed'), status);
    }
    // The client went away mid-request (a stalled upload cut off): nobody to answer, nothing to log.
    if (c.req.raw.signal.aborted)
      return c.json(errorBody('aborted', 'the client closed the connection'), 400);
    logger.error('unhandled API error', { error });
    return c.json(errorBody('internal', 'internal error; see the server log'), 500);
  });
  app.notFound((c) =>
    c.json(errorBody('not_found', `no route ${c.req.method} ${new URL(c.req.url).pathname}`), 404),
  );

  app.get('/health', (c) => c.json({ status: 'ok' }));

  app.use('*', authenticate(authentication));

  app.use('*', async (c, next) => {
    // These routes set their own limits (larger for objects and events; orders and datasets answer
    // 400, not 413).
    if (c.req.method === 'PUT' && c.req.path.startsWith('/buckets/')) return next();
    if (c.req.method === 'POST' && c.req.path.startsWith('/events')) return next();
    if (c.req.method === 'POST' && c.req.path === '/orders') return next();
    if (c.req.method === 'POST' && c.req.path.startsWith('/datasets/')) return next();
    return bodyLimit({
      maxSize: MAX_JSON_BYTES,
      onError: () => {
        throw new ApiError(413, 'too_large', `request bodies are limited to ${MAX_JSON_BYTES} bytes`);
      },
    })(c, next);
  });

  // In one order whatever the caller listed; every group served has all its services (checked above).
  for (const [group, register] of Object.entries(routeGroups)) {
    if (groups.includes(group as RouteGroup)) register(app, services as ApiServices);
  }

  app.doc31('/openapi.json', {
    openapi: '3.1.0',
    info: { title: 'Tributary', version: '0.1.0', description: 'Local server of the Tributary pipelines' },
  });
  app.openAPIRegistry.registerComponent('securitySchemes', 'adminToken', { type: 'http', scheme: 'bearer' });
  app.openAPIRegistry.registerComponent('securitySchemes', 'clientToken', {
    type: 'http',
    scheme: 'bearer',
    description: `a client's own token (tributary clients add); reads only /clients/<client>/…`,
  });
  return app;
}

function authenticationOf(services: Partial<ApiServices>, options: AppOptions): Authentication {
  if (options.principalFrom) return { kind: 'upstream', principalFrom: options.principalFrom };
  if (options.auth === false) return { kind: 'none' };
  if (!services.auth) {
    throw new Error(
      'createApp: checking bearer tokens needs services.auth (or principalFrom, or auth: false)',
    );
  }
  return { kind: 'bearer', check: services.auth };
}

/**
 * The routes an app serves, in API Gateway syntax (`GET /orders/{record_id}`), as the topology
 * lists them. `/health` and `/openapi.json` are left out: every app serves them.
 */
export function servedRoutes(app: OpenAPIHono): string[] {
  const routes = app.routes
    .filter(({ method, path }) => method !== 'ALL' && path !== '/health' && path !== '/openapi.json')
    .map(({ method, path }) => `${method} ${path.replace(/:(\w+)/g, '{$1}').replace(/\*$/, '{proxy+}')}`);
  return [...new Set(routes)];
}
