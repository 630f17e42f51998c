import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  describeWithChromium,
  launchChromium,
  openPage,
  screenshot,
  signIn,
  startDashboardServer,
} from '../support/browser.js';
import { startReceiver } from '../support/http-receiver.js';

const ORDERS = [
  { record_id: 'unique_id_1', parameter_1: 'abc', parameter_2: 4 },
  { record_id: 'unique_id_2', parameter_1: 'def', parameter_2: 2.1 },
  { record_id: 'unique_id_3', parameter_1: 'ghi', parameter_2: 7.5 },
  { record_id: 'unique_id_4', parameter_1: 'jkl', parameter_2: 1 },
];
/** Polls the platform answers "not yet" to, so the run waits and the page has to refresh itself. */
const NOT_READY = 3;

describeWithChromium('auction run and its execution graph (Chromium)', () => {
  let browser: Browser;
  let app: Awaited<ReturnType<typeof startDashboardServer>>;
  let platform: Awaited<ReturnType<typeof startReceiver>>;

  beforeAll(async () => {
    // The HTTP platform on loopback, not the simulated one: its answers are fixed, so the run
    // waits NOT_READY times (1 s each) and then accepts every order but unique_id_2.
    platform = await startReceiver((_, i) => ({
      status: 200,
      body:
        i < NOT_READY
          ? { results: false }
          : {
              results: true,
              orders: ORDERS.map((o) => ({
                record_id: o.record_id,
                status: o.record_id === 'unique_id_2' ? 'rejected' : 'accepted',
                power: o.parameter_2 / 2,
              })),
            },
    }));
    [browser, app] = await Promise.all([
      launchChromium(),
      startDashboardServer('browser-auction', {
        auctionPlatform: 'http',
        auctionUrl: platform.url,
        auctionWaitSeconds: 1,
        auctionMaxAttempts: 10,
      }),
    ]);
    const submitted = await fetch(`${app.server.url}/orders`, {
      method: 'POST',
      headers: { authorization: `Bearer ${app.fabric.adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify(ORDERS),
    });
    expect(submitted.status).toBe(201);
  });
  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await platform?.close();
  });

  it('lists the orders, starts a run with the button and follows it to SUCCEEDED on the graph', async () => {
    const { page, problems } = await openPage(browser);
    await signIn(page, app.server, app.fabric.adminToken);
    await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Orders' }).click();
    await page.waitForURL(`${app.server.url}/ui/orders`);

    const rows = page.locator('tr[data-order]');
    expect(await rows.count()).toBe(4);
    for (const order of ORDERS) {
      const row = page.locator(`tr[data-order="${order.record_id}"]`);
      expect(await row.getByText('pending').count()).toBe(1);
      expect(await row.textContent()).toMatch(/in 23 h \d+ min/);
    }
    await screenshot(page, 'orders-list');

    // Filter with the labelled select, by keyboard.
    await page.getByLabel('Status').focus();
    await page.getByLabel('Status').selectOption('accepted');
    await page.getByRole('button', { name: 'Show orders' }).press('Enter');
    await page.waitForURL(/\/ui\/orders\?status=accepted$/);
    expect(await page.getByText('No accepted orders.').count()).toBe(1);

    await page.getByRole('button', { name: 'Start an auction run' }).press('Enter');
    await page.waitForURL(/\/ui\/orders\/executions\/[0-9a-f-]+\?done=started$/);
    expect(await page.getByRole('status').filter({ hasText: 'Started this auction run.' }).count()).toBe(1);
    // The run waits for the platform: the page shows it running, then refreshes itself.
    expect(await page.locator('#execution-live').getAttribute('data-status')).toBe('RUNNING');
    await page.locator('#execution-live[data-status="SUCCEEDED"]').waitFor({ timeout: 30_000 });
    expect(await page.locator('#execution-live').getAttribute('hx-trigger')).toBeNull();

    const graph = page.getByRole('img', { name: /States of the auction workflow; this run is SUCCEEDED/ });
    expect(await graph.count()).toBe(1);
    const node = (state: string) => page.locator(`svg.graph g.node[data-state="${state}"]`);
    for (const state of ['Prepare', 'FetchResults', 'ResultsReady', 'WaitForResults', 'StoreResults']) {
      expect(await node(state).getAttribute('class'), state).toMatch(/\bvisited\b/);
    }
    for (const state of ['StoreResult', 'NotifyRejected', 'Summarize']) {
      expect(await node(state).getAttribute('class'), state).toMatch(/\bvisited\b/);
    }
    for (const state of ['NotifyNoResults', 'NoResults', 'NotifyFailure', 'PlatformFailed']) {
      expect(await node(state).getAttribute('class'), state).toBe('node');
    }
    expect(await page.locator('svg.graph g.node.failed').count()).toBe(0);
    const edge = (from: string, to: string) =>
      page.locator(`svg.graph [data-edge="${from}->${to}"] path.edge`);
    expect(await edge('WaitForResults', 'FetchResults').getAttribute('class')).toBe('edge taken');
    expect(await edge('StoreResult', 'NotifyRejected').getAttribute('class')).toBe('edge taken catch');
    expect(await edge('FetchResults', 'NotifyFailure').getAttribute('class')).toBe('edge catch');

    // A state of the graph is a link to its details; reach it by keyboard.
    await page.locator('a[href="#state-StoreResult"]').focus();
    await page.keyboard.press('Enter');
    await page.waitForURL(/#state-StoreResult$/);
    const storeResult = page.locator('#state-StoreResult');
    expect(await storeResult.isVisible()).toBe(true);
    expect(await storeResult.getByText('Iteration 1').count()).toBeGreaterThan(0);
    const iteration = storeResult.locator('[data-run="Iteration 0"]');
    expect(await iteration.getByRole('heading', { name: 'Input' }).isVisible()).toBe(true);
    expect(await iteration.getByRole('heading', { name: 'Output' }).isVisible()).toBe(true);
    expect(await iteration.locator('pre.json').first().textContent()).toContain('"record_id": "unique_id_');
    expect(await iteration.locator('pre.json').nth(1).textContent()).toContain('"status": "accepted"');
    expect(await storeResult.textContent()).toContain('OrderRejected');

    const fetchResults = page.locator('#state-FetchResults');
    expect(await fetchResults.textContent()).toContain(`Ran ${NOT_READY + 1} times`);
    expect(await fetchResults.locator('[data-run="Visit 1"] pre.json').first().textContent()).toContain(
      '"attempt": 0',
    );
    expect(await fetchResults.textContent()).toContain('"results": true');
    expect(await page.locator('#execution-output + pre.json').textContent()).toContain('"accepted": 3');
    await page.evaluate('window.scrollTo(0, 0)');
    await screenshot(page, 'auction-execution');

    // The orders now carry the auction's decision.
    await page.getByRole('navigation', { name: 'Breadcrumbs' }).getByRole('link', { name: 'Orders' }).click();
    await page.waitForURL(`${app.server.url}/ui/orders`);
    expect(await page.locator('tr[data-order="unique_id_2"]').getByText('rejected').count()).toBe(1);
    expect(await page.locator('tr[data-order="unique_id_1"]').getByText('accepted').count()).toBe(1);

    // Readable on a narrow screen too.
    await page.setViewportSize({ width: 390, height: 844 });
    await screenshot(page, 'orders-list-narrow');
    await page.goBack();
    await page.locator('#execution-live[data-status="SUCCEEDED"]').waitFor();
    await screenshot(page, 'auction-execution-narrow');
    expect(problems).toEqual([]);
    await page.context().close();
  });
});
