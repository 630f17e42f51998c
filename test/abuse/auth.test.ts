import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type AbuseServer,
  asAdmin,
  dashboardSession,
  expectHealthy,
  postJson,
  refusal,
  send,
  startAbuseServer,
} from '../support/abuse.js';
import { makeEvent } from '../support/events.js';

let server: AbuseServer;
let tokens: { acme: string; globex: string };

beforeAll(async () => {
  server = await startAbuseServer('auth');
  const add = async (name: string) =>
    (await postJson(server, 'POST', '/clients', { name })).json<{ token: string }>().token;
  tokens = { acme: await add('acme'), globex: await add('globex') };
});
afterAll(() => server?.close());

const json = { 'content-type': 'application/json' };
/** A sample of every route group, writes first: each must be refused before it does anything. */
const ROUTES: { method: string; path: string; body?: string; headers?: Record<string, string> }[] = [
  { method: 'PUT', path: '/buckets/transactions/objects/a.csv', body: 'Id,Date,Amount\n1,7/1,+1\n' },
  { method: 'PUT', path: '/accounts/acct-1', body: '{"email":"a@example.com","name":"A"}', headers: json },
  { method: 'POST', path: '/events', body: JSON.stringify([makeEvent({ client: 'acme' })]), headers: json },
  { method: 'POST', path: '/clients', body: '{"name":"intruder"}', headers: json },
  {
    method: 'POST',
    path: '/orders',
    body: '[{"record_id":"r","parameter_1":"a","parameter_2":1}]',
    headers: json,
  },
  { method: 'POST', path: '/auction/executions' },
  { method: 'POST', path: '/datasets/jobs/rows', body: '{"rows":[[1,"Engineer"]]}', headers: json },
  { method: 'POST', path: '/dlq/all/replay' },
  { method: 'GET', path: '/buckets/transactions/objects' },
  { method: 'GET', path: '/accounts' },
  { method: 'GET', path: '/outbox' },
  { method: 'GET', path: '/events/rejected' },
  { method: 'GET', path: '/clients' },
  { method: 'GET', path: '/orders' },
  { method: 'GET', path: '/auction/executions' },
  { method: 'GET', path: '/reports/hires-by-quarter' },
  { method: 'GET', path: '/loader/files' },
  { method: 'GET', path: '/streams' },
  { method: 'GET', path: '/openapi.json' },
];

async function expectRefusedEverywhere(
  authorization: string | undefined,
  status: 401 | 403,
  message: RegExp,
): Promise<void> {
  for (const route of ROUTES) {
    const headers = { ...route.headers, ...(authorization === undefined ? {} : { authorization }) };
    const response = await send(server, route.method, route.path, {
      headers,
      ...(route.body ? { body: route.body } : {}),
    });
    const what = `${authorization ?? '(none)'} ${route.method} ${route.path}`;
    expect({ what, status: response.status }).toEqual({ what, status });
    expect(response.json()).toMatchObject(refusal(status === 401 ? 'unauthorized' : 'forbidden', message));
  }
}

/** Nothing any refused request could have written. */
async function expectNothingStored(): Promise<void> {
  const read = async <T>(path: string) => (await asAdmin(server, 'GET', path)).json<T>();
  expect(await read('/buckets/transactions/objects')).toMatchObject({ objects: [] });
  expect(await read('/accounts')).toEqual({ accounts: [] });
  expect(await read('/orders')).toMatchObject({ orders: [] });
  expect(await read('/loader/files')).toEqual({ files: [] });
  expect(await read('/auction/executions')).toMatchObject({ executions: [] });
  const clients = await read<{ clients: { name: string }[] }>('/clients');
  expect(clients.clients.map((c) => c.name).sort()).toEqual(['acme', 'globex']);
  const streams = await server.fabric.streams.describe();
  expect(streams.flatMap((s) => s.shards).reduce((n, s) => n + s.records, 0)).toBe(0);
}

describe('API authentication', () => {
  it('answers 401 without a token, on every route group', async () => {
    await expectRefusedEverywhere(undefined, 401, /missing bearer token/);
    await expectHealthy(server);
  });

  it.each([
    ['another scheme', () => `Basic ${Buffer.from(`admin:${server.fabric.adminToken}`).toString('base64')}`],
    ['a bare scheme', () => 'Bearer'],
    ['two tokens', () => `Bearer ${server.fabric.adminToken} ${server.fabric.adminToken}`],
    ['no space', () => `Bearer:${server.fabric.adminToken}`],
  ])('answers 401 to a malformed header (%s)', async (_, header) => {
    await expectRefusedEverywhere(header(), 401, /missing bearer token/);
  });

  it('answers 403 to a wrong token, and to the admin token with a byte more or less', async () => {
    const admin = server.fabric.adminToken;
    for (const token of ['trb_wrong', `${admin}x`, admin.slice(0, -1), admin.toUpperCase()]) {
      await expectRefusedEverywhere(`Bearer ${token}`, 403, /the token is not valid/);
    }
    await expectHealthy(server);
  });

  it("answers 403 to a client's token outside its own /clients/<client>/ routes", async () => {
    await expectRefusedEverywhere(
      `Bearer ${tokens.acme}`,
      403,
      /a client token can only read \/clients\/acme\//,
    );
  });

  it("answers 403 to a client's token on another client's routes, and serves its own", async () => {
    const acme = { authorization: `Bearer ${tokens.acme}` };
    for (const [method, path] of [
      ['GET', '/clients/globex/events'],
      ['GET', '/clients/globex/events/query'],
      ['POST', '/clients/globex/consumers/reader/poll'],
      ['GET', '/clients/globex/consumers/reader'],
    ] as const) {
      const response = await send(server, method, path, { headers: acme });
      expect({ path, status: response.status }).toEqual({ path, status: 403 });
      expect(response.json()).toMatchObject(
        refusal('forbidden', 'this token belongs to client "acme" and cannot read client "globex"'),
      );
    }
    const own = await send(server, 'GET', '/clients/acme/events', { headers: acme });
    expect(own.status).toBe(200);
    // The globex group was never created by acme's attempt.
    expect((await asAdmin(server, 'GET', '/clients/globex/consumers/reader')).status).toBe(404);
  });

  it('stored nothing for any refused request', async () => {
    await expectNothingStored();
    await expectHealthy(server);
  });
});

describe('dashboard without a session', () => {
  const form = { 'content-type': 'application/x-www-form-urlencoded' };

  it('sends pages to sign-in, and refuses fragments, forms and uploads with 401', async () => {
    const page = await send(server, 'GET', '/ui/buckets/transactions', { headers: { accept: 'text/html' } });
    expect(page.status).toBe(303);
    expect(page.headers.location).toBe('/ui/sign-in?next=%2Fui%2Fbuckets%2Ftransactions');
    const fragment = await send(server, 'GET', '/ui/queues/live?part=queues', {
      headers: { 'hx-request': 'true' },
    });
    expect(fragment.status).toBe(401);
    expect(fragment.headers['hx-redirect']).toBe('/ui/sign-in');
    const origin = { origin: server.url };
    for (const [path, body] of [
      ['/ui/statements/accounts', 'accountId=acct-x&email=x%40example.com&name=X'],
      ['/ui/queues/statements-notify-dlq/purge', 'back=list'],
      ['/ui/orders/executions', ''],
    ] as const) {
      const response = await send(server, 'POST', path, { headers: { ...form, ...origin }, body });
      expect({ path, status: response.status }).toEqual({ path, status: 401 });
      expect(response.text).toBe('sign in first: open /ui/sign-in');
    }
    const upload = await send(server, 'POST', '/ui/buckets/transactions/upload?key=x.csv', {
      headers: { ...origin, 'content-type': 'text/csv' },
      body: 'Id,Date,Amount\n',
    });
    expect(upload.status).toBe(401);
    await expectNothingStored();
  });

  it('does not take a bearer token, a forged cookie, or a client token for a session', async () => {
    const bearer = await send(server, 'GET', '/ui/outbox', { headers: server.admin });
    expect(bearer.status).toBe(401);
    const forged = await send(server, 'GET', '/ui/outbox', {
      headers: { cookie: `tributary_session=${Date.now()}.forged` },
    });
    expect(forged.status).toBe(401);
    for (const [token, status] of [
      [tokens.acme, 403],
      ['trb_wrong', 403],
      ['', 400],
    ] as const) {
      const signIn = await send(server, 'POST', '/ui/sign-in', {
        headers: { ...form, origin: server.url },
        body: new URLSearchParams({ token, next: '/' }).toString(),
      });
      expect({ token, status: signIn.status }).toEqual({ token, status });
      expect(signIn.headers['set-cookie']).toBeUndefined();
    }
  });

  it('refuses a signed-in form posted from another site', async () => {
    const session = await dashboardSession(server);
    const response = await send(server, 'POST', '/ui/statements/accounts', {
      headers: { ...session, ...form, origin: 'http://evil.example' },
      body: 'accountId=acct-x&email=x%40example.com&name=X',
    });
    expect(response.status).toBe(403);
    await expectNothingStored();
    await expectHealthy(server);
  });
});
