/** Metadata of one stored object, as S3 reports it. */
export interface ObjectInfo {
  bucket: string;
  key: string;
  size: number;
  /** Hex MD5 of the content (S3's ETag for a single-part upload), without quotes. */
  etag: string;
  contentType: string;
  lastModified: Date;
  /** User metadata (`x-amz-meta-*`), keys lower-cased. */
  metadata: Record<string, string>;
}

export interface ObjectAddress {
  bucket: string;
  key: string;
}

export interface PutObjectInput {
  bucket: string;
  key: string;
  body: Uint8Array | string | AsyncIterable<Uint8Array>;
  contentType?: string;
  metadata?: Record<string, string>;
}

/**
 * Object store port (S3 semantics). Writing an object emits an S3 "Object Created" event on the
 * bus, exactly as S3 does through its EventBridge integration.
 */
export interface ObjectStore {
  put(input: PutObjectInput): Promise<ObjectInfo>;
  /** Metadata, or `undefined` when the object does not exist. */
  head(bucket: string, key: string): Promise<ObjectInfo | undefined>;
  /** Streams the object's bytes. Throws `ObjectNotFoundError` when absent. */
  read(bucket: string, key: string): AsyncIterable<Uint8Array>;
  list(bucket: string, prefix?: string): Promise<ObjectInfo[]>;
  /**
   * Copies an object with its content type and metadata (S3 CopyObject), emitting "Object
   * Created" for the copy. Throws `ObjectNotFoundError` when the source is absent.
   */
  copy(from: ObjectAddress, to: ObjectAddress): Promise<ObjectInfo>;
  delete(bucket: string, key: string): Promise<void>;
}

export class ObjectNotFoundError extends Error {
  constructor(
    readonly bucket: string,
    readonly key: string,
  ) {
    super(`object ${bucket}/${key} does not exist`);
    this.name = 'ObjectNotFoundError';
  }
}

/** The bucket is not one the store serves (not declared locally, not mapped on AWS). */
export class NoSuchBucketError extends Error {
  constructor(readonly bucket: string) {
    super(`bucket "${bucket}" does not exist`);
    this.name = 'NoSuchBucketError';
  }
}
