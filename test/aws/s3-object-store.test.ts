import { createHash } from 'node:crypto';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createS3ObjectStore, type S3ObjectStoreOptions } from '../../src/adapters/aws/s3-object-store.js';
import { NoSuchBucketError, ObjectNotFoundError } from '../../src/ports/object-store.js';
import { objectStoreContract, readAll } from '../contracts/object-store.js';
import { clientConfig, startFauxqsEmulator } from '../support/aws-emulators.js';

const MiB = 1024 * 1024;
let emulator: Awaited<ReturnType<typeof startFauxqsEmulator>>;
let client: S3Client;
let buckets = 0;

beforeAll(async () => {
  emulator = await startFauxqsEmulator();
  client = new S3Client(clientConfig(emulator.endpoint));
  // A real bucket named like an unmapped logical name: the store must still refuse `landing`.
  emulator.server.createBucket('landing');
});
afterAll(async () => {
  client?.destroy();
  await emulator?.stop();
});

/** Fresh physical buckets for `transactions` and `email-templates`, named unlike the logical ones. */
function freshBuckets(): Record<string, string> {
  const run = ++buckets;
  const names = {
    transactions: `tributary-test-${run}-transactions`,
    'email-templates': `tributary-test-${run}-email-templates`,
  };
  for (const physical of Object.values(names)) emulator.server.createBucket(physical);
  return names;
}

async function keysIn(bucket: string): Promise<string[]> {
  const keys: string[] = [];
  let ContinuationToken: string | undefined;
  do {
    const page = await client.send(new ListObjectsV2Command({ Bucket: bucket, ContinuationToken }));
    for (const object of page.Contents ?? []) keys.push(`${bucket}/${object.Key}`);
    ContinuationToken = page.NextContinuationToken;
  } while (ContinuationToken);
  return keys;
}

function openStore(options: Partial<S3ObjectStoreOptions> = {}) {
  const bucketNames = freshBuckets();
  const store = createS3ObjectStore({ client, bucketNames, ...options });
  return { store, bucketNames };
}

async function* pieces(total: number, size: number, seed: number): AsyncIterable<Uint8Array> {
  for (let offset = 0; offset < total; offset += size) {
    const piece = Buffer.alloc(Math.min(size, total - offset));
    for (let i = 0; i < piece.length; i++) piece[i] = (offset + i + seed) % 251;
    yield piece;
  }
}

const md5 = (data: Uint8Array) => createHash('md5').update(data).digest();

objectStoreContract('S3 object store (fauxqs)', async () => {
  // Two keys a page: every listing of more than two objects crosses pages.
  const { store, bucketNames } = openStore({ listPageSize: 2 });
  return {
    store,
    now: () => new Date(),
    clockSlackMs: 2000,
    stored: async () =>
      (await Promise.all([...Object.values(bucketNames), 'landing'].map(keysIn))).flat().sort(),
  };
});

describe('createS3ObjectStore on S3', () => {
  it('accepts the physical bucket name S3 events carry, answering with the name it was given', async () => {
    const { store, bucketNames } = openStore();
    const physical = bucketNames.transactions!;
    const put = await store.put({ bucket: 'transactions', key: 'in/a.csv', body: 'a', metadata: { y: '1' } });
    expect(await store.head(physical, 'in/a.csv')).toEqual({ ...put, bucket: physical });
    expect(await store.list(physical, 'in/')).toEqual([{ ...put, bucket: physical }]);
    const copy = await store.copy(
      { bucket: physical, key: 'in/a.csv' },
      { bucket: 'transactions', key: 'b.csv' },
    );
    expect(copy).toMatchObject({
      bucket: 'transactions',
      key: 'b.csv',
      etag: put.etag,
      metadata: { y: '1' },
    });
    await store.delete(physical, 'in/a.csv');
    expect(await store.head('transactions', 'in/a.csv')).toBeUndefined();
  });

  it('streams a body larger than a part as a multipart upload, reporting S3 ETag for it', async () => {
    const { store, bucketNames } = openStore();
    const total = 11 * MiB + 123;
    const info = await store.put({
      bucket: 'transactions',
      key: 'big/stream.bin',
      body: pieces(total, 64 * 1024, 7),
      contentType: 'application/x-test',
      metadata: { Part: 'many' },
    });
    // Parts of 5 MiB: S3's multipart ETag is the MD5 of the parts' MD5s, then the part count.
    const whole = await readAll(pieces(total, MiB, 7));
    const parts = [whole.subarray(0, 5 * MiB), whole.subarray(5 * MiB, 10 * MiB), whole.subarray(10 * MiB)];
    const etag = `${createHash('md5')
      .update(Buffer.concat(parts.map(md5)))
      .digest('hex')}-3`;
    expect(info).toMatchObject({
      bucket: 'transactions',
      size: total,
      etag,
      contentType: 'application/x-test',
      metadata: { part: 'many' },
    });
    expect(await store.head('transactions', 'big/stream.bin')).toEqual(info);
    expect((await readAll(store.read('transactions', 'big/stream.bin'))).equals(whole)).toBe(true);
    expect(await keysIn(bucketNames.transactions!)).toEqual([`${bucketNames.transactions}/big/stream.bin`]);
  });

  it('abandons a multipart upload whose body fails after a part, keeping the previous version', async () => {
    const { store, bucketNames } = openStore();
    const previous = await store.put({ bucket: 'transactions', key: 'big.bin', body: 'previous' });
    async function* failing() {
      yield* pieces(6 * MiB, 256 * 1024, 1);
      throw new Error('upstream reset');
    }
    await expect(store.put({ bucket: 'transactions', key: 'big.bin', body: failing() })).rejects.toThrow(
      'upstream reset',
    );
    expect(await store.head('transactions', 'big.bin')).toEqual(previous);
    expect((await readAll(store.read('transactions', 'big.bin'))).toString()).toBe('previous');
    expect(await keysIn(bucketNames.transactions!)).toEqual([`${bucketNames.transactions}/big.bin`]);
  });

  it('copies a source larger than CopyObject takes by streaming it, keeping type and metadata', async () => {
    const { store } = openStore({ maxCopyObjectBytes: 10 });
    const body = 'more than ten bytes of content';
    const source = await store.put({
      bucket: 'transactions',
      key: 'src.csv',
      body,
      contentType: 'text/csv',
      metadata: { 'Account-Id': '7' },
    });
    const copy = await store.copy(
      { bucket: 'transactions', key: 'src.csv' },
      { bucket: 'email-templates', key: 'dst.csv' },
    );
    expect(copy).toEqual({
      ...source,
      bucket: 'email-templates',
      key: 'dst.csv',
      lastModified: copy.lastModified,
    });
    expect((await readAll(store.read('email-templates', 'dst.csv'))).toString()).toBe(body);
    await expect(
      store.copy({ bucket: 'transactions', key: 'absent.csv' }, { bucket: 'email-templates', key: 'x.csv' }),
    ).rejects.toThrow(ObjectNotFoundError);
  });

  it('reports a mapped bucket missing from S3 as NoSuchBucketError under its logical name', async () => {
    const store = createS3ObjectStore({ client, bucketNames: { landing: 'tributary-test-never-created' } });
    await expect(store.put({ bucket: 'landing', key: 'a.csv', body: 'x' })).rejects.toMatchObject({
      name: 'NoSuchBucketError',
      bucket: 'landing',
    });
    await expect(store.list('landing')).rejects.toThrow(NoSuchBucketError);
    await expect(readAll(store.read('landing', 'a.csv'))).rejects.toThrow(NoSuchBucketError);
    expect(await store.head('landing', 'a.csv')).toBeUndefined();
  });
});
