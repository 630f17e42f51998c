import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  InvalidBucketNameError,
  InvalidObjectKeyError,
  objectPathWithin,
  validateBucketName,
  validateObjectKey,
} from '../../src/adapters/common/object-key.js';
import { fuzzParams, fuzzTimeout } from './settings.js';

/**
 * Object keys, as every object store checks them, and the filesystem store's key-to-path mapping
 * (`objectPathWithin`, which the store calls for every read and write).
 */

const ROOT = path.resolve('/srv/tributary-fuzz/objects');
const BUCKET = 'landing';
const BUCKET_DIR = path.join(ROOT, BUCKET);

/** A segment of a valid key: anything but `/`, controls and lone surrogates; not `.` or `..`. */
const segmentArb = fc
  .string({
    unit: fc.constantFrom(
      'a',
      'Z',
      '0',
      ' ',
      '.',
      '-',
      '_',
      '%',
      '%2e',
      '%2F',
      ':',
      '~',
      'é',
      '😀',
      '\u2028',
      '\u00a0',
      '..',
      '*',
      '?',
    ),
    minLength: 1,
    maxLength: 6,
  })
  .filter((segment) => segment !== '.' && segment !== '..');

/** A key the store must accept: well-formed segments, not starting like a drive letter. */
const validKeyArb = fc
  .array(segmentArb, { minLength: 1, maxLength: 5 })
  .map((segments) => segments.join('/'))
  .filter((key) => !/^[a-zA-Z]:/.test(key));

/** How a key can try to leave its folder or confuse a file system, and the reason that names it. */
const attacks: readonly (readonly [string, (key: string, at: number) => string, RegExp])[] = [
  ['dot-dot segment', (key, at) => insertSegment(key, at, '..'), /".." segments/],
  ['dot segment', (key, at) => insertSegment(key, at, '.'), /"\." segments/],
  ['empty segment', (key, at) => insertSegment(key, at, ''), /empty segments|must not end with|absolute/],
  ['absolute path', (key) => `/${key}`, /absolute paths/],
  ['drive letter', (key) => `C:${key}`, /absolute paths/],
  ['UNC path', (key) => `\\\\server\\${key}`, /absolute paths/],
  ['backslash', (key, at) => insertAt(key, at, '\\'), /backslashes|absolute/],
  ['backslash dot-dot', (key, at) => insertAt(key, at, '\\..\\'), /backslashes|absolute/],
  ['NUL', (key, at) => insertAt(key, at, '\u0000'), /control characters are not allowed \(U\+0000/],
  ['line break', (key, at) => insertAt(key, at, '\n'), /control characters are not allowed \(U\+000A/],
  ['DEL', (key, at) => insertAt(key, at, '\u007f'), /control characters are not allowed \(U\+007F/],
  ['lone surrogate', (key, at) => insertAt(key, at, '\ud800x'), /lone surrogate/],
  ['trailing slash', (key) => `${key}/`, /must not end with "\/"/],
  ['too long', (key) => `${key}/${'x'.repeat(1024)}`, /at most 1024 bytes/],
];

function insertAt(key: string, at: number, text: string): string {
  // Between code points, so that the insertion itself leaves no lone surrogate behind.
  const points = [...key];
  const i = at % (points.length + 1);
  return [...points.slice(0, i), text, ...points.slice(i)].join('');
}

function insertSegment(key: string, at: number, segment: string): string {
  const segments = key.split('/');
  segments.splice(at % (segments.length + 1), 0, segment);
  return segments.join('/');
}

/** Percent-encodes some characters (any, not only the reserved ones), in either hex case. */
function percentEncode(text: string, bits: readonly number[]): string {
  return [...text]
    .map((char, index) => {
      const bit = bits[index % Math.max(bits.length, 1)] ?? 0;
      // A `%` is always encoded, so that decoding gives back exactly the text.
      if ((bit & 1) === 0 && char !== '%') return char;
      const encoded =
        encodeURIComponent(char) === char
          ? `%${char.charCodeAt(0).toString(16).padStart(2, '0')}`
          : encodeURIComponent(char);
      return (bit & 2) === 0 ? encoded.toLowerCase() : encoded.toUpperCase();
    })
    .join('');
}

const thrown = (run: () => unknown): unknown => {
  try {
    run();
  } catch (error) {
    return error;
  }
  return undefined;
};

/** The key's path below the bucket folder, if the mapped path lies inside it. */
const inside = (file: string): string[] | undefined =>
  file.startsWith(BUCKET_DIR + path.sep) ? file.slice(BUCKET_DIR.length + 1).split(path.sep) : undefined;

describe('object keys (fuzz)', () => {
  it(
    'accepts every valid key and maps it to exactly its own path inside the bucket folder',
    () => {
      fc.assert(
        fc.property(validKeyArb, (key) => {
          expect(validateObjectKey(key)).toEqual({ ok: true, key });
          expect(inside(objectPathWithin(ROOT, BUCKET, key))).toEqual(key.split('/'));
        }),
        fuzzParams(),
      );
    },
    fuzzTimeout,
  );

  it(
    'refuses every traversal, absolute, control-character and malformed key, naming why',
    () => {
      const attack = fc.constantFrom(...attacks);
      fc.assert(
        fc.property(validKeyArb, attack, fc.nat(), (key, [, mutate, says], at) => {
          const bad = mutate(key, at);
          const result = validateObjectKey(bad);
          expect(result).toEqual({ ok: false, reason: expect.stringMatching(says) });
          const error = thrown(() => objectPathWithin(ROOT, BUCKET, bad));
          expect(error).toBeInstanceOf(InvalidObjectKeyError);
        }),
        fuzzParams(),
      );
    },
    fuzzTimeout,
  );

  it(
    'refuses the URL-encoded forms once decoded, and keeps their literal text inside the bucket',
    () => {
      const attack = fc.constantFrom(...attacks.filter(([name]) => name !== 'lone surrogate'));
      const bitsArb = fc.array(fc.nat(), { minLength: 1, maxLength: 12 });
      fc.assert(
        fc.property(validKeyArb, attack, fc.nat(), bitsArb, (key, [, mutate, says], at, bits) => {
          const bad = mutate(key, at);
          const encoded = percentEncode(bad, bits);
          expect(validateObjectKey(decodeURIComponent(encoded))).toEqual({
            ok: false,
            reason: expect.stringMatching(says),
          });
          // Undecoded (or encoded twice and decoded once), `%2e%2e` is a name like any other.
          for (const literal of [encoded, decodeURIComponent(percentEncode(encoded, [1]))]) {
            if (!validateObjectKey(literal).ok) continue;
            expect(inside(objectPathWithin(ROOT, BUCKET, literal))).toEqual(literal.split('/'));
          }
        }),
        fuzzParams(),
      );
    },
    fuzzTimeout,
  );

  it(
    'never maps any string outside the bucket folder, and fails only with the key and bucket errors',
    () => {
      const hostile = fc.string({
        unit: fc.oneof(
          fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
          fc.constantFrom('/', '..', '.', '\\', '%2e', '%2f', 'C:', '\u0000', '~', '\ud800', '\udc00'),
        ),
        maxLength: 12,
      });
      const bucket = fc.oneof(
        fc.constant(BUCKET),
        fc.string({ maxLength: 8 }),
        fc.constantFrom('..', '.', '../x', 'a/b'),
      );
      fc.assert(
        fc.property(bucket, hostile, (name, key) => {
          let file: string | undefined;
          const error = thrown(() => {
            file = objectPathWithin(ROOT, name, key);
          });
          if (error !== undefined) {
            expect(error instanceof InvalidObjectKeyError || error instanceof InvalidBucketNameError).toBe(
              true,
            );
            return;
          }
          expect(validateBucketName(name).ok && validateObjectKey(key).ok).toBe(true);
          const bucketDir = path.join(ROOT, name);
          expect(path.dirname(bucketDir)).toBe(ROOT);
          expect(file?.startsWith(bucketDir + path.sep)).toBe(true);
          expect(file?.slice(bucketDir.length + 1).split(path.sep)).toEqual(key.split('/'));
        }),
        fuzzParams(),
      );
    },
    fuzzTimeout,
  );
});
