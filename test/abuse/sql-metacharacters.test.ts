import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type AbuseServer,
  asAdmin,
  dashboardSession,
  expectHealthy,
  postJson,
  type RawResponse,
  refusal,
  send,
  startAbuseServer,
} from '../support/abuse.js';

let server: AbuseServer;
let session: Record<string, string>;

// Quotes, comment, statement end, placeholder, escape and LIKE wildcards; each value is a
// parameter that would break or change a statement if it were ever spliced into SQL.
const META = `'";--$1\\%_`;
const INJECT = `x'); DROP TABLE statement_accounts; --`;
const NUL = 'a\u0000b';
const enc = encodeURIComponent;

beforeAll(async () => {
  server = await startAbuseServer('sql');
  session = await dashboardSession(server);
  // A row that an injected DROP or DELETE would take with it.
  await postJson(server, 'PUT', '/accounts/sentinel', { email: 'sentinel@example.com', name: 'Sentinel' });
});
afterAll(() => server?.close());

/** Every answer of this file goes through here: whatever the input, never a 500. */
function noServerError(response: RawResponse, what: string): RawResponse {
  expect({ what, status: response.status < 500 }).toEqual({ what, status: true });
  return response;
}
const get = async (path: string) => noServerError(await asAdmin(server, 'GET', path), path);
const put = async (path: string, value: unknown) =>
  noServerError(await postJson(server, 'PUT', path, value), path);
const post = async (path: string, value: unknown) =>
  noServerError(await postJson(server, 'POST', path, value), path);

describe('SQL metacharacters in every field that reaches SQL', () => {
  it('accounts: ids and names are stored and read back exactly; a NUL is a 400 with the reason', async () => {
    for (const [id, name] of [
      [META.replace('\\', ''), META],
      ['acct-inject', INJECT],
    ] as const) {
      const stored = await put(`/accounts/${enc(id)}`, { email: 'm@example.com', name });
      expect(stored.status).toBe(200);
      const listed = (await get('/accounts')).json<{ accounts: unknown[] }>().accounts;
      expect(listed).toContainEqual({ accountId: id, email: 'm@example.com', name });
    }
    const nul = await put('/accounts/acct-nul', { email: 'n@example.com', name: NUL });
    expect(nul.status).toBe(400);
    expect(nul.json()).toMatchObject(refusal('invalid_text', 'NUL character'));
    expect((await get(`/accounts`)).json<{ accounts: { accountId: string }[] }>().accounts).toContainEqual(
      expect.objectContaining({ accountId: 'sentinel' }),
    );
  });

  it('orders: record_id and parameter_1 round-trip exactly; a NUL is refused by field', async () => {
    const order = { record_id: META, parameter_1: INJECT, parameter_2: 1.5 };
    expect((await post('/orders', [order])).status).toBe(201);
    expect((await get(`/orders/${enc(META)}`)).json()).toMatchObject(order);
    const nul = await post('/orders', [{ record_id: NUL, parameter_1: 'x', parameter_2: 1 }]);
    expect(nul.status).toBe(400);
    expect(nul.json()).toMatchObject(refusal('invalid_orders', 'NUL character'));
    expect((await get(`/orders?cursor=${enc(META)}`)).json()).toMatchObject(refusal('invalid_cursor'));
  });

  it('objects: keys, metadata and list prefixes are values, LIKE wildcards included', async () => {
    const key = `${META.replace('\\', '')}/${INJECT}.csv`;
    const stored = noServerError(
      await asAdmin(server, 'PUT', `/buckets/landing/objects/${enc(key)}`, {
        headers: { 'x-amz-meta-note': META },
        body: 'x\n',
      }),
      'put object',
    );
    expect(stored.status).toBe(200);
    const read = await get(`/buckets/landing/objects/${enc(key)}`);
    expect(read.headers['x-amz-meta-note']).toBe(META);
    expect((await get(`/buckets/landing/objects?prefix=${enc("'")}`)).json()).toMatchObject({
      objects: [{ key }],
    });
    // `%` and `_` match only themselves.
    for (const prefix of ['%', '_', "'%"]) {
      const listed = (await get(`/buckets/landing/objects?prefix=${enc(prefix)}`)).json<{
        objects: unknown[];
      }>();
      expect({ prefix, objects: listed.objects }).toEqual({ prefix, objects: [] });
    }
    const nul = await get(`/buckets/landing/objects?prefix=${enc(NUL)}`);
    expect(nul.json()).toMatchObject(refusal('invalid_text', 'NUL character'));
  });

  it('statements: metacharacters in CSV cells are stored as given; a line with a NUL is rejected, the file goes on', async () => {
    const quoted = (cell: string) => `"${cell.replaceAll('"', '""')}"`;
    const csv = [
      'Id,Date,Amount,AccountId,Email,Name',
      `${quoted(META)},7/15,+10.00,${quoted(INJECT)},inject@example.com,${quoted(META)}`,
      `2,7/16,+1.00,${quoted(INJECT)},inject@example.com,${NUL}`,
      `3,7/17,-2.50,${quoted(INJECT)},inject@example.com,${quoted(INJECT)}`,
    ].join('\n');
    const upload = noServerError(
      await asAdmin(server, 'PUT', '/buckets/transactions/objects/meta.csv', {
        headers: { 'content-type': 'text/csv', 'x-amz-meta-year': '2024' },
        body: `${csv}\n`,
      }),
      'put statements',
    );
    expect(upload.status).toBe(200);
    await expect
      .poll(async () => (await get('/statements/files?key=meta.csv')).status, { timeout: 20_000 })
      .toBe(200);
    expect((await get('/statements/files?key=meta.csv')).json()).toMatchObject({
      status: 'processed',
      accepted: 2,
      rejected: [{ line: 3, reason: expect.stringContaining('Name contains a NUL character') }],
    });
    const summary = await get(`/statements/accounts/${enc(INJECT)}/summary`);
    expect(summary.json()).toMatchObject({ accountId: INJECT, balance: '7.50', transactionCount: 2 });
    expect((await get(`/statements/accounts/${enc(META)}/summary`)).status).toBe(404);
    expect((await get(`/statements/accounts/${enc(NUL)}/summary`)).status).toBe(400);
    expect((await get('/dlq')).json()).toEqual({ messages: [] });
  });

  it('events, loader and traces: search terms are values; a NUL is a 400, never a 500', async () => {
    const query = `/clients/barclays/events/query?account=${enc(META)}&type=${enc(INJECT)}`;
    expect((await get(query)).json()).toEqual({ events: [] });
    expect((await get(`/clients/barclays/events?after=${enc(META)}`)).json()).toMatchObject(
      refusal('invalid_cursor'),
    );
    expect((await get(`/events/rejected?client=${enc(META)}`)).status).toBe(200);
    expect((await get(`/loader/files?file=${enc(META)}`)).json()).toEqual({ files: [] });
    expect((await get(`/loader/rejected?file=${enc(INJECT)}`)).json()).toEqual({ rows: [] });
    expect((await get(`/traces/${enc(META)}`)).status).toBe(200);
    for (const path of [
      `/clients/barclays/events/query?account=${enc(NUL)}`,
      `/loader/files?file=${enc(NUL)}`,
      `/loader/rejected?file=${enc(NUL)}`,
      `/traces/${enc(NUL)}`,
    ]) {
      expect((await get(path)).json()).toMatchObject(refusal('invalid_text', 'NUL character'));
    }
    // Names with a grammar refuse metacharacters outright.
    expect((await post('/clients', { name: META })).json()).toMatchObject(refusal('invalid_request'));
    const consumer = noServerError(
      await asAdmin(server, 'POST', `/clients/barclays/consumers/${enc(INJECT)}/poll`),
      'poll',
    );
    expect(consumer.json()).toMatchObject(refusal('invalid_request'));
  });

  it('loader rows: metacharacters load as data and come back in the reports', async () => {
    const rows = await post('/datasets/departments/rows', {
      rows: [
        [1, META],
        [2, INJECT],
        [3, NUL],
      ],
    });
    expect(rows.status).toBe(201);
    expect(rows.json()).toMatchObject({
      loaded: 2,
      rejected: 1,
      rejectedRows: [{ line: 3, reasons: ['department: contains a NUL character'] }],
    });
    await post('/datasets/jobs/rows', { rows: [[1, INJECT]] });
    await post('/datasets/hired_employees/rows', { rows: [[1, META, '2021-02-01T00:00:00Z', 1, 1]] });
    const report = (await get('/reports/hires-by-quarter?year=2021')).json<{ rows: unknown[] }>();
    expect(report.rows).toContainEqual(expect.objectContaining({ department: META, job: INJECT }));
  });

  it('dashboard: forms and addresses with metacharacters or a NUL never fail with a 500', async () => {
    const page = async (path: string, init: { method?: string; body?: string } = {}) => {
      const headers = init.body
        ? { ...session, 'content-type': 'application/x-www-form-urlencoded' }
        : session;
      return noServerError(await send(server, init.method ?? 'GET', path, { headers, ...init }), path);
    };
    const form = (name: string) =>
      new URLSearchParams({ accountId: 'acct-form', email: 'f@example.com', name }).toString();
    expect((await page('/ui/statements/accounts', { method: 'POST', body: form(INJECT) })).status).toBe(303);
    expect(await server.fabric.statements.listAccounts()).toContainEqual(
      expect.objectContaining({ accountId: 'acct-form', name: INJECT }),
    );
    expect((await page('/ui/statements/accounts', { method: 'POST', body: form(NUL) })).status).toBe(400);
    // The holder registered with a metacharacter id above has its page.
    expect((await page(`/ui/statements/accounts/${enc(META.replace('\\', ''))}`)).status).toBe(200);
    // An account id with spaces (CSV ids may have them) is refused by the page's id rule, with a reason.
    expect((await page(`/ui/statements/accounts/${enc(INJECT)}`)).text).toContain('Bad account id');
    expect((await page(`/ui/statements/accounts/${enc(NUL)}`)).status).toBeLessThan(500);
    expect((await page(`/ui/loader/rejected?file=${enc(NUL)}`)).status).toBe(404);
    expect((await page(`/ui/events?client=${enc(META)}`)).status).toBeLessThan(500);
    expect((await page(`/ui/buckets/landing?prefix=${enc(NUL)}`)).status).toBe(400);
  });

  it('leaves every table in place: nothing was injected', async () => {
    const accounts = (await get('/accounts')).json<{ accounts: { accountId: string }[] }>().accounts;
    expect(accounts.map((a) => a.accountId)).toEqual(
      expect.arrayContaining(['sentinel', 'acct-inject', 'acct-form']),
    );
    const { rows } = await server.fabric.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM information_schema.tables WHERE table_name IN ('statement_accounts', 'objects', 'orders', 'loader_files')`,
    );
    expect(rows[0]?.n).toBe(4);
    await expectHealthy(server);
  });
});
