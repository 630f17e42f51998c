import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock, realSleep } from '../src/runtime/clock.js';
import { openTestDashboard } from './support/dashboard.js';

type Dashboard = Awaited<ReturnType<typeof openTestDashboard>>;

const SCRIPT = '<script>alert("order")</script>';
const ORDERS = [
  { recordId: 'unique_id_1', parameter1: 'abc', parameter2: 4 },
  { recordId: 'unique_id_2', parameter1: 'def', parameter2: 2.1 },
  { recordId: SCRIPT, parameter1: '<img src=x onerror=alert(1)>', parameter2: 7 },
];

/** Starts a run through the form, as the button does, and waits for it to stop. */
async function startRun(dashboard: Dashboard, wait = true): Promise<{ id: string; location: string }> {
  const started = await dashboard.postForm('/ui/orders/executions');
  expect(started.status).toBe(303);
  const location = started.headers.get('location') ?? '';
  const id = decodeURIComponent(
    /^\/ui\/orders\/executions\/([^?]+)\?done=started$/.exec(location)?.[1] ?? '',
  );
  expect(id).not.toBe('');
  if (wait) await dashboard.fabric.workflows.waitFor(id);
  return { id, location };
}

describe('orders pages', () => {
  let dashboard: Dashboard;
  const clock = new ManualClock('2024-09-01T12:00:00Z');
  beforeAll(async () => {
    dashboard = await openTestDashboard('dashboard-orders', {
      clock,
      auctionReadyProbability: 1,
      auctionWaitSeconds: 1,
      auctionMaxAttempts: 3,
    });
    await dashboard.services.api.orders.submit(ORDERS);
  });
  afterAll(() => dashboard?.close());

  it('lists the orders with their status and time to expiry, HTML in them escaped', async () => {
    clock.advance(90 * 60 * 1000);
    const page = await dashboard.request('/ui/orders');
    expect(page.status).toBe(200);
    const html = await page.text();
    for (const id of ['unique_id_1', 'unique_id_2']) expect(html).toContain(`data-order="${id}"`);
    expect(html).toContain('in 22 h 30 min');
    expect(html).toContain('2024-09-02 12:00:00 UTC');
    expect(html).toContain('<label for="orders-status">Status</label>');
    expect(html).toContain('<select id="orders-status" name="status">');
    expect(html).toContain('&lt;script&gt;alert(&quot;order&quot;)&lt;/script&gt;');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(html).not.toContain(SCRIPT);
    expect(html).not.toContain('<img src=x');
    expect(html).toContain('Start an auction run');
  });

  it('pages through the orders with the Next page link', async () => {
    const first = await (await dashboard.request('/ui/orders?limit=2')).text();
    const next = /href="(\/ui\/orders\?limit=2&amp;cursor=[^"]+)" rel="next"/.exec(first)?.[1];
    expect(next).toBeDefined();
    expect(first.match(/data-order=/g)).toHaveLength(2);
    const second = await (await dashboard.request((next as string).replaceAll('&amp;', '&'))).text();
    expect(second.match(/data-order=/g)).toHaveLength(1);
    const ids = (html: string) => [...html.matchAll(/data-order="([^"]+)"/g)].map((m) => m[1]);
    expect(new Set([...ids(first), ...ids(second)]).size).toBe(3);
    expect(second).toContain('>First page</a>');
    expect(second).not.toContain('rel="next"');
  });

  it('starts an auction run with the button and shows it on its state graph', async () => {
    const { id, location } = await startRun(dashboard);
    const page = await dashboard.request(location);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('Started this auction run.');
    expect(html).toContain('data-status="SUCCEEDED"');
    expect(html).not.toContain('hx-trigger');
    expect(html).toMatch(
      /<svg class="graph" aria-labelledby="execution-graph-title" aria-describedby="execution-graph-desc"/,
    );
    for (const state of [
      'Prepare',
      'FetchResults',
      'ResultsReady',
      'StoreResults',
      'StoreResult',
      'Summarize',
    ]) {
      expect(html).toMatch(new RegExp(`<g class="node[a-z ]* visited[a-z ]*" data-state="${state}">`));
      expect(html).toContain(`href="#state-${state}"`);
      expect(html).toContain(`id="state-${state}"`);
    }
    for (const state of ['WaitForResults', 'NoResults', 'PlatformFailed']) {
      expect(html).toContain(`<g class="node" data-state="${state}">`);
    }
    expect(html).toMatch(/data-edge="FetchResults-&gt;ResultsReady"><path class="edge taken"/);
    expect(html).toMatch(/data-edge="FetchResults-&gt;NotifyFailure"><path class="edge catch"/);
    expect(html).toContain('<marker id="execution-graph-arrow"');
    expect(html).toContain('Iteration 0');
    expect(html).toContain('Iteration 2');
    // The order ids travel through the states' input and output: escaped there too.
    expect(html).toContain('&lt;script&gt;alert(\\&quot;order\\&quot;)&lt;/script&gt;');
    expect(html).not.toContain(SCRIPT);

    const list = await (await dashboard.request('/ui/orders/executions')).text();
    expect(list).toContain(`href="/ui/orders/executions/${id}"`);
    expect(list).toContain('SUCCEEDED');
    const decided = await (await dashboard.request('/ui/orders?status=pending')).text();
    expect(decided).toContain('No pending orders.');
  });

  it('filters by status', async () => {
    const all = (await dashboard.services.api.orders.list({ limit: 10 })).orders;
    for (const status of ['accepted', 'rejected'] as const) {
      const html = await (await dashboard.request(`/ui/orders?status=${status}`)).text();
      const expected = all.filter((o) => o.status === status);
      expect(html.match(/data-order=/g) ?? []).toHaveLength(expected.length);
      expect(html).toContain(`<option value="${status}" selected="">`);
    }
    expect((await dashboard.request('/ui/orders?status=')).status).toBe(200);
  });

  it.each([
    ['/ui/orders?status=bogus', 'query parameter "status" must be one of pending, accepted, rejected'],
    ['/ui/orders?limit=0', 'query parameter "limit" must be a whole number from 1 to 100'],
    ['/ui/orders?limit=ten', 'query parameter "limit" must be a whole number from 1 to 100'],
    ['/ui/orders?cursor=not-a-cursor', 'invalid cursor'],
    ['/ui/orders/executions?limit=5000', 'query parameter "limit" must be a whole number from 1 to 1000'],
    ['/ui/orders/executions/a%20b', 'Bad auction run id in the address'],
    ['/ui/orders/executions/x?done=%3Cb%3E', 'query parameter "done" must be "started" or absent'],
  ])('answers %s with 400 and what is wrong', async (path, message) => {
    const page = await dashboard.request(path);
    expect(page.status).toBe(400);
    expect((await page.text()).replaceAll('&quot;', '"')).toContain(message);
  });

  it('answers an unknown run with 404 and says so, on the page and its live part', async () => {
    const page = await dashboard.request('/ui/orders/executions/no-such-run');
    expect(page.status).toBe(404);
    expect(await page.text()).toContain('No auction run with id &quot;no-such-run&quot;');
    const live = await dashboard.request('/ui/orders/executions/no-such-run/live', {
      headers: { 'hx-request': 'true' },
    });
    expect(live.status).toBe(404);
  });
});

describe('a running auction run', () => {
  let dashboard: Dashboard;
  beforeAll(async () => {
    // Never ready, and a real hour's wait: the run stays in WaitForResults until the fabric closes.
    const clock = Object.assign(new ManualClock('2024-09-01T12:00:00Z'), { sleep: realSleep });
    dashboard = await openTestDashboard('dashboard-orders-running', {
      clock,
      auctionReadyProbability: 0,
      auctionWaitSeconds: 3600,
    });
    await dashboard.services.api.orders.submit(ORDERS.slice(0, 1));
  });
  afterAll(() => dashboard?.close());

  it('refreshes itself every 2 s and shows the state it is in', async () => {
    const { id, location } = await startRun(dashboard, false);
    await expect
      .poll(async () => (await dashboard.services.api.auction.history(id)).at(-1)?.stateName)
      .toBe('WaitForResults');
    const html = await (await dashboard.request(location)).text();
    expect(html).toContain('data-status="RUNNING"');
    expect(html).toContain(
      `hx-get="/ui/orders/executions/${id}/live" hx-trigger="every 2s" hx-swap="outerHTML"`,
    );
    expect(html).toMatch(/<g class="node visited current" data-state="WaitForResults">/);
    expect(html).toContain('Running now: WaitForResults.');

    const live = await dashboard.request(`${location.split('?')[0]}/live`, {
      headers: { 'hx-request': 'true' },
    });
    expect(live.status).toBe(200);
    const fragment = await live.text();
    expect(fragment.startsWith('<div id="execution-live"')).toBe(true);
    expect(fragment).not.toContain('<html');
  });
});
