import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { z } from 'zod';
import type { DashboardServices } from '../services.js';

/** `/ui/buckets/<bucket>?prefix=…`: a bucket's objects under a prefix. */
export const bucketHref = (bucket: string, prefix = ''): string =>
  `/ui/buckets/${encodeURIComponent(bucket)}${prefix ? `?prefix=${encodeURIComponent(prefix)}` : ''}`;

/** `/ui/buckets/<bucket>/object?key=…`: one object's metadata. */
export const objectHref = (bucket: string, key: string): string =>
  `/ui/buckets/${encodeURIComponent(bucket)}/object?key=${encodeURIComponent(key)}`;

/** `/ui/buckets/<bucket>/download?key=…`: the object's bytes, as an attachment. */
export const downloadHref = (bucket: string, key: string): string =>
  `/ui/buckets/${encodeURIComponent(bucket)}/download?key=${encodeURIComponent(key)}`;

/**
 * The query parameters of a request, checked against `schema`. A bad one is a 400 that names the
 * parameter and says what is wrong with it (the dashboard's error page shows the message).
 *
 * @example
 * const { prefix } = parseQuery(c, z.object({ prefix: z.string().max(1024).default('') }));
 */
export function parseQuery<S extends z.ZodType>(c: Context, schema: S): z.output<S> {
  const result = schema.safeParse(c.req.query());
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const name = issue.path.join('.') || 'query';
    return `query parameter "${name}": ${issue.message}`;
  });
  throw new HTTPException(400, { message: `Bad request: ${problems.join('; ')}.` });
}

/** The names of the topology's buckets, for messages. */
export const bucketNames = (services: DashboardServices): string =>
  Object.keys(services.topology.buckets).join(', ');

/** A bucket of the topology, or the problem with the name given (for a 404). */
export function unknownBucket(services: DashboardServices, bucket: string): string | undefined {
  if (Object.hasOwn(services.topology.buckets, bucket)) return undefined;
  return `No bucket "${bucket}". The buckets are: ${bucketNames(services)}.`;
}

/** Throws a 404 unless `bucket` is one of the topology's buckets. */
export function requireBucket(services: DashboardServices, bucket: string): string {
  const problem = unknownBucket(services, bucket);
  if (problem) throw new HTTPException(404, { message: problem });
  return bucket;
}

/** The last segment of a key: what a file browser calls its name. */
export const baseName = (key: string): string => key.slice(key.lastIndexOf('/') + 1);
