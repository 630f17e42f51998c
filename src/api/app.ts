import { timingSafeEqual } from 'node:crypto';
import { OpenAPIHono } from '@hono/zod-openapi';
import { bodyLimit } from 'hono/body-limit';
import { HTTPException } from 'hono/http-exception';
import { ApiError, errorBody } from './errors.js';
import { requireAdminOutsideClientRoutes, setPrincipal } from './principal.js';
import { auctionRoutes } from './routes/auction.js';
import { clientRoutes } from './routes/clients.js';
import { datasetRoutes } from './routes/datasets.js';
import { eventRoutes } from './routes/events.js';
import { objectRoutes } from './routes/objects.js';
import { operationRoutes } from './routes/operations.js';
import { orderRoutes } from './routes/orders.js';
import { reportRoutes } from './routes/reports.js';
import { statementRoutes } from './routes/statements.js';
import type { ApiServices } from './services.js';

/** Largest JSON request body (objects have their own, larger limit). */
export const MAX_JSON_BYTES = 1024 * 1024;

/** Maps errors thrown by the layers below to a status and code. */
const knownErrors: Record<string, [400 | 404 | 409, string]> = {
  InvalidObjectKeyError: [400, 'invalid_key'],
  InvalidBucketNameError: [400, 'invalid_bucket'],
  NoSuchBucketError: [404, 'no_such_bucket'],
  ObjectNotFoundError: [404, 'not_found'],
  UnknownQueueError: [404, 'not_found'],
  InvalidCursorError: [400, 'invalid_cursor'],
  AckBeyondDeliveryError: [409, 'ack_beyond_delivery'],
};

function sameToken(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * The HTTP API: one Hono app, served by Node locally and by API Gateway + Lambda on AWS.
 * Every route but `/health` needs `Authorization: Bearer <admin token>` (unless `auth` is off,
 * which the local server allows on loopback only).
 */
export function createApp(services: ApiServices, options: { auth?: boolean } = {}): OpenAPIHono {
  const auth = options.auth ?? true;
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
    console.error('unhandled API error', error);
    return c.json(errorBody('internal', 'internal error; see the server log'), 500);
  });
  app.notFound((c) =>
    c.json(errorBody('not_found', `no route ${c.req.method} ${new URL(c.req.url).pathname}`), 404),
  );

  app.get('/health', (c) => c.json({ status: 'ok' }));

  app.use('*', async (c, next) => {
    if (!auth) return next();
    const header = c.req.header('authorization') ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match) {
      throw new ApiError(
        401,
        'unauthorized',
        'missing bearer token: send Authorization: Bearer <admin token> (see `tributary token`)',
      );
    }
    const token = match[1] as string;
    if (sameToken(token, services.adminToken)) {
      setPrincipal(c, { kind: 'admin' });
    } else {
      const client = await services.clients.resolveToken(token);
      if (!client) throw new ApiError(403, 'forbidden', 'the token is not valid');
      setPrincipal(c, { kind: 'client', client });
      requireAdminOutsideClientRoutes(c);
    }
    await next();
  });

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

  objectRoutes(app, services);
  statementRoutes(app, services);
  operationRoutes(app, services);
  eventRoutes(app, services);
  clientRoutes(app, services);
  orderRoutes(app, services);
  auctionRoutes(app, services);
  reportRoutes(app, services);
  datasetRoutes(app, services);

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
