import type { Context, Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { stream } from 'hono/streaming';
import { z } from 'zod';
import { knownErrors } from '../../api/app.js';
import { MAX_OBJECT_BYTES } from '../../api/routes/objects.js';
import { limitedBody } from '../../api/streamed-body.js';
import type { DashboardServices } from '../services.js';
import { attachmentDisposition, folderOf, listFolder } from './buckets-listing.js';
import { BucketIndexPage, BucketPage, ObjectPage, readPreview } from './buckets-pages.js';
import { parseQuery, requireBucket, unknownBucket } from './buckets-request.js';

const prefixQuery = z.object({
  prefix: z.string().max(1024, 'at most 1024 characters').default(''),
});
const keyQuery = z.object({
  key: z
    .string({ error: 'missing: give the object key as ?key=…' })
    .min(1, 'must not be empty: give the object key as ?key=…'),
});

class UploadTooLargeError extends Error {
  constructor() {
    super(`Too large: objects over ${MAX_OBJECT_BYTES} bytes are not accepted.`);
  }
}

async function headOrNotFound(services: DashboardServices, bucket: string, key: string) {
  const info = await services.api.objects.head(bucket, key);
  if (!info) throw new HTTPException(404, { message: `No object "${key}" in bucket ${bucket}.` });
  return info;
}

/**
 * Uploads come from `dashboard.js` (fetch, raw body), whose content type the CSRF middleware does
 * not look at: refuse anything a browser marks as coming from another site.
 */
function fromThisDashboard(c: Context): boolean {
  const origin = c.req.header('origin');
  const site = c.req.header('sec-fetch-site');
  return (
    (origin === undefined || origin === new URL(c.req.url).origin) &&
    (site === undefined || site === 'same-origin')
  );
}

/**
 * `/ui/buckets`: the topology's buckets; `/ui/buckets/:bucket?prefix=` browses one by folder and
 * uploads by drag and drop; `/ui/buckets/:bucket/object?key=` shows an object's metadata;
 * `/ui/buckets/:bucket/download?key=` sends its bytes; `POST /ui/buckets/:bucket/upload?key=`
 * stores the raw body as an object (what the drop zone calls).
 */
export function registerBucketPages(app: Hono, services: DashboardServices): void {
  app.get('/ui/buckets', async (c) => {
    const buckets = await Promise.all(
      Object.entries(services.topology.buckets).map(async ([name, spec]) => ({
        name,
        description: spec.description,
        objects: await services.api.objects.list(name),
      })),
    );
    return c.html(<BucketIndexPage buckets={buckets} />);
  });

  app.get('/ui/buckets/:bucket', async (c) => {
    const bucket = requireBucket(services, c.req.param('bucket'));
    const { prefix } = parseQuery(c, prefixQuery);
    const listing = listFolder(await services.api.objects.list(bucket, prefix), prefix);
    c.header('Vary', 'HX-Request');
    // htmx asks for the listing alone when an upload finished.
    const fragment = c.req.header('hx-request') === 'true' && !c.req.header('hx-boosted');
    return c.html(
      <BucketPage
        bucket={bucket}
        prefix={prefix}
        folder={folderOf(prefix)}
        listing={listing}
        fragment={fragment}
      />,
    );
  });

  app.get('/ui/buckets/:bucket/object', async (c) => {
    const bucket = requireBucket(services, c.req.param('bucket'));
    const { key } = parseQuery(c, keyQuery);
    const info = await headOrNotFound(services, bucket, key);
    return c.html(<ObjectPage info={info} preview={await readPreview(services, info)} />);
  });

  app.get('/ui/buckets/:bucket/download', async (c) => {
    const bucket = requireBucket(services, c.req.param('bucket'));
    const { key } = parseQuery(c, keyQuery);
    const info = await headOrNotFound(services, bucket, key);
    c.header('Content-Type', info.contentType);
    c.header('Content-Length', String(info.size));
    c.header('Content-Disposition', attachmentDisposition(key));
    c.header('X-Content-Type-Options', 'nosniff');
    c.header('ETag', `"${info.etag}"`);
    return stream(
      c,
      async (out) => {
        for await (const chunk of services.api.objects.read(bucket, key)) await out.write(chunk);
      },
      async (error) => console.error('dashboard download failed', bucket, key, error),
    );
  });

  app.post('/ui/buckets/:bucket/upload', async (c) => {
    if (!fromThisDashboard(c)) return c.text('Refused: uploads come from this dashboard only.', 403);
    const bucket = c.req.param('bucket');
    const problem = unknownBucket(services, bucket);
    if (problem) return c.text(problem, 404);
    const key = c.req.query('key');
    if (!key) return c.text('Bad request: query parameter "key" is missing: POST …/upload?key=<key>.', 400);
    try {
      const { info, traceId } = await services.api.putObject({
        bucket,
        key,
        body: limitedBody(c.req.raw, MAX_OBJECT_BYTES, () => new UploadTooLargeError()),
        contentType: c.req.header('content-type') || 'application/octet-stream',
      });
      return c.json({ bucket, key, size: info.size, traceId }, 201);
    } catch (error) {
      if (error instanceof UploadTooLargeError) return c.text(error.message, 413);
      const known = knownErrors[(error as Error).name];
      if (known) return c.text(`Bad object: ${(error as Error).message}.`, known[0]);
      throw error;
    }
  });
}
