import { createHash } from 'node:crypto';

/**
 * JSON with object keys sorted (recursively, by UTF-16 code unit), no whitespace, arrays in
 * order: two values equal as JSON give the same text, whatever their key order or layout.
 * As with `JSON.stringify`, `undefined` object members are left out and non-finite numbers
 * become `null`.
 */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) {
    return `[${value.map((item) => (item === undefined ? 'null' : canonicalJson(item))).join(',')}]`;
  }
  if (value !== null && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    const members = Object.keys(record)
      .sort()
      .filter((key) => record[key] !== undefined)
      .map((key) => `${JSON.stringify(key)}:${canonicalJson(record[key])}`);
    return `{${members.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/**
 * sha256 (hex) of {@link canonicalJson}: the content identity of an event, so that a resent
 * event (same ID, same fingerprint) is a duplicate and a different one under the same ID a
 * conflict.
 */
export function fingerprint(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value)).digest('hex');
}
