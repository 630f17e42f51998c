import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import { ApiError } from '../errors.js';
import type { ApiServices, DeadLetter } from '../services.js';

const OutboxEntry = z
  .object({
    id: z.string(),
    from: z.string(),
    to: z.array(z.string()),
    subject: z.string(),
    createdAt: z.string(),
    transport: z.string(),
  })
  .openapi('OutboxEntry');

const DeadLetterSchema = z
  .object({
    messageId: z.string(),
    queue: z.string(),
    sourceQueue: z.string().nullable(),
    receiveCount: z.number().int(),
    sentAt: z.string(),
    lastError: z.string().nullable(),
    body: z.string(),
  })
  .openapi('DeadLetter');

const StreamStatusSchema = z
  .object({
    stream: z.string(),
    shardCount: z.number().int(),
    retentionHours: z.number(),
    shards: z.array(
      z.object({
        shardId: z.string(),
        startingHashKey: z.string(),
        endingHashKey: z.string(),
        records: z.number().int(),
        lastSequenceNumber: z.string().nullable(),
      }),
    ),
    consumers: z.array(
      z.object({
        consumer: z.string(),
        shardId: z.string(),
        checkpoint: z.string().nullable(),
        lag: z.number().int(),
        attempts: z.number().int(),
        failingSequenceNumber: z.string().nullable(),
        retryAt: z.string().nullable(),
        lastError: z.string().nullable(),
        batchLimit: z.number().int().nullable(),
        leasedUntil: z.string().nullable(),
      }),
    ),
  })
  .openapi('StreamStatus');

const serialize = (letter: DeadLetter) => ({ ...letter, sentAt: letter.sentAt.toISOString() });

/** Outbox, dead-letter queues and traces: the operator's routes. */
export function operationRoutes(app: OpenAPIHono, services: ApiServices): void {
  app.openapi(
    createRoute({
      method: 'get',
      path: '/outbox',
      summary: 'Every email sent, newest first',
      responses: {
        200: {
          description: 'Emails',
          content: { 'application/json': { schema: z.object({ emails: z.array(OutboxEntry) }) } },
        },
      },
    }),
    async (c) => {
      const emails = await services.outbox.list();
      return c.json({ emails: emails.map((e) => ({ ...e, createdAt: e.createdAt.toISOString() })) }, 200);
    },
  );

  // Before /outbox/{id}, which would take "alerts" for an id.
  app.openapi(
    createRoute({
      method: 'get',
      path: '/outbox/alerts',
      summary:
        'Every alert raised (rejected orders, failed auctions), newest first, with its webhook delivery',
      responses: {
        200: {
          description: 'Alerts',
          content: {
            'application/json': {
              schema: z.object({
                alerts: z.array(
                  z.object({
                    id: z.string(),
                    kind: z.string(),
                    text: z.string(),
                    details: z.unknown(),
                    createdAt: z.string(),
                    delivery: z.string(),
                    attempts: z.number().int(),
                    lastError: z.string().nullable(),
                  }),
                ),
              }),
            },
          },
        },
      },
    }),
    async (c) => {
      const alerts = await services.alerts.list();
      return c.json({ alerts: alerts.map((a) => ({ ...a, createdAt: a.createdAt.toISOString() })) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/outbox/{id}',
      summary: 'One email: JSON with both parts, or the raw message with ?format=eml',
      request: {
        params: z.object({ id: z.string() }),
        query: z.object({ format: z.enum(['json', 'eml']).optional() }),
      },
      responses: {
        200: {
          description: 'The email',
          content: {
            'application/json': { schema: OutboxEntry.extend({ html: z.string(), text: z.string() }) },
            'message/rfc822': { schema: z.string() },
          },
        },
        404: { description: 'No such email' },
      },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const entry = await services.outbox.get(id);
      if (!entry) throw new ApiError(404, 'not_found', `no email "${id}" in the outbox`);
      if (c.req.valid('query').format === 'eml') {
        return c.body(new Uint8Array(entry.raw), 200, {
          'Content-Type': 'message/rfc822',
          'Content-Disposition': `attachment; filename="${id.replace(/[^\w.-]/g, '_')}.eml"`,
        });
      }
      const { raw: _raw, ...rest } = entry;
      return c.json({ ...rest, createdAt: entry.createdAt.toISOString() }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/dlq',
      summary: 'Messages in every dead-letter queue, with the reason each failed',
      responses: {
        200: {
          description: 'Dead letters',
          content: { 'application/json': { schema: z.object({ messages: z.array(DeadLetterSchema) }) } },
        },
      },
    }),
    async (c) => c.json({ messages: (await services.deadLetters.list()).map(serialize) }, 200),
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/dlq/{id}/replay',
      summary: 'Move a dead letter (or every one, with id "all") back to its source queue',
      request: { params: z.object({ id: z.string().min(1) }) },
      responses: {
        200: {
          description: 'Replayed',
          content: { 'application/json': { schema: z.object({ replayed: z.number() }) } },
        },
        404: { description: 'No such dead letter' },
      },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const replayed = await services.deadLetters.replay(id === 'all' ? 'all' : [id]);
      if (replayed === 0 && id !== 'all') throw new ApiError(404, 'not_found', `no dead letter "${id}"`);
      return c.json({ replayed }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/queues/{queue}/messages',
      summary: 'Purge a queue',
      request: { params: z.object({ queue: z.string() }) },
      responses: {
        200: {
          description: 'Purged',
          content: { 'application/json': { schema: z.object({ purged: z.number() }) } },
        },
        404: { description: 'No such queue' },
      },
    }),
    async (c) => {
      const { queue } = c.req.valid('param');
      if (!services.queueNames().includes(queue)) {
        throw new ApiError(
          404,
          'not_found',
          `no queue "${queue}"; queues: ${services.queueNames().join(', ')}`,
        );
      }
      return c.json({ purged: await services.deadLetters.purge(queue) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/streams',
      summary: "Each stream's shards, and each consumer's checkpoint, lag and retry state per shard",
      responses: {
        200: {
          description: 'Streams',
          content: { 'application/json': { schema: z.object({ streams: z.array(StreamStatusSchema) }) } },
        },
      },
    }),
    async (c) => {
      const streams = (await services.streams()).map((stream) => ({
        ...stream,
        consumers: stream.consumers.map(({ retryAt, leasedUntil, ...consumer }) => ({
          ...consumer,
          retryAt: retryAt?.toISOString() ?? null,
          leasedUntil: leasedUntil?.toISOString() ?? null,
        })),
      }));
      return c.json({ streams }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/traces/{id}',
      summary: 'Whether the work an upload triggered has settled',
      request: { params: z.object({ id: z.string().min(1) }) },
      responses: {
        200: {
          description: 'Trace status',
          content: {
            'application/json': {
              schema: z.object({
                traceId: z.string(),
                pending: z.number(),
                settled: z.boolean(),
                deadLetters: z.array(DeadLetterSchema),
              }),
            },
          },
        },
      },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const pending = await services.pendingWork(id);
      const deadLetters = (await services.traceDeadLetters(id)).map(serialize);
      return c.json({ traceId: id, pending, settled: pending === 0, deadLetters }, 200);
    },
  );
}
