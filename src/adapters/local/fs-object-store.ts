import { createHash, randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { BusEventInput } from '../../ports/bus.js';
import type { Clock } from '../../ports/clock.js';
import {
  NoSuchBucketError,
  type ObjectInfo,
  ObjectNotFoundError,
  type ObjectStore,
  type PutObjectInput,
} from '../../ports/object-store.js';
import { objectPathWithin } from '../common/object-key.js';
import type { SqlClient } from '../sql/sql-client.js';

// Defined with the port, since every object store throws it; still importable from here.
export { NoSuchBucketError };

/** Publishes events inside the transaction that records the object. */
export type PublishIn = (db: SqlClient, events: readonly BusEventInput[]) => Promise<unknown>;

interface ObjectRow {
  bucket: string;
  key: string;
  size: number;
  etag: string;
  contentType: string;
  metadata: Record<string, string>;
  lastModified: Date;
}

const selectColumns = `bucket, key, size, etag, content_type AS "contentType", metadata, last_modified AS "lastModified"`;

/**
 * S3 on a folder: bytes under `<root>/<bucket>/<key>`, metadata in SQL. A put writes to a temp
 * file, then in one transaction records the metadata, emits the S3 "Object Created" event and
 * renames the file into place, so an acknowledged put always has its event and a failed one
 * leaves the previous version intact.
 */
export function createFsObjectStore(options: {
  root: string;
  buckets: readonly string[];
  db: SqlClient;
  clock: Clock;
  publishIn: PublishIn;
}): ObjectStore {
  const { root, db, clock, publishIn } = options;
  const buckets = new Set(options.buckets);
  const pathOf = (bucket: string, key: string) => {
    if (!buckets.has(bucket)) throw new NoSuchBucketError(bucket);
    return objectPathWithin(root, bucket, key);
  };

  const write = async (input: PutObjectInput, reason: ObjectCreatedReason): Promise<ObjectInfo> => {
    const target = pathOf(input.bucket, input.key);
    const tmpDir = join(root, '.incoming');
    await mkdir(tmpDir, { recursive: true });
    const tmp = join(tmpDir, randomUUID());
    const hash = createHash('md5');
    let size = 0;
    const file = await open(tmp, 'w');
    try {
      const body = input.body;
      const chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array> =
        typeof body === 'string' ? [Buffer.from(body)] : body instanceof Uint8Array ? [body] : body;
      for await (const chunk of chunks) {
        hash.update(chunk);
        size += chunk.byteLength;
        await file.write(chunk);
      }
      await file.sync();
    } catch (error) {
      await file.close();
      await rm(tmp, { force: true });
      throw error;
    }
    await file.close();
    const info: ObjectInfo = {
      bucket: input.bucket,
      key: input.key,
      size,
      etag: hash.digest('hex'),
      contentType: input.contentType ?? 'application/octet-stream',
      lastModified: clock.now(),
      metadata: Object.fromEntries(
        Object.entries(input.metadata ?? {}).map(([k, v]) => [k.toLowerCase(), v]),
      ),
    };
    // Outside the transaction: PGlite has one connection, and nothing else can query while a
    // transaction waits on the filesystem. Creating the folder early changes no visible state.
    await mkdir(dirname(target), { recursive: true }).catch(async (error: unknown) => {
      await rm(tmp, { force: true });
      throw error;
    });
    await db
      .transaction(async (tx) => {
        await tx.query(
          `INSERT INTO objects (bucket, key, size, etag, content_type, metadata, last_modified)
           VALUES ($1, $2, $3, $4, $5, $6, $7)
           ON CONFLICT (bucket, key) DO UPDATE SET size = EXCLUDED.size, etag = EXCLUDED.etag,
             content_type = EXCLUDED.content_type, metadata = EXCLUDED.metadata, last_modified = EXCLUDED.last_modified`,
          [info.bucket, info.key, info.size, info.etag, info.contentType, info.metadata, info.lastModified],
        );
        await publishIn(tx, [objectCreatedEvent(info, reason)]);
        // Last step before commit: a put that fails leaves the previous version's bytes in place.
        await rename(tmp, target);
      })
      .catch(async (error: unknown) => {
        await rm(tmp, { force: true });
        throw error;
      });
    return info;
  };

  const store: ObjectStore = {
    put: (input) => write(input, 'PutObject'),

    async copy(from, to) {
      const source = await store.head(from.bucket, from.key);
      if (!source) throw new ObjectNotFoundError(from.bucket, from.key);
      return write(
        {
          ...to,
          body: store.read(from.bucket, from.key),
          contentType: source.contentType,
          metadata: source.metadata,
        },
        'CopyObject',
      );
    },

    async head(bucket, key) {
      pathOf(bucket, key);
      const { rows } = await db.query<ObjectRow>(
        `SELECT ${selectColumns} FROM objects WHERE bucket = $1 AND key = $2`,
        [bucket, key],
      );
      return rows[0];
    },

    async *read(bucket, key) {
      const path = pathOf(bucket, key);
      const { rows } = await db.query('SELECT 1 FROM objects WHERE bucket = $1 AND key = $2', [bucket, key]);
      if (rows.length === 0) throw new ObjectNotFoundError(bucket, key);
      yield* createReadStream(path, { highWaterMark: 256 * 1024 });
    },

    async list(bucket, prefix = '') {
      if (!buckets.has(bucket)) throw new NoSuchBucketError(bucket);
      const { rows } = await db.query<ObjectRow>(
        `SELECT ${selectColumns} FROM objects WHERE bucket = $1 AND starts_with(key, $2) ORDER BY key`,
        [bucket, prefix],
      );
      return rows;
    },

    async delete(bucket, key) {
      const path = pathOf(bucket, key);
      await db.query('DELETE FROM objects WHERE bucket = $1 AND key = $2', [bucket, key]);
      await rm(path, { force: true });
    },
  };
  return store;
}

export type ObjectCreatedReason = 'PutObject' | 'CopyObject';

/** The event S3 sends to EventBridge for a new object. */
export function objectCreatedEvent(
  info: ObjectInfo,
  reason: ObjectCreatedReason = 'PutObject',
): BusEventInput {
  return {
    source: 'aws.s3',
    detailType: 'Object Created',
    resources: [`arn:aws:s3:::${info.bucket}`],
    detail: {
      version: '0',
      bucket: { name: info.bucket },
      object: {
        key: info.key,
        size: info.size,
        etag: info.etag,
        sequencer: info.lastModified.getTime().toString(16),
      },
      'request-id': randomUUID(),
      requester: 'tributary',
      reason,
    },
  };
}
