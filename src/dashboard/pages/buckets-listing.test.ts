import { describe, expect, it } from 'vitest';
import type { ObjectInfo } from '../../ports/object-store.js';
import { attachmentDisposition, folderOf, listFolder, prefixCrumbs } from './buckets-listing.js';

const object = (key: string, size = 1): ObjectInfo => ({
  bucket: 'b',
  key,
  size,
  etag: 'e',
  contentType: 'text/plain',
  lastModified: new Date(0),
  metadata: {},
});

describe('listFolder', () => {
  it('shows common prefixes as folders first, with their object counts and sizes, then the objects', () => {
    const listing = listFolder(
      [object('a/x.csv', 2), object('z.csv'), object('a/y/z.csv', 3), object('b/c.csv'), object('m.csv')],
      '',
    );
    expect(listing.entries.map((e) => e.name)).toEqual(['a/', 'b/', 'm.csv', 'z.csv']);
    expect(listing.entries[0]).toMatchObject({ kind: 'folder', prefix: 'a/', objects: 2, bytes: 5 });
    expect(listing.total).toBe(4);
  });

  it('lists below a prefix, and treats a partial name as a filter', () => {
    const objects = [object('a/x.csv'), object('a/y/z.csv'), object('a/xx/1.csv')];
    expect(listFolder(objects, 'a/').entries.map((e) => e.name)).toEqual(['xx/', 'y/', 'x.csv']);
    const partial = objects.filter((o) => o.key.startsWith('a/x'));
    expect(listFolder(partial, 'a/x').entries.map((e) => e.name)).toEqual(['x/', '.csv']);
  });

  it('cuts a long listing and says how many entries there were', () => {
    const objects = Array.from({ length: 750 }, (_, i) => object(`k${String(i).padStart(4, '0')}`));
    const listing = listFolder(objects, '');
    expect(listing.entries).toHaveLength(500);
    expect(listing.total).toBe(750);
    expect(listing.entries.at(-1)?.name).toBe('k0499');
  });
});

describe('prefixCrumbs and folderOf', () => {
  it('names each folder on the way down and leaves out a trailing partial name', () => {
    expect(prefixCrumbs('')).toEqual([]);
    expect(prefixCrumbs('accounts/7/jul')).toEqual([
      { name: 'accounts', prefix: 'accounts/' },
      { name: '7', prefix: 'accounts/7/' },
    ]);
    expect(folderOf('accounts/7/jul')).toBe('accounts/7/');
    expect(folderOf('jul')).toBe('');
  });
});

describe('attachmentDisposition', () => {
  it('gives an ASCII fallback and the exact UTF-8 name, from the last segment of the key', () => {
    expect(attachmentDisposition('reports/Relevé "août".csv')).toBe(
      `attachment; filename="Relev_ _ao_t_.csv"; filename*=UTF-8''Relev%C3%A9%20%22ao%C3%BBt%22.csv`,
    );
    expect(attachmentDisposition("it's (1).csv")).toBe(
      `attachment; filename="it_s _1_.csv"; filename*=UTF-8''it%27s%20%281%29.csv`,
    );
  });
});
