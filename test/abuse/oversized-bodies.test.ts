import { readdir, stat } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_JSON_BYTES } from '../../src/api/app.js';
import { MAX_DATASET_BODY_BYTES } from '../../src/api/routes/datasets.js';
import { MAX_OBJECT_BYTES } from '../../src/api/routes/objects.js';
import { MAX_RECORD_BYTES, MAX_REQUEST_BYTES } from '../../src/core/events/limits.js';
import { MAX_ORDERS_BODY_BYTES } from '../../src/core/orders/limits.js';
import { MAX_FORM_BYTES } from '../../src/dashboard/app.js';
import {
  type AbuseServer,
  asAdmin,
  dashboardSession,
  expectHealthy,
  refusal,
  send,
  startAbuseServer,
} from '../support/abuse.js';
import { makeEvent } from '../support/events.js';

let server: AbuseServer;
let session: Record<string, string>;

beforeAll(async () => {
  server = await startAbuseServer('oversized');
  session = await dashboardSession(server);
});
afterAll(() => server?.close());

/** JSON text padded with trailing spaces (still the same JSON) to exactly `bytes`. */
function padded(value: unknown, bytes: number): string {
  const text = JSON.stringify(value);
  return text + ' '.repeat(bytes - Buffer.byteLength(text));
}

const json = { 'content-type': 'application/json' };
const streamRecords = async () =>
  (await server.fabric.streams.describe()).flatMap((s) => s.shards).reduce((n, s) => n + s.records, 0);

describe('oversized bodies: each route takes its limit and refuses one byte more', () => {
  it('POST /events: 5 MiB is read, 5 MiB + 1 is a 413 and nothing reaches the stream', async () => {
    const atLimit = await asAdmin(server, 'POST', '/events', {
      headers: json,
      body: padded([makeEvent()], MAX_REQUEST_BYTES),
    });
    expect(atLimit.status).toBe(202);
    const records = await streamRecords();
    const over = await asAdmin(server, 'POST', '/events', {
      headers: json,
      body: padded([makeEvent()], MAX_REQUEST_BYTES + 1),
    });
    expect(over.status).toBe(413);
    expect(over.json()).toMatchObject(refusal('too_large', `at most ${MAX_REQUEST_BYTES} bytes`));
    expect(await streamRecords()).toBe(records);
    await expectHealthy(server);
  });

  it('POST /orders: 1,000,000 bytes are read, one more is a 400 and no order is stored', async () => {
    const order = (id: string) => [{ record_id: id, parameter_1: 'abc', parameter_2: 1 }];
    const atLimit = await asAdmin(server, 'POST', '/orders', {
      headers: json,
      body: padded(order('fits'), MAX_ORDERS_BODY_BYTES),
    });
    expect(atLimit.status).toBe(201);
    const over = await asAdmin(server, 'POST', '/orders', {
      headers: json,
      body: padded(order('too-big'), MAX_ORDERS_BODY_BYTES + 1),
    });
    expect(over.status).toBe(400);
    expect(over.json()).toMatchObject(
      refusal('invalid_orders', `the limit is ${MAX_ORDERS_BODY_BYTES} bytes`),
    );
    expect((await asAdmin(server, 'GET', '/orders/too-big')).status).toBe(404);
    await expectHealthy(server);
  });

  it('POST /datasets/:table/rows: 1 MiB is read, one more byte is a 400 and no row is stored', async () => {
    const atLimit = await asAdmin(server, 'POST', '/datasets/jobs/rows', {
      headers: json,
      body: padded({ rows: [[1, 'Fits']] }, MAX_DATASET_BODY_BYTES),
    });
    expect(atLimit.status).toBe(201);
    const over = await asAdmin(server, 'POST', '/datasets/jobs/rows', {
      headers: json,
      body: padded({ rows: [[2, 'Too big']] }, MAX_DATASET_BODY_BYTES + 1),
    });
    expect(over.status).toBe(400);
    expect(over.json()).toMatchObject(
      refusal('invalid_rows', `the limit is ${MAX_DATASET_BODY_BYTES} bytes`),
    );
    const files = (await asAdmin(server, 'GET', '/loader/files')).json<{ files: unknown[] }>().files;
    expect(files).toHaveLength(1);
    await expectHealthy(server);
  });

  it('other JSON routes (PUT /accounts/:id): 1 MiB is read, one more byte is a 413', async () => {
    const holder = { email: 'big@example.com', name: 'Big' };
    const atLimit = await asAdmin(server, 'PUT', '/accounts/fits', {
      headers: json,
      body: padded(holder, MAX_JSON_BYTES),
    });
    expect(atLimit.status).toBe(200);
    const over = await asAdmin(server, 'PUT', '/accounts/too-big', {
      headers: json,
      body: padded(holder, MAX_JSON_BYTES + 1),
    });
    expect(over.status).toBe(413);
    expect(over.json()).toMatchObject(refusal('too_large', `limited to ${MAX_JSON_BYTES} bytes`));
    const accounts = (await asAdmin(server, 'GET', '/accounts')).json<{
      accounts: { accountId: string }[];
    }>();
    expect(accounts.accounts.map((a) => a.accountId)).toEqual(['fits']);
    await expectHealthy(server);
  });

  it('objects: a declared length of 2 GiB + 1 is a 413 before any byte is read, API and dashboard', async () => {
    const length = { 'content-length': String(MAX_OBJECT_BYTES + 1), 'content-type': 'text/csv' };
    const put = await asAdmin(server, 'PUT', '/buckets/transactions/objects/huge.csv', { headers: length });
    expect(put.status).toBe(413);
    expect(put.json()).toMatchObject(refusal('too_large', `objects over ${MAX_OBJECT_BYTES} bytes`));
    const upload = await send(server, 'POST', '/ui/buckets/transactions/upload?key=huge.csv', {
      headers: { ...session, ...length },
    });
    expect(upload.status).toBe(413);
    expect(upload.text).toBe(`Too large: objects over ${MAX_OBJECT_BYTES} bytes are not accepted.`);
    const listed = await asAdmin(server, 'GET', '/buckets/transactions/objects');
    expect(listed.json<{ objects: unknown[] }>().objects).toEqual([]);
    await expectHealthy(server);
  });

  it('objects: a chunked upload streams to disk as it arrives, not into memory first', async () => {
    const incoming = join(server.dataDir, 'buckets', '.incoming');
    const chunk = Buffer.alloc(1024 * 1024, 'a');
    const onDisk = async () =>
      Promise.all(
        (await readdir(incoming).catch(() => [])).map(
          async (name) => (await stat(join(incoming, name))).size,
        ),
      );
    let streamed = false;
    const status = await new Promise<number>((resolve, reject) => {
      const req = httpRequest(
        {
          port: server.port,
          host: '127.0.0.1',
          method: 'PUT',
          path: '/buckets/transactions/objects/chunked.bin',
          headers: server.admin,
        },
        (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        },
      );
      req.on('error', reject);
      req.write(chunk);
      // While the request is still open, its first megabyte should reach the temp file.
      void (async () => {
        for (const deadline = Date.now() + 3000; !streamed && Date.now() < deadline; ) {
          await new Promise((wait) => setTimeout(wait, 20));
          streamed = (await onDisk()).some((size) => size >= chunk.length);
        }
        req.end(chunk);
      })();
    });
    expect(streamed).toBe(true);
    expect(status).toBe(200);
    const head = await asAdmin(server, 'GET', '/buckets/transactions/objects/chunked.bin');
    expect(head.headers['content-length']).toBe(String(2 * chunk.length));
    await expectHealthy(server);
  });

  it('objects: user metadata over 2 KB is a 400 and nothing is stored', async () => {
    const put = await asAdmin(server, 'PUT', '/buckets/transactions/objects/meta.csv', {
      headers: { 'x-amz-meta-note': 'x'.repeat(2049) },
      body: 'Id,Date,Amount\n',
    });
    expect(put.status).toBe(400);
    expect(put.json()).toMatchObject(refusal('invalid_metadata', 'at most 2048 are allowed'));
    expect((await asAdmin(server, 'GET', '/buckets/transactions/objects/meta.csv')).status).toBe(404);
  });

  it('headers over 16 KiB are refused by the HTTP parser with 431', async () => {
    const response = await send(server, 'GET', '/health', { headers: { 'x-filler': 'x'.repeat(20_000) } });
    expect(response.status).toBe(431);
    await expectHealthy(server);
  });

  it(`dashboard forms: ${MAX_FORM_BYTES} bytes are read, one more is a 413 with a message, signed in or not`, async () => {
    const form = (fields: Record<string, string>, bytes: number) => {
      const text = new URLSearchParams(fields).toString();
      return `${text}&pad=${'x'.repeat(bytes - Buffer.byteLength(text) - 5)}`;
    };
    const formHeaders = { 'content-type': 'application/x-www-form-urlencoded', origin: server.url };
    const signIn = { token: server.fabric.adminToken, next: '/' };
    const fits = await send(server, 'POST', '/ui/sign-in', {
      headers: formHeaders,
      body: form(signIn, MAX_FORM_BYTES),
    });
    expect(fits.status).toBe(303);
    const over = await send(server, 'POST', '/ui/sign-in', {
      headers: formHeaders,
      body: form(signIn, MAX_FORM_BYTES + 1),
    });
    expect(over.status).toBe(413);
    expect(over.text).toContain(`dashboard forms are limited to ${MAX_FORM_BYTES} bytes`);
    expect(over.headers['set-cookie']).toBeUndefined();
    const account = { accountId: 'form-too-big', email: 'f@example.com', name: 'F' };
    const overAccount = await send(server, 'POST', '/ui/statements/accounts', {
      headers: { ...session, ...formHeaders },
      body: form(account, MAX_FORM_BYTES + 1),
    });
    expect(overAccount.status).toBe(413);
    const accounts = await server.fabric.statements.listAccounts();
    expect(accounts.map((a) => a.accountId)).not.toContain('form-too-big');
    await expectHealthy(server);
  });
});

describe('oversized lines in NDJSON', () => {
  it('POST /events/bulk rejects a record one byte over 256 KiB by its line, and keeps the others', async () => {
    const fits = padded(makeEvent(), MAX_RECORD_BYTES);
    const over = padded(makeEvent(), MAX_RECORD_BYTES + 1);
    const body = [JSON.stringify(makeEvent()), over, fits, ''].join('\n');
    const response = await asAdmin(server, 'POST', '/events/bulk', {
      headers: { 'content-type': 'application/x-ndjson' },
      body,
    });
    expect(response.status).toBe(202);
    expect(response.json()).toEqual({
      accepted: 2,
      rejected: 1,
      rejections: [
        {
          line: 2,
          reasons: [
            {
              path: '',
              message: `record is ${MAX_RECORD_BYTES + 1} bytes; the limit is ${MAX_RECORD_BYTES}`,
            },
          ],
        },
      ],
    });
    await expectHealthy(server);
  });
});
