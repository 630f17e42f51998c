import { Readable } from 'node:stream';
import {
  CopyObjectCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  type HeadObjectCommandOutput,
  ListObjectsV2Command,
  type S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import {
  NoSuchBucketError,
  type ObjectAddress,
  type ObjectInfo,
  ObjectNotFoundError,
  type ObjectStore,
} from '../../ports/object-store.js';
import { InvalidObjectKeyError, validateObjectKey } from '../common/object-key.js';
import { mapConcurrently } from './map-concurrently.js';

/** S3's limits: the smallest multipart part, the largest CopyObject source, the longest list page. */
const MIN_PART_BYTES = 5 * 1024 * 1024;
const MAX_COPY_OBJECT_BYTES = 5 * 1024 * 1024 * 1024;
const MAX_LIST_PAGE = 1000;
const DEFAULT_CONTENT_TYPE = 'application/octet-stream';

export interface S3ObjectStoreOptions {
  client: S3Client;
  /** The physical bucket of each logical name the code uses (`landing` → `tributary-prod-landing`). */
  bucketNames: Readonly<Record<string, string>>;
  /** Keys per ListObjectsV2 page: S3's own maximum (1,000) unless a test wants to cross pages. */
  listPageSize?: number;
  /**
   * Bytes per part of a multipart upload, at least 5 MiB (the default). A body of unknown length
   * has at most 10,000 parts, so the default caps a streamed object at about 48 GiB.
   */
  partSize?: number;
  /** Parts uploaded at once; a put holds about `queueSize × partSize` bytes in memory. Default 4. */
  queueSize?: number;
  /** Sources larger than this (CopyObject's limit, 5 GiB) are copied by streaming them instead. */
  maxCopyObjectBytes?: number;
  /** HEAD requests in flight while `list` describes the objects of a listing. Default 16. */
  headConcurrency?: number;
}

/**
 * The object store port on Amazon S3. Code names buckets by their logical names (`landing`,
 * `transactions`, `order-results`, `email-templates`), mapped here to physical buckets; a physical
 * name is accepted too, since S3 events carry those. `ObjectInfo.bucket` is the name the caller
 * used. Keys are checked by the same rules as the filesystem store, so both refuse the same keys.
 * The adapter publishes nothing: S3 itself sends "Object Created" to EventBridge.
 *
 * Where S3 differs from the filesystem store:
 * - `put` streams through a multipart upload once the body exceeds `partSize`. Such an object's
 *   ETag is S3's (`<md5 of the parts' md5s>-<parts>`), not the MD5 of the content; `put`,
 *   `head`, `list` and S3's own events all report that same value.
 * - `lastModified` is S3's clock, to the second (`head` reads the HTTP `Last-Modified`).
 * - `list` has to HEAD every listed object for its content type and metadata, which a listing
 *   lacks: one request per object, `headConcurrency` at a time.
 * - `copy` uses CopyObject, which takes sources up to 5 GiB; a larger source is read and written
 *   back through a multipart upload (bytes pass through this process, memory stays flat).
 *   User metadata must be US-ASCII on S3.
 *
 * @example
 * const objects = createS3ObjectStore({
 *   client: new S3Client({}),
 *   bucketNames: { landing: 'tributary-prod-landing', transactions: 'tributary-prod-transactions' },
 * });
 * await objects.put({ bucket: 'landing', key: 'stage/jobs.csv', body: csv, contentType: 'text/csv' });
 */
export function createS3ObjectStore(options: S3ObjectStoreOptions): ObjectStore {
  const { client } = options;
  const partSize = Math.max(options.partSize ?? MIN_PART_BYTES, MIN_PART_BYTES);
  const queueSize = options.queueSize ?? 4;
  const listPageSize = Math.min(Math.max(options.listPageSize ?? MAX_LIST_PAGE, 1), MAX_LIST_PAGE);
  const maxCopyObjectBytes = options.maxCopyObjectBytes ?? MAX_COPY_OBJECT_BYTES;
  const headConcurrency = Math.max(options.headConcurrency ?? 16, 1);
  const physicalOf = new Map(Object.entries(options.bucketNames));
  const physicalNames = new Set(physicalOf.values());

  const bucketOf = (bucket: string): string => {
    const physical = physicalOf.get(bucket) ?? (physicalNames.has(bucket) ? bucket : undefined);
    if (physical === undefined) throw new NoSuchBucketError(bucket);
    return physical;
  };
  /** The S3 address of an object, after the same checks, in the same order, as the fs store. */
  const target = (bucket: string, key: string): S3Target => {
    const Bucket = bucketOf(bucket);
    const check = validateObjectKey(key);
    if (!check.ok) throw new InvalidObjectKeyError(key, check.reason);
    return { Bucket, Key: key };
  };

  const head = async (bucket: string, at: S3Target): Promise<ObjectInfo | undefined> => {
    try {
      return toInfo(bucket, at.Key, await client.send(new HeadObjectCommand(at)));
    } catch (error) {
      if (errorName(error) === 'NotFound' || errorName(error) === 'NoSuchKey') return undefined;
      throw error;
    }
  };

  /** Uploads a body (one PutObject, or multipart once it exceeds `partSize`); returns the ETag. */
  const upload = async (bucket: string, at: S3Target, written: Written, body: Body): Promise<string> => {
    const Body = typeof body === 'string' || body instanceof Uint8Array ? body : Readable.from(body);
    try {
      const result = await new Upload({
        client,
        partSize,
        queueSize,
        params: { ...at, Body, ContentType: written.contentType, Metadata: written.metadata },
      }).done();
      return unquote(result.ETag);
    } catch (error) {
      throw translate(error, { bucket });
    } finally {
      // Releases the source (an HTTP request body, another object's stream) if the upload failed.
      if (Body instanceof Readable) Body.destroy();
    }
  };

  /**
   * The info of what this call wrote: S3's HEAD of it, unless another writer replaced or deleted
   * it in between; then what was written, timed by this process's clock.
   */
  const describeWritten = async (
    bucket: string,
    at: S3Target,
    written: Written & { size: number; etag: string },
  ): Promise<ObjectInfo> => {
    const info = await head(bucket, at);
    if (info?.etag === written.etag) return info;
    return { bucket, key: at.Key, lastModified: new Date(), ...written };
  };

  const store: ObjectStore = {
    async put(input) {
      const at = target(input.bucket, input.key);
      const written = {
        contentType: input.contentType ?? DEFAULT_CONTENT_TYPE,
        metadata: lowerCaseKeys(input.metadata ?? {}),
      };
      const counted = countBytes(input.body);
      const etag = await upload(input.bucket, at, written, counted.body);
      return describeWritten(input.bucket, at, { ...written, size: counted.size(), etag });
    },

    async head(bucket, key) {
      return head(bucket, target(bucket, key));
    },

    async *read(bucket, key) {
      const at = target(bucket, key);
      const object = await translated(client.send(new GetObjectCommand(at)), { bucket, key });
      // In Node the body is an IncomingMessage: a stream of Buffers.
      const body = object.Body as AsyncIterable<Uint8Array> | undefined;
      if (body) yield* body;
    },

    async list(bucket, prefix = '') {
      const Bucket = bucketOf(bucket);
      const keys: string[] = [];
      let ContinuationToken: string | undefined;
      do {
        const page = await translated(
          client.send(
            new ListObjectsV2Command({ Bucket, Prefix: prefix, MaxKeys: listPageSize, ContinuationToken }),
          ),
          { bucket },
        );
        for (const object of page.Contents ?? []) if (object.Key !== undefined) keys.push(object.Key);
        ContinuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (ContinuationToken);
      // S3 lists in UTF-8 byte order already; sorting again holds emulators to it too.
      keys.sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
      const infos = await mapConcurrently(keys, headConcurrency, (Key) => head(bucket, { Bucket, Key }));
      // An object deleted between the listing and its HEAD is left out, as a later listing would.
      return infos.filter((info): info is ObjectInfo => info !== undefined);
    },

    async copy(from, to) {
      const source = target(from.bucket, from.key);
      const destination = target(to.bucket, to.key);
      const original = await head(from.bucket, source);
      if (!original) throw new ObjectNotFoundError(from.bucket, from.key);
      const written = { contentType: original.contentType, metadata: original.metadata, size: original.size };
      if (original.size > maxCopyObjectBytes) {
        const etag = await upload(to.bucket, destination, written, store.read(from.bucket, from.key));
        return describeWritten(to.bucket, destination, { ...written, etag });
      }
      const result = await translated(
        client.send(
          new CopyObjectCommand({
            ...destination,
            CopySource: copySource(source),
            MetadataDirective: 'COPY',
          }),
        ),
        // The source answered HEAD: a missing bucket now is the destination's.
        { bucket: to.bucket },
        from,
      );
      const etag = unquote(result.CopyObjectResult?.ETag);
      return describeWritten(to.bucket, destination, { ...written, etag });
    },

    async delete(bucket, key) {
      const at = target(bucket, key);
      await translated(client.send(new DeleteObjectCommand(at)), { bucket });
    },
  };
  return store;
}

type Body = Uint8Array | string | AsyncIterable<Uint8Array>;
interface S3Target {
  Bucket: string;
  Key: string;
}
interface Written {
  contentType: string;
  metadata: Record<string, string>;
}

function toInfo(bucket: string, key: string, out: HeadObjectCommandOutput): ObjectInfo {
  return {
    bucket,
    key,
    size: out.ContentLength ?? 0,
    etag: unquote(out.ETag),
    contentType: out.ContentType ?? DEFAULT_CONTENT_TYPE,
    lastModified: out.LastModified ?? new Date(0),
    metadata: lowerCaseKeys(out.Metadata ?? {}),
  };
}

/** S3 quotes its ETags (`"9e107d9d…"`); the port's are bare. */
function unquote(etag: string | undefined): string {
  return (etag ?? '').replaceAll('"', '');
}

function lowerCaseKeys(metadata: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(metadata).map(([name, value]) => [name.toLowerCase(), value]));
}

/** `bucket/key`, URL-encoded segment by segment, as CopyObject's `x-amz-copy-source` wants it. */
function copySource(at: S3Target): string {
  return `${at.Bucket}/${at.Key.split('/').map(encodeURIComponent).join('/')}`;
}

/** The body as given, counting the bytes a streamed one yields on its way to S3. */
function countBytes(body: Body): { body: Body; size(): number } {
  if (typeof body === 'string') return { body, size: () => Buffer.byteLength(body) };
  if (body instanceof Uint8Array) return { body, size: () => body.byteLength };
  let size = 0;
  async function* counting(source: AsyncIterable<Uint8Array>) {
    for await (const chunk of source) {
      size += chunk.byteLength;
      yield chunk;
    }
  }
  return { body: counting(body), size: () => size };
}

function errorName(error: unknown): string | undefined {
  return error instanceof Error ? error.name : undefined;
}

/** The result of an S3 call, with its errors translated. */
function translated<T>(
  call: Promise<T>,
  at: { bucket: string; key?: string },
  source?: ObjectAddress,
): Promise<T> {
  return call.catch((error: unknown) => {
    throw translate(error, at, source);
  });
}

/** S3's "no such bucket" and "no such key" as the port's errors; anything else unchanged. */
function translate(error: unknown, at: { bucket: string; key?: string }, source?: ObjectAddress): unknown {
  const name = errorName(error);
  if (name === 'NoSuchBucket') return new NoSuchBucketError(at.bucket);
  if (name === 'NoSuchKey' && source) return new ObjectNotFoundError(source.bucket, source.key);
  if (name === 'NoSuchKey' && at.key !== undefined) return new ObjectNotFoundError(at.bucket, at.key);
  return error;
}
