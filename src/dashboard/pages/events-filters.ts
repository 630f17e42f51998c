import { z } from 'zod';
import { defaultSchemaRegistry } from '../../core/events/schema-registry.js';
import type { EventQuery } from '../../ports/events-repository.js';

/** Event types of every schema version: the type filter offers these. */
export const eventTypes: readonly string[] = [
  ...new Set(
    defaultSchemaRegistry.versions.flatMap((version) =>
      Object.keys(defaultSchemaRegistry.get(version)?.types ?? {}),
    ),
  ),
];

export const DEFAULT_LIMIT = 50;

// An empty field of a GET form arrives as `name=`: it means "no filter".
const optional = <T extends z.ZodType>(schema: T) =>
  z.preprocess((value) => (value === '' ? undefined : value), schema.optional());

/** What a `datetime-local` input sends (no zone): read as UTC. */
const LOCAL_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?$/;

/** Epoch ms of a `datetime-local` value taken as UTC, or undefined when it is no real time. */
export function parseUtcLocal(value: string): number | undefined {
  const m = LOCAL_TIME.exec(value);
  if (!m) return undefined;
  const [year, month, day, hour, minute, second = '0', fraction = '0'] = m.slice(1) as string[];
  const ms = Date.UTC(+year!, +month! - 1, +day!, +hour!, +minute!, +second, +fraction.padEnd(3, '0'));
  const back = new Date(ms);
  // Date.UTC rolls 30 February over to March: a time that does not round-trip does not exist.
  const exists =
    back.getUTCFullYear() === +year! &&
    back.getUTCMonth() === +month! - 1 &&
    back.getUTCDate() === +day! &&
    back.getUTCHours() === +hour! &&
    back.getUTCMinutes() === +minute!;
  return exists && +second < 60 ? ms : undefined;
}

const utcTime = z.string().refine((value) => parseUtcLocal(value) !== undefined, {
  error: (issue) =>
    `"${String(issue.input).slice(0, 40)}" is not a date and time; use YYYY-MM-DDTHH:MM (UTC)`,
});

const cursor = z.string().max(4096, { error: 'is too long to be a cursor' });
const limit = optional(
  z.coerce
    .number({ error: 'must be a number' })
    .int({ error: 'must be a whole number' })
    .min(1, { error: 'must be at least 1' })
    .max(500, { error: 'must be at most 500' }),
);

/** The query string of `/ui/events`. */
export const feedQuery = z
  .object({
    client: optional(z.string().max(128, { error: 'is too long to be a client name' })),
    account: optional(z.string().trim().max(200, { error: 'is too long to be an account ID' })),
    type: optional(
      z.string().refine((t) => eventTypes.includes(t), {
        error: (issue) =>
          `"${String(issue.input).slice(0, 40)}" is no event type; the types are ${eventTypes.join(', ')}`,
      }),
    ),
    from: optional(utcTime),
    to: optional(utcTime),
    cursor: optional(cursor),
    limit,
  })
  .refine((q) => !q.from || !q.to || (parseUtcLocal(q.from) as number) < (parseUtcLocal(q.to) as number), {
    path: ['to'],
    error: 'must be later than "from" (the range includes from and excludes to)',
  });

export type FeedFilters = z.infer<typeof feedQuery>;

/** The repository query of valid filters (the account lowercased, as events store it). */
export function toEventQuery(filters: FeedFilters): EventQuery {
  return {
    limit: filters.limit ?? DEFAULT_LIMIT,
    ...(filters.account ? { account: filters.account.toLowerCase() } : {}),
    ...(filters.type ? { type: filters.type } : {}),
    ...(filters.from ? { fromMs: parseUtcLocal(filters.from) } : {}),
    ...(filters.to ? { toMs: parseUtcLocal(filters.to) } : {}),
    ...(filters.cursor ? { cursor: filters.cursor } : {}),
  };
}

/** The query string of `/ui/events/rejected`. Any client name: rejected records may name any. */
export const rejectedQuery = z.object({
  client: optional(z.string().max(256, { error: 'is too long to be a client name' })),
  cursor: optional(cursor),
  limit,
});

export type RejectedFilters = z.infer<typeof rejectedQuery>;

/** The first problem of a query, as a sentence naming the parameter. */
export function describeIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  const field = issue?.path.join('.') || 'query';
  return `Bad filter "${field}": ${issue?.message ?? 'invalid'}.`;
}

/** A query string of the given values, leaving out empty ones. */
export function queryString(values: Record<string, string | number | undefined>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(values)) {
    if (value !== undefined && value !== '') params.set(key, String(value));
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}
