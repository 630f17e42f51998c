import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { RecordResult } from '../../core/events/accept-events.js';
import { MAX_RECORD_BYTES, MAX_RECORDS_PER_REQUEST, MAX_REQUEST_BYTES } from '../../core/events/limits.js';
import { ndjsonLines } from '../../core/events/ndjson-lines.js';
import {
  type BatchRecord,
  classifyRecordText,
  parseEventBatch,
} from '../../core/events/parse-event-batch.js';
import { ApiError } from '../errors.js';
import type { ApiServices } from '../services.js';
import { limitParam, Reason, RecordResultSchema, RejectedRecordSchema } from './event-schemas.js';

/** A bulk upload reports at most this many rejected records one by one (and counts them all). */
const MAX_BULK_REJECTIONS = 10_000;

function bodyFormat(c: Context, allowed: readonly ('json' | 'ndjson')[]): 'json' | 'ndjson' {
  const type = (c.req.header('content-type') ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  const format =
    type === 'application/json'
      ? 'json'
      : type === 'application/x-ndjson' || type === 'application/ndjson'
        ? 'ndjson'
        : undefined;
  if (!format || !allowed.includes(format)) {
    const expected = allowed.map((f) => (f === 'json' ? 'application/json' : 'application/x-ndjson'));
    throw new ApiError(
      415,
      'unsupported_media_type',
      `send the events with Content-Type ${expected.join(' or ')}${type ? `, not ${type}` : ''}`,
    );
  }
  return format;
}

function tally(results: readonly RecordResult[]) {
  const accepted = results.filter((r) => r.status === 'accepted').length;
  return { accepted, rejected: results.length - accepted };
}

/** Producers: send events; operators: see what was refused. */
export function eventRoutes(app: OpenAPIHono, services: ApiServices): void {
  app.post(
    '/events',
    bodyLimit({
      maxSize: MAX_REQUEST_BYTES,
      onError: () => {
        throw new ApiError(
          413,
          'too_large',
          `a request holds at most ${MAX_REQUEST_BYTES} bytes; use /events/bulk (tributary events send) for more`,
        );
      },
    }),
    async (c) => {
      const format = bodyFormat(c, ['json', 'ndjson']);
      const parsed = parseEventBatch(await c.req.text(), format);
      if (!parsed.ok) throw new ApiError(400, parsed.error.code, parsed.error.message);
      const results = await services.events.accept(parsed.records);
      return c.json({ ...tally(results), results }, 202);
    },
  );
  app.openAPIRegistry.registerPath({
    method: 'post',
    path: '/events',
    summary: `Send 1 to ${MAX_RECORDS_PER_REQUEST} events (a JSON object, a JSON array, or NDJSON; at most ${MAX_REQUEST_BYTES} bytes)`,
    security: [{ adminToken: [] }],
    request: {
      body: {
        content: {
          'application/json': { schema: z.unknown() },
          'application/x-ndjson': { schema: z.string() },
        },
      },
    },
    responses: {
      202: {
        description:
          'One result per record, in order: accepted (shard, sequence number) or rejected (reasons)',
        content: {
          'application/json': {
            schema: z.object({
              accepted: z.number().int(),
              rejected: z.number().int(),
              results: z.array(RecordResultSchema),
            }),
          },
        },
      },
    },
  });

  app.post('/events/bulk', async (c) => {
    bodyFormat(c, ['ndjson']);
    const body = c.req.raw.body;
    let accepted = 0;
    let rejectedCount = 0;
    const rejections: { line: number; reasons: { path: string; message: string }[] }[] = [];
    let batch: BatchRecord[] = [];
    const flush = async () => {
      const results = await services.events.accept(batch);
      batch = [];
      for (const result of results) {
        if (result.status === 'accepted') {
          accepted++;
          continue;
        }
        rejectedCount++;
        if (rejections.length < MAX_BULK_REJECTIONS)
          rejections.push({ line: result.line ?? result.index + 1, reasons: result.reasons });
      }
    };
    let index = 0;
    const source = (body ?? []) as AsyncIterable<Uint8Array>;
    for await (const item of ndjsonLines(source, { maxLineBytes: MAX_RECORD_BYTES })) {
      batch.push(
        'text' in item
          ? classifyRecordText(item.text, { index, line: item.line })
          : {
              index,
              line: item.line,
              raw: `(not kept: ${item.bytes} bytes)`,
              outcome: {
                status: 'rejected',
                reasons: [
                  { path: '', message: `record is ${item.bytes} bytes; the limit is ${MAX_RECORD_BYTES}` },
                ],
                client: null,
                eventId: null,
              },
            },
      );
      index++;
      if (batch.length === MAX_RECORDS_PER_REQUEST) await flush();
    }
    if (batch.length > 0) await flush();
    return c.json({ accepted, rejected: rejectedCount, rejections }, 202);
  });
  app.openAPIRegistry.registerPath({
    method: 'post',
    path: '/events/bulk',
    summary: 'Stream any number of events as NDJSON; the response counts them and lists rejected lines',
    security: [{ adminToken: [] }],
    request: { body: { content: { 'application/x-ndjson': { schema: z.string() } } } },
    responses: {
      202: {
        description: `Counts, and the first ${MAX_BULK_REJECTIONS} rejected lines with their reasons`,
        content: {
          'application/json': {
            schema: z.object({
              accepted: z.number().int(),
              rejected: z.number().int(),
              rejections: z.array(z.object({ line: z.number().int(), reasons: z.array(Reason) })),
            }),
          },
        },
      },
    },
  });

  app.openapi(
    createRoute({
      method: 'get',
      path: '/events/rejected',
      summary: 'Records that were refused, with every reason and the raw payload',
      security: [{ adminToken: [] }],
      request: {
        query: z.object({
          client: z.string().optional(),
          cursor: z.string().optional(),
          limit: limitParam(100),
        }),
      },
      responses: {
        200: {
          description: 'Rejected records and a cursor for the next page',
          content: {
            'application/json': {
              schema: z.object({ records: z.array(RejectedRecordSchema), next: z.string().optional() }),
            },
          },
        },
      },
    }),
    async (c) => {
      const { client, cursor, limit } = c.req.valid('query');
      const page = await services.events.listRejected({
        limit,
        ...(client ? { client } : {}),
        ...(cursor ? { cursor } : {}),
      });
      const records = page.records.map(({ position, rejectedAt, ...record }) => ({
        ...record,
        ...(position ? { shardId: position.shardId, sequenceNumber: position.sequenceNumber } : {}),
        rejectedAt: rejectedAt.toISOString(),
      }));
      return c.json({ records, ...(page.next ? { next: page.next } : {}) }, 200);
    },
  );
}
