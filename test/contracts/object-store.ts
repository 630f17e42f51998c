import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InvalidObjectKeyError } from '../../src/adapters/common/object-key.js';
import {
  NoSuchBucketError,
  type ObjectInfo,
  ObjectNotFoundError,
  type ObjectStore,
} from '../../src/ports/object-store.js';

/**
 * A fresh, empty object store serving the buckets `transactions` and `email-templates` (and not
 * `landing`), with probes into the backend beneath it.
 */
export interface ObjectStoreFixture {
  store: ObjectStore;
  /** The backend's current time, which stamps `lastModified`... */
  now(): Date;
  /** ...to within this many milliseconds (S3's `Last-Modified` has whole seconds). */
  clockSlackMs: number;
  /**
   * Everything the backend holds, one line per row, file, folder, event or object, wherever it
   * lies: a refused call must leave it unchanged, a deleted object must leave no line naming it.
   */
  stored(): Promise<string[]>;
  cleanup?(): Promise<void>;
}

export async function readAll(iterable: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of iterable) chunks.push(chunk);
  return Buffer.concat(chunks);
}

const readText = async (iterable: AsyncIterable<Uint8Array>) => (await readAll(iterable)).toString('utf8');
const md5 = (data: string | Uint8Array) => createHash('md5').update(data).digest('hex');
const keys = (objects: ObjectInfo[]) => objects.map((object) => object.key);

async function* chunksOf(parts: readonly string[], failure?: Error): AsyncIterable<Uint8Array> {
  for (const part of parts) yield Buffer.from(part);
  if (failure) throw failure;
}

/**
 * The behaviour every `ObjectStore` shares (S3 semantics), run by each adapter's test file with a
 * `setup` that opens a fresh store on its backend.
 *
 * @example
 * objectStoreContract('S3 object store', async () => ({ store, now: () => new Date(), clockSlackMs: 2000, stored }));
 */
export function objectStoreContract(name: string, setup: () => Promise<ObjectStoreFixture>): void {
  describe(name, () => {
    let fixture: ObjectStoreFixture;
    let store: ObjectStore;

    beforeEach(async () => {
      fixture = await setup();
      store = fixture.store;
    });
    afterEach(async () => {
      await fixture?.cleanup?.();
    });

    const expectStampedNow = (date: Date) => {
      expect(date).toBeInstanceOf(Date);
      expect(Math.abs(date.getTime() - fixture.now().getTime())).toBeLessThanOrEqual(fixture.clockSlackMs);
    };

    it('round-trips an object with its metadata, lower-casing metadata names', async () => {
      const body = 'Id,Date,Transaction\n0,7/15,+60.5\n';
      const info = await store.put({
        bucket: 'transactions',
        key: 'uploads/año/july.csv',
        body,
        contentType: 'text/csv',
        metadata: { 'Account-Id': 'acct-1', YEAR: '2024' },
      });
      expect(info).toEqual({
        bucket: 'transactions',
        key: 'uploads/año/july.csv',
        size: Buffer.byteLength(body),
        etag: md5(body),
        contentType: 'text/csv',
        lastModified: info.lastModified,
        metadata: { 'account-id': 'acct-1', year: '2024' },
      });
      expectStampedNow(info.lastModified);
      expect(await store.head('transactions', 'uploads/año/july.csv')).toEqual(info);
      expect(await readText(store.read('transactions', 'uploads/año/july.csv'))).toBe(body);
      expect(await store.list('transactions')).toEqual([info]);
      expect(await store.list('email-templates')).toEqual([]);
    });

    it('stores a streamed body chunk by chunk with the MD5 of the whole as its etag', async () => {
      const parts = ['first line\n', 'second ', 'line\n', 'ñ'];
      const info = await store.put({ bucket: 'transactions', key: 'streamed.csv', body: chunksOf(parts) });
      const whole = parts.join('');
      expect(info).toMatchObject({
        size: Buffer.byteLength(whole),
        etag: md5(whole),
        contentType: 'application/octet-stream',
        metadata: {},
      });
      expect(await readText(store.read('transactions', 'streamed.csv'))).toBe(whole);
      expect(await store.head('transactions', 'streamed.csv')).toEqual(info);
    });

    it('keeps binary bytes exactly, and stores an empty object', async () => {
      const bytes = Uint8Array.from({ length: 256 }, (_, i) => 255 - i);
      const binary = await store.put({ bucket: 'transactions', key: 'bytes.bin', body: bytes });
      expect(binary).toMatchObject({ size: 256, etag: md5(bytes) });
      expect(new Uint8Array(await readAll(store.read('transactions', 'bytes.bin')))).toEqual(bytes);

      const empty = await store.put({ bucket: 'transactions', key: 'empty.csv', body: '' });
      expect(empty).toMatchObject({ size: 0, etag: md5('') });
      expect((await readAll(store.read('transactions', 'empty.csv'))).byteLength).toBe(0);
      const streamedEmpty = await store.put({
        bucket: 'transactions',
        key: 'empty2.csv',
        body: chunksOf([]),
      });
      expect(streamedEmpty).toMatchObject({ size: 0, etag: md5('') });
    });

    it('replaces an object put twice under one key', async () => {
      const first = await store.put({
        bucket: 'transactions',
        key: 'a.csv',
        body: 'old',
        metadata: { v: '1' },
      });
      const second = await store.put({ bucket: 'transactions', key: 'a.csv', body: 'new content' });
      expect(second).toMatchObject({ size: 11, etag: md5('new content'), metadata: {} });
      expect(second.lastModified.getTime()).toBeGreaterThanOrEqual(first.lastModified.getTime());
      expect(await store.head('transactions', 'a.csv')).toEqual(second);
      expect(await readText(store.read('transactions', 'a.csv'))).toBe('new content');
      expect(await store.list('transactions')).toEqual([second]);
    });

    it('keeps the previous version when a streamed body fails half-way, and creates nothing new', async () => {
      const previous = await store.put({
        bucket: 'transactions',
        key: 'a.csv',
        body: 'old',
        metadata: { v: '1' },
      });
      const broken = () => chunksOf(['partial ', 'content'], new Error('source broke'));
      await expect(store.put({ bucket: 'transactions', key: 'a.csv', body: broken() })).rejects.toThrow(
        'source broke',
      );
      await expect(store.put({ bucket: 'transactions', key: 'b.csv', body: broken() })).rejects.toThrow(
        'source broke',
      );
      expect(await store.head('transactions', 'a.csv')).toEqual(previous);
      expect(await readText(store.read('transactions', 'a.csv'))).toBe('old');
      expect(await store.head('transactions', 'b.csv')).toBeUndefined();
      expect(await store.list('transactions')).toEqual([previous]);
    });

    it('lists by prefix in key order, within one bucket', async () => {
      for (const key of ['b/2.csv', 'a/1.csv', 'b/1.csv', 'bb.csv']) {
        await store.put({ bucket: 'transactions', key, body: key });
      }
      await store.put({ bucket: 'email-templates', key: 'b/other.html', body: 'x' });
      expect(keys(await store.list('transactions', 'b/'))).toEqual(['b/1.csv', 'b/2.csv']);
      expect(keys(await store.list('transactions', 'b'))).toEqual(['b/1.csv', 'b/2.csv', 'bb.csv']);
      expect(keys(await store.list('transactions'))).toEqual(['a/1.csv', 'b/1.csv', 'b/2.csv', 'bb.csv']);
      expect(await store.list('transactions', 'c')).toEqual([]);
      const [info] = await store.list('transactions', 'bb');
      expect(info).toEqual(await store.head('transactions', 'bb.csv'));
    });

    it('lists every object of a prefix, in key order, however many pages the backend uses', async () => {
      const expected = Array.from({ length: 9 }, (_, i) => `page/${String(i).padStart(2, '0')}.csv`);
      for (const key of [...expected].reverse()) {
        await store.put({ bucket: 'transactions', key, body: key, metadata: { key } });
      }
      await store.put({ bucket: 'transactions', key: 'pages.csv', body: 'not in page/' });
      const listed = await store.list('transactions', 'page/');
      expect(keys(listed)).toEqual(expected);
      expect(listed.map((object) => object.metadata.key)).toEqual(expected);
      expect(await store.list('transactions')).toHaveLength(expected.length + 1);
    });

    it('treats % and _ in a list prefix literally', async () => {
      for (const key of ['100%/a.csv', '100x/b.csv', 'a_b/c.csv', 'axb/d.csv']) {
        await store.put({ bucket: 'transactions', key, body: key });
      }
      expect(keys(await store.list('transactions', '100%'))).toEqual(['100%/a.csv']);
      expect(keys(await store.list('transactions', 'a_b'))).toEqual(['a_b/c.csv']);
      expect(await store.list('transactions', '%')).toEqual([]);
      expect(await store.list('transactions', '_')).toEqual([]);
      expect(await readText(store.read('transactions', '100%/a.csv'))).toBe('100%/a.csv');
    });

    it('deletes an object and everything it stored, and ignores deleting an absent one', async () => {
      await store.put({ bucket: 'transactions', key: 'gone.csv', body: 'x' });
      await store.put({ bucket: 'transactions', key: 'kept.csv', body: 'y' });
      expect((await fixture.stored()).some((line) => line.includes('gone.csv'))).toBe(true);
      await store.delete('transactions', 'gone.csv');
      expect(await store.head('transactions', 'gone.csv')).toBeUndefined();
      expect(keys(await store.list('transactions'))).toEqual(['kept.csv']);
      await expect(readAll(store.read('transactions', 'gone.csv'))).rejects.toThrow(ObjectNotFoundError);
      const traces = (await fixture.stored()).filter((line) => line.includes('gone.csv'));
      // A backend that logs events may keep the creation event; nothing else may remain.
      expect(traces.filter((line) => !line.startsWith('event '))).toEqual([]);
      await store.delete('transactions', 'gone.csv');
      await store.delete('transactions', 'never-there.csv');
      expect(keys(await store.list('transactions'))).toEqual(['kept.csv']);
    });

    it('reports a missing object as undefined on head and ObjectNotFoundError on read', async () => {
      expect(await store.head('transactions', 'nope.csv')).toBeUndefined();
      const reading = readAll(store.read('transactions', 'nope.csv'));
      await expect(reading).rejects.toThrow(ObjectNotFoundError);
      await expect(reading).rejects.toThrow('object transactions/nope.csv does not exist');
      await expect(reading).rejects.toMatchObject({ bucket: 'transactions', key: 'nope.csv' });
    });

    it('copies an object with its content type and metadata, leaving the source', async () => {
      const body = '<p>{{name}}</p>';
      const source = await store.put({
        bucket: 'transactions',
        key: 'templates/source.html',
        body,
        contentType: 'text/html; charset=utf-8',
        metadata: { Owner: 'ops', version: '3' },
      });
      const copy = await store.copy(
        { bucket: 'transactions', key: 'templates/source.html' },
        { bucket: 'email-templates', key: 'copied/statement.html' },
      );
      expect(copy).toEqual({
        bucket: 'email-templates',
        key: 'copied/statement.html',
        size: Buffer.byteLength(body),
        etag: md5(body),
        contentType: 'text/html; charset=utf-8',
        lastModified: copy.lastModified,
        metadata: { owner: 'ops', version: '3' },
      });
      expectStampedNow(copy.lastModified);
      expect(await store.head('email-templates', 'copied/statement.html')).toEqual(copy);
      expect(await readText(store.read('email-templates', 'copied/statement.html'))).toBe(body);
      expect(await store.head('transactions', 'templates/source.html')).toEqual(source);

      const within = await store.copy(
        { bucket: 'transactions', key: 'templates/source.html' },
        { bucket: 'transactions', key: 'processed/source.html' },
      );
      expect(within).toMatchObject({ etag: md5(body), metadata: { owner: 'ops', version: '3' } });
      expect(keys(await store.list('transactions'))).toEqual([
        'processed/source.html',
        'templates/source.html',
      ]);
    });

    it('copies onto an existing object, replacing its bytes, content type and metadata', async () => {
      await store.put({ bucket: 'transactions', key: 'new.csv', body: 'new', contentType: 'text/csv' });
      await store.put({
        bucket: 'transactions',
        key: 'old.json',
        body: '{"old":1}',
        metadata: { stale: 'y' },
      });
      const copy = await store.copy(
        { bucket: 'transactions', key: 'new.csv' },
        { bucket: 'transactions', key: 'old.json' },
      );
      expect(copy).toMatchObject({ size: 3, etag: md5('new'), contentType: 'text/csv', metadata: {} });
      expect(await readText(store.read('transactions', 'old.json'))).toBe('new');
    });

    it('refuses to copy a missing object and writes nothing', async () => {
      const before = await fixture.stored();
      const copying = store.copy(
        { bucket: 'transactions', key: 'nope.csv' },
        { bucket: 'email-templates', key: 'copy.csv' },
      );
      await expect(copying).rejects.toThrow(ObjectNotFoundError);
      await expect(copying).rejects.toMatchObject({ bucket: 'transactions', key: 'nope.csv' });
      expect(await store.head('email-templates', 'copy.csv')).toBeUndefined();
      expect(await fixture.stored()).toEqual(before);
    });

    it('refuses a bucket it does not serve, and stores nothing', async () => {
      await store.put({ bucket: 'transactions', key: 'a.csv', body: 'x' });
      const before = await fixture.stored();
      await expect(store.put({ bucket: 'landing', key: 'a.csv', body: 'x' })).rejects.toThrow(
        NoSuchBucketError,
      );
      await expect(store.head('landing', 'a.csv')).rejects.toThrow('bucket "landing" does not exist');
      await expect(store.list('landing')).rejects.toThrow(NoSuchBucketError);
      await expect(readAll(store.read('landing', 'a.csv'))).rejects.toThrow(NoSuchBucketError);
      await expect(store.delete('landing', 'a.csv')).rejects.toThrow(NoSuchBucketError);
      const from = { bucket: 'transactions', key: 'a.csv' };
      await expect(store.copy(from, { bucket: 'landing', key: 'a.csv' })).rejects.toThrow(NoSuchBucketError);
      await expect(store.copy({ bucket: 'landing', key: 'a.csv' }, from)).rejects.toMatchObject({
        name: 'NoSuchBucketError',
        bucket: 'landing',
      });
      expect(await fixture.stored()).toEqual(before);
    });

    it.each(['../x', '/abs', 'a//b', 'a\u0000b', 'a/../../escape.csv', '', 'dir/', 'a\\b', './a'])(
      'refuses the key %j on every operation and stores nothing',
      async (key) => {
        await store.put({ bucket: 'transactions', key: 'ok.csv', body: 'x' });
        const before = await fixture.stored();
        const ok = { bucket: 'transactions', key: 'ok.csv' };
        const bad = { bucket: 'transactions', key };
        await expect(store.put({ ...bad, body: 'x' })).rejects.toThrow(InvalidObjectKeyError);
        await expect(store.put({ ...bad, body: chunksOf(['x']) })).rejects.toThrow(InvalidObjectKeyError);
        await expect(store.head('transactions', key)).rejects.toThrow(InvalidObjectKeyError);
        await expect(readAll(store.read('transactions', key))).rejects.toThrow(InvalidObjectKeyError);
        await expect(store.delete('transactions', key)).rejects.toThrow(InvalidObjectKeyError);
        await expect(store.copy(ok, bad)).rejects.toThrow(InvalidObjectKeyError);
        await expect(store.copy(bad, ok)).rejects.toThrow(InvalidObjectKeyError);
        expect(await fixture.stored()).toEqual(before);
        expect(keys(await store.list('transactions'))).toEqual(['ok.csv']);
      },
    );
  });
}
