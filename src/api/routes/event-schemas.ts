import { z } from '@hono/zod-openapi';
import type { StoredEvent } from '../../ports/events-repository.js';

export const Reason = z
  .object({
    path: z.string().openapi({ example: 'Event.TransactionID' }),
    message: z.string().openapi({ example: 'required for Type "transaction"' }),
  })
  .openapi('Reason');

export const StoredEventSchema = z
  .object({
    cursor: z.string(),
    id: z.string(),
    client: z.string(),
    source: z.string(),
    type: z.string(),
    accountId: z.string(),
    customerId: z.string(),
    time: z.string(),
    storedAt: z.string(),
    shardId: z.string(),
    sequenceNumber: z.string(),
    event: z.record(z.string(), z.unknown()),
  })
  .openapi('StoredEvent');

export const RecordResultSchema = z
  .object({
    index: z.number().int(),
    line: z.number().int().optional(),
    status: z.enum(['accepted', 'rejected']),
    shardId: z.string().optional(),
    sequenceNumber: z.string().optional(),
    reasons: z.array(Reason).optional(),
    retryable: z.boolean().optional(),
  })
  .openapi('RecordResult');

export const RejectedRecordSchema = z
  .object({
    id: z.string(),
    client: z.string().nullable(),
    eventId: z.string().nullable(),
    stage: z.enum(['ingest', 'validation', 'conflict']),
    reasons: z.array(Reason),
    raw: z.string(),
    shardId: z.string().optional(),
    sequenceNumber: z.string().optional(),
    rejectedAt: z.string(),
  })
  .openapi('RejectedRecord');

export const ConsumerStateSchema = z
  .object({
    client: z.string(),
    name: z.string(),
    committed: z.string(),
    delivered: z.string(),
    leaseExpiresAt: z.string().nullable(),
  })
  .openapi('ConsumerState');

export const serializeEvent = (event: StoredEvent) => ({ ...event, storedAt: event.storedAt.toISOString() });

export const limitParam = (fallback: number) =>
  z.coerce
    .number()
    .int()
    .min(1)
    .max(1000)
    .default(fallback)
    .openapi({ param: { name: 'limit', in: 'query' }, example: fallback });
