import type { ObjectInfo } from '../../ports/object-store.js';

/** Most entries (folders and objects) a listing shows; a bucket can hold far more. */
export const MAX_ENTRIES = 500;

/** A "folder": the objects sharing a prefix up to the next `/` (S3's common prefixes). */
export interface FolderEntry {
  kind: 'folder';
  prefix: string;
  name: string;
  objects: number;
  bytes: number;
}

export interface ObjectEntry {
  kind: 'object';
  name: string;
  info: ObjectInfo;
}

export interface Listing {
  entries: (FolderEntry | ObjectEntry)[];
  /** Every entry under the prefix, shown or not. */
  total: number;
}

/**
 * Groups the objects under `prefix` as a file browser shows them: the common prefixes up to the
 * next `/` as folders (first), then the objects directly under the prefix, each sorted by name,
 * cut to {@link MAX_ENTRIES}. `objects` must all start with `prefix`.
 *
 * @example
 * listFolder([{ key: 'a/b.csv', … }, { key: 'c.csv', … }], '').entries.map((e) => e.name); // ['a/', 'c.csv']
 */
export function listFolder(objects: readonly ObjectInfo[], prefix: string, limit = MAX_ENTRIES): Listing {
  const folders = new Map<string, FolderEntry>();
  const files: ObjectEntry[] = [];
  for (const info of objects) {
    const rest = info.key.slice(prefix.length);
    const slash = rest.indexOf('/');
    if (slash < 0) {
      files.push({ kind: 'object', name: rest, info });
      continue;
    }
    const name = rest.slice(0, slash + 1);
    const folder = folders.get(name) ?? { kind: 'folder', prefix: prefix + name, name, objects: 0, bytes: 0 };
    folder.objects += 1;
    folder.bytes += info.size;
    folders.set(name, folder);
  }
  const byName = (a: { name: string }, b: { name: string }) =>
    a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
  const entries = [...[...folders.values()].sort(byName), ...files.sort(byName)];
  return { entries: entries.slice(0, limit), total: entries.length };
}

/**
 * The breadcrumbs of a prefix: each folder on the way down with the prefix that opens it.
 * A trailing partial name (`accounts/ac`) is a filter, not a folder, and is left out.
 */
export function prefixCrumbs(prefix: string): { name: string; prefix: string }[] {
  const crumbs: { name: string; prefix: string }[] = [];
  let end = prefix.indexOf('/');
  while (end >= 0) {
    const start = crumbs.length === 0 ? 0 : (crumbs.at(-1) as { prefix: string }).prefix.length;
    crumbs.push({ name: prefix.slice(start, end), prefix: prefix.slice(0, end + 1) });
    end = prefix.indexOf('/', end + 1);
  }
  return crumbs;
}

/** The folder part of a prefix (up to its last `/`): where an upload from this view lands. */
export const folderOf = (prefix: string): string => prefix.slice(0, prefix.lastIndexOf('/') + 1);

const TEXT_TYPES = /^(text\/|application\/(json|x-ndjson|xml|csv|yaml|x-yaml)\b)/i;
const TEXT_EXTENSIONS = /\.(csv|tsv|json|ndjson|txt|log|md|html?|xml|ya?ml)$/i;

/** Whether an object is likely text, worth a preview: by its content type, else its name. */
export const isTextual = (info: Pick<ObjectInfo, 'key' | 'contentType'>): boolean =>
  TEXT_TYPES.test(info.contentType) || TEXT_EXTENSIONS.test(info.key);

/** `attachment; filename="…"; filename*=UTF-8''…` for any key (RFC 6266, RFC 8187). */
export function attachmentDisposition(key: string): string {
  const name = key.slice(key.lastIndexOf('/') + 1) || 'download';
  const ascii = name.replace(/[^A-Za-z0-9._ -]/g, '_');
  const encoded = encodeURIComponent(name).replace(
    /['()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}
