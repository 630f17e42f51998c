import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import {
  MAX_ORDERS_BODY_BYTES,
  MAX_ORDERS_PER_REQUEST,
  MAX_RECORD_ID_LENGTH,
} from '../../core/orders/limits.js';
import { validateOrdersBody } from '../../core/orders/validate-orders.js';
import type { Order } from '../../ports/orders-repository.js';
import { ApiError } from '../errors.js';
import type { ApiServices } from '../services.js';
import { limitParam } from './event-schemas.js';

/**
 * An oversized body is one more invalid body: 400 like the others, as the issue and DESIGN.md
 * say ("an empty, malformed or oversized body is a 400"), not the 413 of the other routes.
 */
const TOO_LARGE_STATUS = 400;

const OrderProblemSchema = z
  .object({
    index: z
      .number()
      .int()
      .optional()
      .openapi({ description: 'the item (0-based); absent for the body as a whole' }),
    field: z.string().optional().openapi({ example: 'parameter_2' }),
    message: z.string().openapi({ example: 'must be a finite number, got the string "NaN"' }),
  })
  .openapi('OrderProblem');

const OrderSchema = z
  .object({
    record_id: z.string(),
    parameter_1: z.string(),
    parameter_2: z.number(),
    status: z.enum(['pending', 'accepted', 'rejected']),
    receivedAt: z.string(),
    expiresAt: z.string(),
    result: z.object({ power: z.number().optional(), decidedAt: z.string() }).optional(),
  })
  .openapi('Order');

const serializeOrder = (order: Order) => ({
  record_id: order.recordId,
  parameter_1: order.parameter1,
  parameter_2: order.parameter2,
  status: order.status,
  receivedAt: order.receivedAt.toISOString(),
  expiresAt: order.expiresAt.toISOString(),
  ...(order.result
    ? {
        result: {
          ...(order.result.power === undefined ? {} : { power: order.result.power }),
          decidedAt: order.result.decidedAt.toISOString(),
        },
      }
    : {}),
});

const invalidOrders = (message: string, details: unknown) =>
  new ApiError(400, 'invalid_orders', message, details);

function tooLarge(c: Context): never {
  const length = Number(c.req.header('content-length'));
  const size =
    Number.isSafeInteger(length) && length > MAX_ORDERS_BODY_BYTES ? `${length} bytes` : 'too large';
  const message = `Request body is ${size}; the limit is ${MAX_ORDERS_BODY_BYTES} bytes (1 MB)`;
  throw new ApiError(TOO_LARGE_STATUS, 'invalid_orders', message, [{ message }]);
}

function isJson(c: Context): boolean {
  const type = (c.req.header('content-type') ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  return type === 'application/json' || (type.startsWith('application/') && type.endsWith('+json'));
}

/** Energy-auction orders: submit (each expires after the TTL), read one, list. */
export function orderRoutes(app: OpenAPIHono, services: ApiServices): void {
  app.post('/orders', bodyLimit({ maxSize: MAX_ORDERS_BODY_BYTES, onError: tooLarge }), async (c) => {
    const text = await c.req.text();
    // An empty body is reported as such whatever its declared type.
    if (text.trim() !== '' && !isJson(c)) {
      const type = c.req.header('content-type');
      throw new ApiError(
        415,
        'unsupported_media_type',
        `send the orders as a JSON array with Content-Type: application/json${type ? `, not ${type}` : ''}`,
      );
    }
    const checked = validateOrdersBody(text);
    if (!checked.ok) throw invalidOrders(checked.message, checked.problems);
    const submitted = await services.orders.submit(checked.orders);
    return c.json(
      {
        accepted: submitted.accepted,
        record_ids: submitted.recordIds,
        expiresAt: submitted.expiresAt.toISOString(),
      },
      201,
    );
  });
  app.openAPIRegistry.registerPath({
    method: 'post',
    path: '/orders',
    summary: `Submit 1 to ${MAX_ORDERS_PER_REQUEST} orders (at most ${MAX_ORDERS_BODY_BYTES} bytes); each expires after ORDER_TTL_HOURS (24 h); a posted record_id replaces the stored order`,
    security: [{ adminToken: [] }],
    request: {
      body: {
        required: true,
        content: {
          'application/json': {
            schema: z
              .array(
                z.object({
                  record_id: z.string().min(1).max(MAX_RECORD_ID_LENGTH),
                  parameter_1: z.string(),
                  parameter_2: z.number(),
                }),
              )
              .min(1)
              .max(MAX_ORDERS_PER_REQUEST)
              .openapi({
                example: [
                  { record_id: 'unique_id_1', parameter_1: 'abc', parameter_2: 4 },
                  { record_id: 'unique_id_2', parameter_1: 'def', parameter_2: 2.1 },
                ],
              }),
          },
        },
      },
    },
    responses: {
      201: {
        description: 'Every order was stored, pending, until expiresAt',
        content: {
          'application/json': {
            schema: z.object({
              accepted: z.number().int(),
              record_ids: z.array(z.string()),
              expiresAt: z.string(),
            }),
          },
        },
      },
      400: {
        description:
          'Nothing was stored: the body is empty (message "Request body is empty"), over the size limit, not JSON, not an array of 1 to 1,000 items, or items are invalid (each problem by index and field, at most 100 listed)',
        content: {
          'application/json': {
            schema: z.object({
              error: z.object({
                code: z.literal('invalid_orders'),
                message: z.string(),
                details: z.array(OrderProblemSchema),
              }),
            }),
          },
        },
      },
      415: { description: 'The body is not declared as JSON' },
    },
  });

  app.openapi(
    createRoute({
      method: 'get',
      path: '/orders/{record_id}',
      summary: 'One order, until it expires',
      security: [{ adminToken: [] }],
      request: { params: z.object({ record_id: z.string() }) },
      responses: {
        200: { description: 'The order', content: { 'application/json': { schema: OrderSchema } } },
        404: { description: 'No such order, or it expired' },
      },
    }),
    async (c) => {
      const { record_id: recordId } = c.req.valid('param');
      const order = await services.orders.get(recordId);
      if (!order) {
        throw new ApiError(
          404,
          'not_found',
          `no order with record_id ${JSON.stringify(recordId.slice(0, 200))} (it was never posted, or it expired)`,
        );
      }
      return c.json(serializeOrder(order), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/orders',
      summary: 'Orders that have not expired, newest first, optionally of one status',
      security: [{ adminToken: [] }],
      request: {
        query: z.object({
          status: z.enum(['pending', 'accepted', 'rejected']).optional(),
          cursor: z.string().optional(),
          limit: limitParam(100),
        }),
      },
      responses: {
        200: {
          description: 'Orders and, when there are more, a cursor',
          content: {
            'application/json': {
              schema: z.object({ orders: z.array(OrderSchema), next: z.string().optional() }),
            },
          },
        },
      },
    }),
    async (c) => {
      const { status, cursor, limit } = c.req.valid('query');
      const page = await services.orders.list({
        limit,
        ...(status ? { status } : {}),
        ...(cursor ? { cursor } : {}),
      });
      return c.json(
        { orders: page.orders.map(serializeOrder), ...(page.next ? { next: page.next } : {}) },
        200,
      );
    },
  );
}
