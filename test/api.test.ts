import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { OpenAPIHono } from '@hono/zod-openapi';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, MAX_JSON_BYTES } from '../src/api/app.js';
import { apiServices } from '../src/runtime/api-services.js';
import { ManualClock } from '../src/runtime/clock.js';
import { type Fabric, openFabric } from '../src/runtime/fabric.js';
import { CHALLENGE_SUMMARY } from './support/fixtures.js';

const challengeSample = new URL('../../shared/datasets/statements/challenge-sample.csv', import.meta.url);

let dataDir: string;
let fabric: Fabric;
let app: OpenAPIHono;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'tributary-api-'));
  fabric = await openFabric({
    dataDir,
    databaseUrl: undefined,
    smtpUrl: undefined,
    mailFrom: 'x@y.z',
    clock: new ManualClock('2024-09-01T00:00:00Z'),
  });
  app = createApp(apiServices(fabric));
});
afterAll(async () => {
  await fabric?.close();
  await rm(dataDir, { recursive: true, force: true });
});

interface ErrorBody {
  error: { code: string; message: string; details?: unknown };
}

function call(path: string, init: RequestInit = {}, token: string | null = fabric.adminToken) {
  const headers = new Headers(init.headers);
  if (token !== null) headers.set('authorization', `Bearer ${token}`);
  return app.request(path, { ...init, headers });
}

async function json<T>(response: Response | Promise<Response>): Promise<T> {
  return (await response).json() as Promise<T>;
}

async function expectError(
  response: Response | Promise<Response>,
  status: number,
  code: string,
): Promise<ErrorBody> {
  const res = await response;
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toContain('application/json');
  const body = (await res.json()) as ErrorBody;
  expect(body).toEqual({
    error: {
      code,
      message: expect.any(String),
      ...(body.error.details === undefined ? {} : { details: body.error.details }),
    },
  });
  expect(body.error.message.length).toBeGreaterThan(0);
  return body;
}

const putAccount = (id: string, body: unknown) =>
  call(`/accounts/${id}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });

describe('HTTP API authentication', () => {
  it('serves /health without a token', async () => {
    const res = await call('/health', {}, null);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
  });

  const routes: [string, string][] = [
    ['GET', '/buckets/transactions/objects'],
    ['GET', '/buckets/transactions/objects/a.csv'],
    ['PUT', '/buckets/transactions/objects/a.csv'],
    ['GET', '/statements/accounts/acct-1/summary'],
    ['GET', '/statements/files?key=a.csv'],
    ['PUT', '/accounts/acct-1'],
    ['GET', '/accounts'],
    ['GET', '/outbox'],
    ['GET', '/outbox/some-id'],
    ['GET', '/dlq'],
    ['POST', '/dlq/some-id/replay'],
    ['DELETE', '/queues/statements-notify-dlq/messages'],
    ['GET', '/traces/some-trace'],
    ['GET', '/openapi.json'],
  ];

  it.each(routes)('refuses %s %s without a token (401)', async (method, path) => {
    await expectError(call(path, { method }, null), 401, 'unauthorized');
  });

  it.each(routes)('refuses %s %s with a wrong token (403)', async (method, path) => {
    await expectError(call(path, { method }, 'trb_not-the-token'), 403, 'forbidden');
  });

  it('refuses a header that is not a bearer token', async () => {
    await expectError(
      app.request('/accounts', { headers: { authorization: `Basic ${fabric.adminToken}` } }),
      401,
      'unauthorized',
    );
  });

  it('writes nothing when the token is wrong', async () => {
    await call('/buckets/transactions/objects/unauthorized.csv', { method: 'PUT', body: 'x' }, 'wrong');
    expect(await fabric.objects.head('transactions', 'unauthorized.csv')).toBeUndefined();
  });
});

describe('HTTP API objects', () => {
  it('stores an object with its metadata and serves it back', async () => {
    const body = 'Id,Date,Transaction\n';
    const put = await call('/buckets/email-templates/objects/notes/a%20b.txt', {
      method: 'PUT',
      headers: { 'content-type': 'text/plain', 'x-amz-meta-account-id': 'acct-9', 'X-Amz-Meta-Year': '2023' },
      body,
    });
    expect(put.status).toBe(200);
    const stored = await json<{ etag: string; key: string; size: number; traceId: string }>(put);
    expect(stored).toMatchObject({ key: 'notes/a b.txt', size: body.length, traceId: expect.any(String) });
    expect(put.headers.get('etag')).toBe(`"${stored.etag}"`);

    const get = await call('/buckets/email-templates/objects/notes/a%20b.txt');
    expect(get.status).toBe(200);
    expect(await get.text()).toBe(body);
    expect(get.headers.get('etag')).toBe(`"${stored.etag}"`);
    expect(get.headers.get('content-type')).toBe('text/plain');
    expect(get.headers.get('x-amz-meta-account-id')).toBe('acct-9');
    expect(get.headers.get('x-amz-meta-year')).toBe('2023');

    const listing = await json<{ objects: { key: string; metadata: Record<string, string> }[] }>(
      call('/buckets/email-templates/objects?prefix=notes/'),
    );
    expect(listing.objects).toEqual([
      expect.objectContaining({ key: 'notes/a b.txt', metadata: { 'account-id': 'acct-9', year: '2023' } }),
    ]);
    expect(
      (await json<{ objects: unknown[] }>(call('/buckets/email-templates/objects?prefix=other/'))).objects,
    ).toEqual([]);
  });

  it('answers 404 for an object that does not exist', async () => {
    await expectError(call('/buckets/email-templates/objects/missing.html'), 404, 'not_found');
  });

  it.each(['..%2Fx', 'a%2F..%2F..%2Fx', '%2Fetc%2Fpasswd', 'a%00b', 'a%2F%2Fb'])(
    'refuses the key %s with 400 invalid_key',
    async (key) => {
      await expectError(
        call(`/buckets/transactions/objects/${key}`, { method: 'PUT', body: 'x' }),
        400,
        'invalid_key',
      );
      await expectError(call(`/buckets/transactions/objects/${key}`), 400, 'invalid_key');
    },
  );

  it('refuses malformed percent-encoding with 400', async () => {
    await expectError(
      call('/buckets/transactions/objects/a%E0%A4%A', { method: 'PUT', body: 'x' }),
      400,
      'invalid_key',
    );
    await expectError(call('/buckets/transactions/objects/%zz'), 400, 'invalid_key');
  });

  it('answers 404 for an unknown bucket', async () => {
    await expectError(
      call('/buckets/nope/objects/a.csv', { method: 'PUT', body: 'x' }),
      404,
      'no_such_bucket',
    );
    await expectError(call('/buckets/nope/objects'), 404, 'no_such_bucket');
  });

  it('refuses user metadata over 2 KB with 400', async () => {
    const body = await expectError(
      call('/buckets/email-templates/objects/big-meta.txt', {
        method: 'PUT',
        headers: { 'x-amz-meta-big': 'v'.repeat(2100) },
        body: 'x',
      }),
      400,
      'invalid_metadata',
    );
    expect(body.error.message).toContain('2048');
    expect(await fabric.objects.head('email-templates', 'big-meta.txt')).toBeUndefined();
  });
});

describe('HTTP API accounts and validation', () => {
  it('refuses an account with a bad email, naming the field', async () => {
    const body = await expectError(
      putAccount('acct-x', { email: 'not-an-email', name: 'X' }),
      400,
      'invalid_request',
    );
    expect(body.error.message).toContain('email');
    expect(body.error.details).toEqual([expect.objectContaining({ path: 'email' })]);
  });

  it('refuses a JSON body over 1 MiB with 413', async () => {
    const huge = JSON.stringify({ email: 'a@example.com', name: 'x'.repeat(MAX_JSON_BYTES) });
    await expectError(putAccount('acct-x', huge), 413, 'too_large');
  });

  it('refuses a body that is not JSON, or not sent as JSON, saying so', async () => {
    const malformed = await expectError(putAccount('acct-x', '{"email": '), 400, 'bad_request');
    expect(malformed.error.message).toContain('Malformed JSON');
    const wrongType = await expectError(
      call('/accounts/acct-x', {
        method: 'PUT',
        headers: { 'content-type': 'text/plain' },
        body: 'email=a@b.co',
      }),
      415,
      'unsupported_media_type',
    );
    expect(wrongType.error.message).toContain('application/json');
    expect(
      (await json<{ accounts: { accountId: string }[] }>(call('/accounts'))).accounts,
    ).not.toContainEqual(expect.objectContaining({ accountId: 'acct-x' }));
  });

  it('answers 404 for the summary of an account without transactions', async () => {
    const body = await expectError(call('/statements/accounts/nope/summary'), 404, 'not_found');
    expect(body.error.message).toContain('nope');
  });

  it('answers 404 when purging a queue that does not exist', async () => {
    await expectError(call('/queues/nope/messages', { method: 'DELETE' }), 404, 'not_found');
  });

  it('answers 404 when replaying a dead letter that does not exist', async () => {
    await expectError(call('/dlq/no-such-message/replay', { method: 'POST' }), 404, 'not_found');
  });

  it('serves an OpenAPI 3.1 document that describes the summary route', async () => {
    const res = await call('/openapi.json');
    expect(res.status).toBe(200);
    const doc = JSON.parse(await res.text()) as { openapi: string; paths: Record<string, unknown> };
    expect(doc.openapi).toMatch(/^3\.1\./);
    expect(doc.paths).toHaveProperty(['/statements/accounts/{id}/summary', 'get']);
  });
});

describe('HTTP API statements pipeline, end to end', () => {
  it('ingests the challenge sample, dead-letters the email until the account is known, then sends it', async () => {
    const put = await call('/buckets/transactions/objects/uploads/c.csv', {
      method: 'PUT',
      headers: { 'content-type': 'text/csv', 'x-amz-meta-account-id': 'acct-1', 'x-amz-meta-year': '2024' },
      body: await readFile(challengeSample),
    });
    expect(put.status).toBe(200);
    expect(await fabric.dispatcher.settle()).toEqual({ settled: true });

    expect(await json(call('/statements/accounts/acct-1/summary'))).toEqual(CHALLENGE_SUMMARY);

    const report = await json<{
      status: string;
      accepted: number;
      rejectedCount: number;
      accounts: string[];
    }>(call('/statements/files?key=uploads/c.csv'));
    expect(report).toMatchObject({
      status: 'processed',
      accepted: 4,
      rejectedCount: 0,
      accounts: ['acct-1'],
    });

    const dlq = await json<{
      messages: { messageId: string; queue: string; sourceQueue: string; lastError: string }[];
    }>(call('/dlq'));
    expect(dlq.messages).toHaveLength(1);
    const [dead] = dlq.messages;
    expect(dead).toMatchObject({ queue: 'statements-notify-dlq', sourceQueue: 'statements-notify' });
    expect(dead?.lastError).toContain('no email known for account "acct-1"');
    expect((await json<{ emails: unknown[] }>(call('/outbox'))).emails).toEqual([]);

    expect((await putAccount('acct-1', { email: 'ana@example.com', name: 'Ana Díaz' })).status).toBe(200);
    expect(await json(call('/accounts'))).toEqual({
      accounts: [{ accountId: 'acct-1', email: 'ana@example.com', name: 'Ana Díaz' }],
    });
    expect(await json(call(`/dlq/${dead?.messageId}/replay`, { method: 'POST' }))).toEqual({ replayed: 1 });
    expect(await fabric.dispatcher.settle()).toEqual({ settled: true });

    expect((await json<{ messages: unknown[] }>(call('/dlq'))).messages).toEqual([]);
    const { emails } = await json<{ emails: { id: string; to: string[]; from: string }[] }>(call('/outbox'));
    expect(emails).toHaveLength(1);
    const [email] = emails;
    expect(email?.to.join(' ')).toContain('ana@example.com');
    expect(email?.from).toContain('x@y.z');

    const eml = await call(`/outbox/${encodeURIComponent(email?.id ?? '')}?format=eml`);
    expect(eml.status).toBe(200);
    expect(eml.headers.get('content-type')).toBe('message/rfc822');
    const parsed = await simpleParser(Buffer.from(await eml.arrayBuffer()));
    for (const figure of ['39.74', '-15.38', '35.25']) {
      expect(parsed.text).toContain(figure);
      expect(parsed.html).toContain(figure);
    }

    const entry = await json<{ html: string; text: string }>(
      call(`/outbox/${encodeURIComponent(email?.id ?? '')}`),
    );
    expect(entry.text).toContain('39.74');
    expect(entry.html).toContain('39.74');
  });
});
