import type { OpenAPIHono } from '@hono/zod-openapi';
import { stream } from 'hono/streaming';
import { ApiError } from '../errors.js';
import type { ApiServices } from '../services.js';
import { limitedBody } from '../streamed-body.js';

/** Largest object accepted over HTTP (streamed to disk, never buffered). */
export const MAX_OBJECT_BYTES = 2 * 1024 ** 3;
/** S3's limit on user metadata: 2 KB of names and values. */
const MAX_METADATA_BYTES = 2048;
const PREFIX = /^\/buckets\/([^/]+)\/objects\/(.+)$/;

function objectAddress(path: string): { bucket: string; key: string } {
  const match = PREFIX.exec(path);
  if (!match)
    throw new ApiError(400, 'invalid_key', 'the object key is missing: use /buckets/<bucket>/objects/<key>');
  try {
    return { bucket: decodeURIComponent(match[1] as string), key: decodeURIComponent(match[2] as string) };
  } catch {
    throw new ApiError(400, 'invalid_key', `the object path "${path}" is not valid percent-encoding`);
  }
}

function metadataFrom(headers: Headers): Record<string, string> {
  const metadata: Record<string, string> = {};
  let bytes = 0;
  for (const [name, value] of headers) {
    if (!name.startsWith('x-amz-meta-')) continue;
    const key = name.slice('x-amz-meta-'.length);
    if (!/^[a-z0-9-_.]+$/.test(key)) {
      throw new ApiError(
        400,
        'invalid_metadata',
        `metadata name "${key}" may hold only letters, digits, "-", "_" and "."`,
      );
    }
    bytes += Buffer.byteLength(key) + Buffer.byteLength(value);
    metadata[key] = value;
  }
  if (bytes > MAX_METADATA_BYTES) {
    throw new ApiError(
      400,
      'invalid_metadata',
      `user metadata is ${bytes} bytes; at most ${MAX_METADATA_BYTES} are allowed`,
    );
  }
  return metadata;
}

export function objectRoutes(app: OpenAPIHono, services: ApiServices): void {
  app.put('/buckets/:bucket/objects/*', async (c) => {
    const { bucket, key } = objectAddress(new URL(c.req.url).pathname);
    const tooLarge = () =>
      new ApiError(413, 'too_large', `objects over ${MAX_OBJECT_BYTES} bytes are not accepted`);
    const { info, traceId } = await services.putObject({
      bucket,
      key,
      body: limitedBody(c.req.raw, MAX_OBJECT_BYTES, tooLarge),
      contentType: c.req.header('content-type') ?? 'application/octet-stream',
      metadata: metadataFrom(c.req.raw.headers),
    });
    c.header('ETag', `"${info.etag}"`);
    c.header('x-tributary-trace-id', traceId);
    return c.json({ ...info, traceId }, 200);
  });

  // Before the object route: Hono's `/objects/*` also matches `/objects`.
  app.get('/buckets/:bucket/objects', async (c) => {
    const bucket = c.req.param('bucket');
    const prefix = c.req.query('prefix') ?? '';
    const objects = await services.objects.list(bucket, prefix);
    return c.json({ bucket, prefix, objects });
  });

  app.get('/buckets/:bucket/objects/*', async (c) => {
    const { bucket, key } = objectAddress(new URL(c.req.url).pathname);
    const info = await services.objects.head(bucket, key);
    if (!info) throw new ApiError(404, 'not_found', `object ${bucket}/${key} does not exist`);
    c.header('Content-Type', info.contentType);
    c.header('Content-Length', String(info.size));
    c.header('ETag', `"${info.etag}"`);
    c.header('Last-Modified', info.lastModified.toUTCString());
    for (const [name, value] of Object.entries(info.metadata)) c.header(`x-amz-meta-${name}`, value);
    return stream(c, async (out) => {
      for await (const chunk of services.objects.read(bucket, key)) await out.write(chunk);
    });
  });
}
