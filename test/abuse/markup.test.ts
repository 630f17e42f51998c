import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type AbuseServer,
  asAdmin,
  dashboardSession,
  expectHealthy,
  postJson,
  send,
  startAbuseServer,
} from '../support/abuse.js';
import { makeEvent } from '../support/events.js';

let server: AbuseServer;
let session: Record<string, string>;

// Markup in every place data can carry it: element content, attribute values, a script.
const SCRIPT = '<script>alert("x")</script>';
const IMG = '<img src=x onerror=alert(1)>';
const ATTR = `"'><svg onload=alert(2)>`;
// What must never appear in a page or an email as markup.
const LIVE = [/<script>alert/, /<img src=x/, /<svg onload/, /"'>/];

beforeAll(async () => {
  server = await startAbuseServer('markup');
  session = await dashboardSession(server);
});
afterAll(() => server?.close());

/** A dashboard page as the signed-in operator sees it; fails unless it is a 200. */
async function page(path: string): Promise<string> {
  const response = await send(server, 'GET', path, { headers: session });
  expect({ path, status: response.status }).toEqual({ path, status: 200 });
  return response.text;
}

function expectInert(html: string, where: string): void {
  for (const pattern of LIVE) expect({ where, live: pattern.test(html) }).toEqual({ where, live: false });
}

describe('HTML and script in names and fields', () => {
  it('statements: the email and the dashboard escape holder names, account ids and CSV columns', async () => {
    const account = `acct-<b>${ATTR.replaceAll(' ', '')}`;
    const holder = { email: 'holder@example.com', name: `${SCRIPT} ${IMG}` };
    const put = await postJson(server, 'PUT', `/accounts/${encodeURIComponent(account)}`, holder);
    expect(put.status).toBe(200);
    expect(put.json()).toEqual({ accountId: account, ...holder });
    const listed = (await asAdmin(server, 'GET', '/accounts')).json<{ accounts: unknown[] }>();
    expect(listed.accounts).toContainEqual({ accountId: account, ...holder });

    const csv = [
      'Id,Date,Amount,AccountId,Email,Name',
      `1,7/15,+60.50,${account},,`,
      `2,7/16,-10.00,acct-csv,csv@example.com,${IMG}`,
    ].join('\n');
    const upload = await asAdmin(server, 'PUT', '/buckets/transactions/objects/markup.csv', {
      headers: { 'content-type': 'text/csv', 'x-amz-meta-year': '2024' },
      body: `${csv}\n`,
    });
    expect(upload.status).toBe(200);
    await expect.poll(async () => (await server.fabric.outbox.list()).length, { timeout: 20_000 }).toBe(2);

    for (const email of await server.fabric.outbox.list()) {
      const html = await page(`/ui/outbox/${email.id}/html`);
      expectInert(html, `email to ${email.to}`);
      expect(html).toMatch(/&lt;(script|img)/);
      expectInert(await page(`/ui/outbox/${email.id}`), 'outbox entry page');
    }
    expectInert(await page('/ui/outbox'), 'outbox');
    const statements = await page('/ui/statements');
    expectInert(statements, 'statements');
    expect(statements).toContain('acct-&lt;b&gt;');
    expectInert(await page(`/ui/statements/accounts/${encodeURIComponent(account)}`), 'account page');
    await expectHealthy(server);
  });

  it('events: a rejected record keeps its markup in the API and shows it escaped', async () => {
    const event = { ...makeEvent(), Source: SCRIPT, Type: IMG };
    // Well-formed JSON goes onto the stream; its consumer validates and rejects it.
    expect((await postJson(server, 'POST', '/events', [event])).status).toBe(202);
    const rejectedRaw = async () =>
      (await asAdmin(server, 'GET', '/events/rejected'))
        .json<{ records: { raw: string }[] }>()
        .records.map((r) => JSON.parse(r.raw));
    await expect.poll(rejectedRaw, { timeout: 20_000 }).toContainEqual(event);
    const html = await page('/ui/events/rejected');
    expectInert(html, 'rejected events');
    expect(html).toContain('&lt;script&gt;');
  });

  it('orders: a record_id with markup is stored intact and listed escaped', async () => {
    const recordId = `${SCRIPT}${ATTR}`;
    const order = { record_id: recordId, parameter_1: IMG, parameter_2: 1 };
    expect((await postJson(server, 'POST', '/orders', [order])).status).toBe(201);
    const stored = await asAdmin(server, 'GET', `/orders/${encodeURIComponent(recordId)}`);
    expect(stored.json()).toMatchObject(order);
    const html = await page('/ui/orders');
    expectInert(html, 'orders');
    expect(html).toContain('&lt;script&gt;');
  });

  it('object keys: markup in a key is listed, shown and downloaded without being markup', async () => {
    const key = `${ATTR}${IMG}.csv`;
    const put = await asAdmin(server, 'PUT', `/buckets/landing/objects/${encodeURIComponent(key)}`, {
      body: 'x\n',
    });
    expect(put.status).toBe(200);
    expect(put.json<{ key: string }>().key).toBe(key);
    const listing = await page('/ui/buckets/landing');
    expectInert(listing, 'bucket listing');
    expect(listing).toContain('&lt;img src=x onerror=alert(1)&gt;.csv');
    expectInert(await page(`/ui/buckets/landing/object?key=${encodeURIComponent(key)}`), 'object page');
    const download = await send(
      server,
      'GET',
      `/ui/buckets/landing/download?key=${encodeURIComponent(key)}`,
      {
        headers: session,
      },
    );
    expect(download.status).toBe(200);
    expect(download.headers['content-disposition']).toMatch(
      /^attachment; filename="[^"]*"; filename\*=UTF-8''/,
    );
    expect(download.headers['x-content-type-options']).toBe('nosniff');
  });

  it('loader rows: markup in departments, jobs and names stays data in the reports, charts and rejects', async () => {
    const rows = async (table: string, values: unknown[][]) =>
      (await postJson(server, 'POST', `/datasets/${table}/rows`, { rows: values })).status;
    expect(await rows('departments', [[1, SCRIPT]])).toBe(201);
    expect(await rows('jobs', [[1, `</script>${IMG}`]])).toBe(201);
    expect(await rows('hired_employees', [[1, ATTR, '2021-03-01T09:00:00Z', 1, 1]])).toBe(201);
    // A row the loader refuses keeps its raw text, markup included.
    expect(await rows('jobs', [['not a number', SCRIPT]])).toBe(422);

    const report = await asAdmin(server, 'GET', '/reports/hires-by-quarter?year=2021&format=json');
    expect(report.text).toContain(JSON.stringify(SCRIPT).slice(1, -1));
    for (const path of ['/ui/loader', '/ui/loader/rejected', '/ui/loader/reports?year=2021']) {
      expectInert(await page(path), path);
    }
    expect(await page('/ui/loader/rejected')).toContain('&lt;script&gt;');
    expect(await page('/ui/loader/reports?year=2021')).toContain('\\u003cscript\\u003e');
    await expectHealthy(server);
  });
});
