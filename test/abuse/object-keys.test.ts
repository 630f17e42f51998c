import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type AbuseServer,
  asAdmin,
  dashboardSession,
  expectHealthy,
  filesUnder,
  refusal,
  send,
  startAbuseServer,
} from '../support/abuse.js';

let server: AbuseServer;
let session: Record<string, string>;
// A folder outside the data dir that a traversal would aim at (never /etc: the tests may run as root).
let canary: string;
let before: string[];

beforeAll(async () => {
  server = await startAbuseServer('keys');
  session = await dashboardSession(server);
  canary = await mkdtemp(join(tmpdir(), 'tributary-abuse-canary-'));
  before = await filesUnder(server.dataDir);
});
afterAll(async () => {
  await server?.close();
  await rm(canary, { recursive: true, force: true });
});

const BODY = 'Id,Date,Amount\n1,7/15,+1.00\n';
const PATH_MESSAGE = /"\." or "\.\." segment/;

/** Object paths as sent on the wire (after `/buckets/transactions/objects/`), and the refusal. */
function apiCases(): [string, string, RegExp][] {
  const up = relative(join(server.dataDir, 'buckets', 'transactions'), canary);
  return [
    ['../escape.csv', 'invalid_path', PATH_MESSAGE],
    ['a/../../escape.csv', 'invalid_path', PATH_MESSAGE],
    ['%2e%2e/escape.csv', 'invalid_path', PATH_MESSAGE],
    ['.%2E/escape.csv', 'invalid_path', PATH_MESSAGE],
    ['x/../y.csv', 'invalid_path', PATH_MESSAGE],
    ['x/./y.csv', 'invalid_path', PATH_MESSAGE],
    ['..\\escape.csv', 'invalid_path', /backslash/],
    ['..%2Fescape.csv', 'invalid_key', /"\.\." segments are not allowed/],
    ['%2e%2e%2Fescape.csv', 'invalid_key', /"\.\." segments are not allowed/],
    [encodeURIComponent(`${up}/pwned.csv`), 'invalid_key', /"\.\." segments are not allowed/],
    [encodeURIComponent(`${canary}/pwned.csv`), 'invalid_key', /absolute paths are not allowed/],
    [`/${canary.slice(1)}/pwned.csv`, 'invalid_key', /absolute paths are not allowed/],
    ['a%00.csv', 'invalid_key', /control characters are not allowed \(U\+0000/],
    ['..%5Cescape.csv', 'invalid_key', /backslashes are not allowed/],
    ['%2e%2e%5Cescape.csv', 'invalid_key', /backslashes are not allowed/],
    ['C:%5Cescape.csv', 'invalid_key', /absolute paths are not allowed/],
  ];
}

/** Keys as the dashboard receives them (decoded from `?key=`). */
const dashboardKeys = () => [
  '../escape.csv',
  'a/../../escape.csv',
  `${canary}/pwned.csv`,
  '/etc/passwd',
  `${relative(join(server.dataDir, 'buckets', 'transactions'), canary)}/pwned.csv`,
  'a\0.csv',
  '..\\escape.csv',
  'x/./y.csv',
];

describe('path traversal in object keys', () => {
  it('refuses every traversal on PUT and GET /buckets/:bucket/objects/<key> with 400 and the reason', async () => {
    for (const [path, code, message] of apiCases()) {
      const url = `/buckets/transactions/objects/${path}`;
      const put = await asAdmin(server, 'PUT', url, { headers: { 'content-type': 'text/csv' }, body: BODY });
      expect({ path, status: put.status }).toEqual({ path, status: 400 });
      expect(put.json()).toMatchObject(refusal(code, message));
      const get = await asAdmin(server, 'GET', url);
      expect({ path, status: get.status }).toEqual({ path, status: 400 });
      expect(get.json()).toMatchObject(refusal(code, message));
    }
    await expectHealthy(server);
  });

  it('never reads a file outside the bucket folder', async () => {
    const passwd = await asAdmin(
      server,
      'GET',
      '/buckets/transactions/objects/..%2F..%2F..%2F..%2Fetc%2Fpasswd',
    );
    expect(passwd.status).toBe(400);
    expect(passwd.text).not.toContain('root:');
    const absolute = await asAdmin(server, 'GET', '/buckets/transactions/objects/%2Fetc%2Fpasswd');
    expect(absolute.status).toBe(400);
    expect(absolute.text).not.toContain('root:');
  });

  it('refuses them on the dashboard object page, download and upload with 400 and the reason', async () => {
    for (const key of dashboardKeys()) {
      const query = `key=${encodeURIComponent(key)}`;
      for (const page of ['object', 'download']) {
        const response = await send(server, 'GET', `/ui/buckets/transactions/${page}?${query}`, {
          headers: session,
        });
        expect({ key, page, status: response.status }).toEqual({ key, page, status: 400 });
        expect(response.text).toContain('invalid object key');
        expect(response.text).not.toContain('root:');
      }
      const upload = await send(server, 'POST', `/ui/buckets/transactions/upload?${query}`, {
        headers: { ...session, 'content-type': 'text/csv' },
        body: BODY,
      });
      expect({ key, status: upload.status }).toEqual({ key, status: 400 });
      expect(upload.text).toMatch(/^Bad object: invalid object key .+: .+\.$/);
    }
    await expectHealthy(server);
  });

  it('writes nothing, inside or outside the data dir, and lists nothing afterwards', async () => {
    expect(await filesUnder(server.dataDir)).toEqual(before);
    expect(await readdir(canary)).toEqual([]);
    const listed = await asAdmin(server, 'GET', '/buckets/transactions/objects');
    expect(listed.json<{ objects: unknown[] }>().objects).toEqual([]);
    const page = await send(server, 'GET', '/ui/buckets/transactions', { headers: session });
    expect(page.status).toBe(200);
    expect(page.text).not.toMatch(/escape|pwned|passwd/);
  });

  it('decodes a key once: a double-encoded traversal is a literal name inside the bucket', async () => {
    const put = await asAdmin(server, 'PUT', '/buckets/transactions/objects/%252e%252e%252fliteral.csv', {
      body: BODY,
    });
    expect(put.status).toBe(200);
    expect(put.json<{ key: string }>().key).toBe('%2e%2e%2fliteral.csv');
    expect(await filesUnder(server.dataDir)).toEqual(
      [...before, 'buckets/transactions/%2e%2e%2fliteral.csv'].sort(),
    );
    const get = await asAdmin(server, 'GET', '/buckets/transactions/objects/%252e%252e%252fliteral.csv');
    expect(get.text).toBe(BODY);
    await expectHealthy(server);
  });
});
