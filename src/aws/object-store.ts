import { createS3ObjectStore } from '../adapters/aws/s3-object-store.js';
import type { ObjectStore } from '../ports/object-store.js';
import { s3Client } from './clients.js';
import { requireNames } from './env.js';

/**
 * The object store of a function: S3 over the buckets of `BUCKETS`, which must name every logical
 * bucket in `uses` (S3 events carry physical names; the map lets the store recognise those too).
 */
export function s3ObjectStore(
  buckets: Readonly<Record<string, string>>,
  uses: readonly string[],
): ObjectStore {
  return createS3ObjectStore({ client: s3Client(), bucketNames: requireNames('BUCKETS', buckets, uses) });
}
