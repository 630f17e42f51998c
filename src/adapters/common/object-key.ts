import path from 'node:path';

/**
 * Object keys and bucket names, checked alike by every object store (filesystem and S3), so a key
 * is accepted or refused the same way wherever the pipeline runs. S3 accepts almost any key; a
 * folder of files cannot, so keys that could name something outside their bucket folder, or two
 * keys that would land on one file, are refused. Keys arrive already URL-decoded from HTTP, so
 * `%2e%2e/x` is checked as `../x`.
 */

export type ObjectKeyValidation = { ok: true; key: string } | { ok: false; reason: string };
export type BucketNameValidation = { ok: true; name: string } | { ok: false; reason: string };

export class InvalidObjectKeyError extends Error {
  constructor(
    readonly key: string,
    readonly reason: string,
  ) {
    super(`invalid object key ${JSON.stringify(key)}: ${reason}`);
    this.name = 'InvalidObjectKeyError';
  }
}

export class InvalidBucketNameError extends Error {
  constructor(
    readonly bucket: string,
    readonly reason: string,
  ) {
    super(`invalid bucket name ${JSON.stringify(bucket)}: ${reason}`);
    this.name = 'InvalidBucketNameError';
  }
}

const MAX_KEY_BYTES = 1024;
// A lone UTF-16 surrogate cannot be encoded: two different keys would map to one file name.
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
// `C:\x`, `C:/x`, and drive-relative `C:x`, which Windows resolves against that drive's cwd.
const DRIVE_LETTER = /^[a-zA-Z]:/;

/** Checks an (already URL-decoded) object key against the rules of the local object store. */
export function validateObjectKey(key: string): ObjectKeyValidation {
  const reason = keyProblem(key);
  return reason === undefined ? { ok: true, key } : { ok: false, reason };
}

function keyProblem(key: string): string | undefined {
  if (key.length === 0) return 'a key must not be empty';
  const bytes = Buffer.byteLength(key, 'utf8');
  if (bytes > MAX_KEY_BYTES) return `a key is at most ${MAX_KEY_BYTES} bytes of UTF-8, got ${bytes}`;
  const control = firstControlCharacter(key);
  if (control !== undefined) {
    const code = control.code.toString(16).toUpperCase().padStart(4, '0');
    return `control characters are not allowed (U+${code} at position ${control.index})`;
  }
  if (LONE_SURROGATE.test(key)) return 'a key must be well-formed Unicode (lone surrogate)';
  if (key.startsWith('/') || key.startsWith('\\') || DRIVE_LETTER.test(key))
    return 'absolute paths are not allowed';
  if (key.includes('\\')) return 'backslashes are not allowed';
  if (key.endsWith('/')) return 'a key must not end with "/"';
  const segments = key.split('/');
  if (segments.includes('..')) return '".." segments are not allowed';
  if (segments.includes('.')) return '"." segments are not allowed';
  if (segments.includes('')) return 'empty segments ("//") are not allowed';
  return undefined;
}

/** C0 controls and DEL: invisible in listings and, for NUL, truncating in native file APIs. */
function firstControlCharacter(key: string): { code: number; index: number } | undefined {
  for (let index = 0; index < key.length; index++) {
    const code = key.charCodeAt(index);
    if (code < 0x20 || code === 0x7f) return { code, index };
  }
  return undefined;
}

/**
 * Checks a bucket name against the S3 general-purpose bucket rules: 3 to 63 characters of
 * lowercase letters, digits, hyphens and dots, starting and ending with a letter or digit, no
 * adjacent dots, not an IP address, and none of the prefixes and suffixes S3 reserves.
 */
export function validateBucketName(name: string): BucketNameValidation {
  const reason = bucketProblem(name);
  return reason === undefined ? { ok: true, name } : { ok: false, reason };
}

const RESERVED_PREFIXES = ['xn--', 'sthree-', 'amzn-s3-demo-'];
const RESERVED_SUFFIXES = ['-s3alias', '--ol-s3', '.mrap', '--x-s3', '--table-s3'];

function bucketProblem(name: string): string | undefined {
  if (name.length < 3 || name.length > 63) return `a bucket name has 3 to 63 characters, got ${name.length}`;
  if (!/^[a-z0-9.-]+$/.test(name)) return 'only lowercase letters, digits, hyphens and dots are allowed';
  if (!/^[a-z0-9].*[a-z0-9]$/.test(name)) return 'a bucket name must start and end with a letter or digit';
  if (name.includes('..')) return 'adjacent dots are not allowed';
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(name)) return 'a bucket name must not look like an IP address';
  const prefix = RESERVED_PREFIXES.find((p) => name.startsWith(p));
  if (prefix !== undefined) return `the prefix "${prefix}" is reserved`;
  const suffix = RESERVED_SUFFIXES.find((s) => name.endsWith(s));
  if (suffix !== undefined) return `the suffix "${suffix}" is reserved`;
  return undefined;
}

/**
 * The file path of an object: `root/bucket/key`. Validates the bucket and key, then checks the
 * resolved path really lies inside the bucket folder, so a gap in the rules above still cannot
 * reach outside it. Throws `InvalidBucketNameError` or `InvalidObjectKeyError`.
 *
 * @example
 * objectPathWithin('/data/objects', 'transactions', 'accounts/7/july.csv');
 * // '/data/objects/transactions/accounts/7/july.csv'
 */
export function objectPathWithin(root: string, bucket: string, key: string): string {
  const bucketCheck = validateBucketName(bucket);
  if (!bucketCheck.ok) throw new InvalidBucketNameError(bucket, bucketCheck.reason);
  const keyCheck = validateObjectKey(key);
  if (!keyCheck.ok) throw new InvalidObjectKeyError(key, keyCheck.reason);

  const bucketDir = path.resolve(root, bucket);
  const target = path.resolve(bucketDir, ...key.split('/'));
  const relative = path.relative(bucketDir, target);
  const escapes =
    relative === '' || relative === '..' || relative.startsWith(`..${path.sep}`) || path.isAbsolute(relative);
  if (escapes) throw new InvalidObjectKeyError(key, 'the key resolves outside its bucket folder');
  return target;
}
