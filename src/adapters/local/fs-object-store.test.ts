import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { useMemoryDb } from '../../../test/support/memory-db.js';
import type { BusEventInput } from '../../ports/bus.js';
import { ObjectNotFoundError, type ObjectStore } from '../../ports/object-store.js';
import { ManualClock } from '../../runtime/clock.js';
import type { SqlClient } from '../sql/sql-client.js';
import { createFsObjectStore, type PublishIn } from './fs-object-store.js';

const database = useMemoryDb(['objects']);
let db: SqlClient;
let tmp: string;
let root: string;
let clock: ManualClock;
let published: { tx: SqlClient; events: readonly BusEventInput[] }[];
let store: ObjectStore;

const recordingPublishIn: PublishIn = async (tx, events) => {
  published.push({ tx, events });
  return [];
};

function openStore(publishIn: PublishIn = recordingPublishIn): ObjectStore {
  return createFsObjectStore({ root, buckets: ['transactions', 'email-templates'], db, clock, publishIn });
}

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'tributary-fs-object-store-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});
beforeEach(async () => {
  db = database();
  root = await mkdtemp(join(tmp, 'root-'));
  clock = new ManualClock('2024-09-01T12:00:00Z');
  published = [];
  store = openStore();
});

async function readAll(iterable: AsyncIterable<Uint8Array>): Promise<string> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of iterable) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}

const md5 = (text: string) => createHash('md5').update(text).digest('hex');

async function objectRows(): Promise<{ bucket: string; key: string }[]> {
  return (await db.query<{ bucket: string; key: string }>('SELECT bucket, key FROM objects ORDER BY key'))
    .rows;
}

describe('createFsObjectStore', () => {
  it('round-trips an object with its metadata, lower-casing metadata names', async () => {
    const body = 'Id,Date,Transaction\n0,7/15,+60.5\n';
    const info = await store.put({
      bucket: 'transactions',
      key: 'uploads/año/july.csv',
      body,
      contentType: 'text/csv',
      metadata: { 'Account-Id': 'acct-1', YEAR: '2024' },
    });
    const expected = {
      bucket: 'transactions',
      key: 'uploads/año/july.csv',
      size: Buffer.byteLength(body),
      etag: md5(body),
      contentType: 'text/csv',
      lastModified: clock.now(),
      metadata: { 'account-id': 'acct-1', year: '2024' },
    };
    expect(info).toEqual(expected);
    expect(await store.head('transactions', 'uploads/año/july.csv')).toEqual(expected);
    expect(await readAll(store.read('transactions', 'uploads/año/july.csv'))).toBe(body);
    expect(await readFile(join(root, 'transactions', 'uploads', 'año', 'july.csv'), 'utf8')).toBe(body);
    expect(await store.list('transactions')).toEqual([expected]);
  });
});

describe('createFsObjectStore events', () => {
  it('emits exactly one S3 Object Created event, inside the transaction that records the object', async () => {
    let rowVisibleInTx: unknown;
    store = openStore(async (tx, events) => {
      rowVisibleInTx = (await tx.query('SELECT key FROM objects WHERE bucket = $1', ['transactions'])).rows;
      return recordingPublishIn(tx, events);
    });
    const info = await store.put({ bucket: 'transactions', key: 'uploads/c.csv', body: 'abc' });

    expect(rowVisibleInTx).toEqual([{ key: 'uploads/c.csv' }]);
    expect(published).toHaveLength(1);
    expect(published[0]?.tx).not.toBe(db);
    expect(published[0]?.events).toEqual([
      {
        source: 'aws.s3',
        detailType: 'Object Created',
        resources: ['arn:aws:s3:::transactions'],
        detail: {
          version: '0',
          bucket: { name: 'transactions' },
          object: {
            key: 'uploads/c.csv',
            size: 3,
            etag: info.etag,
            sequencer: clock.now().getTime().toString(16),
          },
          'request-id': expect.any(String),
          requester: 'tributary',
          reason: 'PutObject',
        },
      },
    ]);
  });

  it('rolls back the object row when the event cannot be published', async () => {
    store = openStore(async () => {
      throw new Error('bus down');
    });
    await expect(store.put({ bucket: 'transactions', key: 'a.csv', body: 'x' })).rejects.toThrow('bus down');
    expect(await objectRows()).toEqual([]);
    expect(await store.head('transactions', 'a.csv')).toBeUndefined();
    await expect(readAll(store.read('transactions', 'a.csv'))).rejects.toThrow(ObjectNotFoundError);
    expect(await readdir(join(root, 'transactions')).catch(() => [])).toEqual([]);
  });

  it('keeps the previous version, bytes and row, when replacing it fails to publish', async () => {
    const previous = await store.put({
      bucket: 'transactions',
      key: 'a.csv',
      body: 'old',
      metadata: { v: '1' },
    });
    store = openStore(async () => {
      throw new Error('bus down');
    });
    await expect(store.put({ bucket: 'transactions', key: 'a.csv', body: 'new content' })).rejects.toThrow(
      'bus down',
    );
    expect(await store.head('transactions', 'a.csv')).toEqual(previous);
    expect(await readAll(store.read('transactions', 'a.csv'))).toBe('old');
    expect(await readdir(join(root, '.incoming'))).toEqual([]);
  });
});
