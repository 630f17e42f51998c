import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  InvalidBucketNameError,
  InvalidObjectKeyError,
  objectPathWithin,
  validateBucketName,
  validateObjectKey,
} from './object-key.js';

const reasonFor = (key: string) => {
  const result = validateObjectKey(key);
  return result.ok ? undefined : result.reason;
};

describe('validateObjectKey', () => {
  it.each([
    'statement.html',
    'accounts/7/july.csv',
    'stage/hired_employees 2021.csv',
    'uploads/año/ñ.csv',
    'データ/ファイル.csv',
    'emoji/🚀.json',
    '.hidden',
    '..double-dot-prefix',
    'a/..b/c.',
    'name with spaces/ and trailing space ',
    'reports/12:00.csv',
    'a'.repeat(1024),
  ])('accepts %j', (key) => {
    expect(validateObjectKey(key)).toEqual({ ok: true, key });
  });

  it.each([
    ['', 'must not be empty'],
    ['a'.repeat(1025), 'at most 1024 bytes of UTF-8, got 1025'],
    ['ñ'.repeat(513), 'at most 1024 bytes of UTF-8, got 1026'],
    ['a\u0000b', 'control characters are not allowed (U+0000 at position 1)'],
    ['line\nbreak', 'control characters are not allowed (U+000A'],
    ['tab\there', 'control characters are not allowed (U+0009'],
    ['del\u007f', 'control characters are not allowed (U+007F'],
    ['lone\ud800surrogate', 'well-formed Unicode'],
    ['/etc/passwd', 'absolute paths are not allowed'],
    ['C:\\Windows\\x', 'absolute paths are not allowed'],
    ['c:/Windows/x', 'absolute paths are not allowed'],
    ['C:relative', 'absolute paths are not allowed'],
    ['\\\\server\\share\\x', 'absolute paths are not allowed'],
    ['a\\b.csv', 'backslashes are not allowed'],
    ['..', '".." segments are not allowed'],
    ['../x', '".." segments are not allowed'],
    ['a/../../x', '".." segments are not allowed'],
    ['a/..', '".." segments are not allowed'],
    ['.', '"." segments are not allowed'],
    ['./x', '"." segments are not allowed'],
    ['a/./b', '"." segments are not allowed'],
    ['a//b', 'empty segments ("//") are not allowed'],
    ['folder/', 'must not end with "/"'],
  ])('rejects %j', (key, reason) => {
    expect(reasonFor(key)).toContain(reason);
  });

  it.each([
    ['%2e%2e/x', '".." segments'],
    ['%2E%2E%2Fx', '".." segments'],
    ['a/%2e/b', '"." segments'],
    ['a%2F%2Fb', 'empty segments'],
    ['%2Fetc%2Fpasswd', 'absolute paths'],
    ['..%5Cx', 'backslashes'],
    ['a%00b', 'control characters'],
  ])('rejects the URL-encoded %j once decoded', (encoded, reason) => {
    expect(reasonFor(decodeURIComponent(encoded))).toContain(reason);
  });

  it('accepts URL-encoded unicode and spaces once decoded', () => {
    const key = decodeURIComponent('uploads/a%C3%B1o/%C3%B1%20file.csv');
    expect(validateObjectKey(key)).toEqual({ ok: true, key: 'uploads/año/ñ file.csv' });
  });
});

describe('validateBucketName', () => {
  it.each([
    'transactions',
    'email-templates',
    'order-results',
    'abc',
    'my.bucket.v2',
    '1bucket9',
    'a'.repeat(63),
  ])('accepts %j', (name) => {
    expect(validateBucketName(name)).toEqual({ ok: true, name });
  });

  it.each([
    ['ab', '3 to 63 characters, got 2'],
    ['a'.repeat(64), '3 to 63 characters, got 64'],
    ['Transactions', 'only lowercase letters'],
    ['my_bucket', 'only lowercase letters'],
    ['my bucket', 'only lowercase letters'],
    ['../x', 'only lowercase letters'],
    ['-bucket', 'start and end with a letter or digit'],
    ['bucket-', 'start and end with a letter or digit'],
    ['.bucket', 'start and end with a letter or digit'],
    ['my..bucket', 'adjacent dots'],
    ['192.168.5.4', 'IP address'],
    ['xn--bucket', 'prefix "xn--" is reserved'],
    ['bucket-s3alias', 'suffix "-s3alias" is reserved'],
  ])('rejects %j', (name, reason) => {
    const result = validateBucketName(name);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.reason).toContain(reason);
  });
});

describe('objectPathWithin', () => {
  const root = path.resolve('/data/objects');

  it('places the object under its bucket folder', () => {
    expect(objectPathWithin(root, 'transactions', 'accounts/7/july.csv')).toBe(
      path.join(root, 'transactions', 'accounts', '7', 'july.csv'),
    );
  });

  it('keeps unicode and spaces in the file name', () => {
    expect(objectPathWithin(root, 'landing', 'uploads/año/ñ file.csv')).toBe(
      path.join(root, 'landing', 'uploads', 'año', 'ñ file.csv'),
    );
  });

  it('throws InvalidObjectKeyError naming the key and the reason', () => {
    let caught: unknown;
    try {
      objectPathWithin(root, 'landing', '../x');
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(InvalidObjectKeyError);
    expect(caught).toMatchObject({
      key: '../x',
      reason: '".." segments are not allowed',
      message: 'invalid object key "../x": ".." segments are not allowed',
    });
  });

  it.each(['../../etc/passwd', '/etc/passwd', 'C:\\x', 'a/../../b', decodeURIComponent('%2e%2e/x')])(
    'refuses to leave the bucket folder with %j',
    (key) => {
      expect(() => objectPathWithin(root, 'landing', key)).toThrow(InvalidObjectKeyError);
    },
  );

  it('refuses a bucket name that could leave the root', () => {
    expect(() => objectPathWithin(root, '..', 'x')).toThrow(InvalidBucketNameError);
    expect(() => objectPathWithin(root, 'a/b', 'x')).toThrow(InvalidBucketNameError);
  });
});
