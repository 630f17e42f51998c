import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { expect, it } from 'vitest';
import {
  describeWithChromium,
  openPage,
  screenshot,
  signIn,
  useDashboardBrowser,
} from '../support/browser.js';
import { datasets } from '../support/cli.js';

const ACCOUNT = 'acct-7';
const EMAIL = 'seven@example.com';
/** How long the server's background dispatcher may take to move work along. */
const WAIT = { timeout: 30_000, interval: 200 };

describeWithChromium('replay a dead letter and see it delivered (Chromium)', () => {
  const suite = useDashboardBrowser('browser-dlq-replay');

  /** The HTTP API as the CLI or a producer calls it, with the admin token. */
  const api = async (
    method: string,
    path: string,
    body?: string | Buffer,
    headers: Record<string, string> = {},
  ) => {
    const response = await fetch(`${suite.app.server.url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${suite.app.fabric.adminToken}`,
        'content-type': 'application/json',
        ...headers,
      },
      body,
    });
    if (response.status >= 300)
      throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
    return response;
  };
  const json = async <T>(path: string) => (await (await api('GET', path)).json()) as T;
  const count = (page: Page, queue: string, which: string) =>
    page.locator(`#queues-live tr[data-queue="${queue}"] td[data-count="${which}"]`).textContent();
  const narrowScreenshot = async (page: Page, name: string) => {
    await page.setViewportSize({ width: 390, height: 844 });
    // Wide tables scroll inside their own box; the page itself never scrolls sideways.
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    await screenshot(page, name);
    await page.setViewportSize({ width: 1280, height: 900 });
  };

  it('shows the held statement, replays it with the keyboard, and the email goes out', async () => {
    // The account has no email yet: the notify step cannot send, and the summary lands in the DLQ.
    const upload = await api(
      'PUT',
      '/buckets/transactions/objects/uploads/challenge-sample.csv',
      await readFile(join(datasets, 'statements', 'challenge-sample.csv')),
      { 'content-type': 'text/csv', 'x-amz-meta-account-id': ACCOUNT, 'x-amz-meta-year': '2024' },
    );
    const trace = upload.headers.get('x-tributary-trace-id') as string;
    await expect
      .poll(async () => {
        const status = await json<{ settled: boolean; deadLetters: unknown[] }>(`/traces/${trace}`);
        return status.settled && status.deadLetters.length;
      }, WAIT)
      .toBe(1);

    const { page, problems } = await openPage(suite.browser);
    await signIn(page, suite.app.server, suite.app.fabric.adminToken);
    await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Queues' }).click();
    await page.waitForURL(/\/ui\/queues$/);
    const dlq = page.locator('[data-dlq="statements-notify-dlq"]');
    await expect.poll(() => dlq.getByRole('heading').textContent()).toBe('statements-notify-dlq · 1 message');
    expect(await dlq.getByRole('article').textContent()).toContain(`no email known for account "${ACCOUNT}"`);
    expect(await count(page, 'statements-notify-dlq', 'visible')).toBe('1');
    await dlq.getByText(/^Body \(JSON/).click();
    expect(await dlq.locator('pre.json').textContent()).toContain('"balance": "39.74"');
    await screenshot(page, 'queues-dlq');
    await narrowScreenshot(page, 'queues-dlq-narrow');

    // The queue's own page: its settings, live counts and every message.
    await dlq.getByRole('link', { name: 'statements-notify-dlq' }).click();
    await page.waitForURL(/\/ui\/queues\/statements-notify-dlq$/);
    expect(await page.locator('dl.meta').first().textContent()).toContain('dead-letter queue');
    expect(await page.getByRole('article').count()).toBe(1);
    await screenshot(page, 'queues-queue');
    await page.goBack();

    // The operator adds the holder (as `tributary accounts add` does), then replays the message.
    await api('PUT', `/accounts/${ACCOUNT}`, JSON.stringify({ email: EMAIL, name: 'Seven' }));
    const replay = dlq.getByRole('button', { name: /^Replay message [0-9a-f]{8}$/ });
    await replay.focus();
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/ui\/queues\?done=replayed&count=1$/);
    expect(await page.getByRole('status').textContent()).toContain('Replayed 1 message');
    expect(await dlq.textContent()).toContain('No dead letters of statements-notify.');

    // Delivered: the email is in the outbox, and the live counts show both queues empty.
    await expect
      .poll(async () => (await json<{ emails: { to: string[] }[] }>('/outbox')).emails.map((e) => e.to), WAIT)
      .toEqual([[EMAIL]]);
    await expect
      .poll(
        async () =>
          Promise.all(
            ['visible', 'inFlight', 'delayed'].flatMap((which) =>
              ['statements-notify', 'statements-notify-dlq'].map((queue) => count(page, queue, which)),
            ),
          ),
        WAIT,
      )
      .toEqual(['0', '0', '0', '0', '0', '0']);
    expect((await json<{ messages: unknown[] }>('/dlq')).messages).toEqual([]);
    await screenshot(page, 'queues-replayed');
    expect(problems).toEqual([]);
  });

  it("browses a client's events with filters, and the rejected records", async () => {
    await api('POST', '/clients', JSON.stringify({ name: 'barclays' }));
    await api('POST', '/clients', JSON.stringify({ name: 'monzo' }));
    const samples = await Promise.all(
      ['transaction-1.json', 'transaction-2.json'].map(async (name) =>
        JSON.stringify(JSON.parse(await readFile(join(datasets, 'events', name), 'utf8'))),
      ),
    );
    const rejected = '{"ID": "not-a-uuid", "Client": "barclays", "Type": "transfer"}';
    await api('POST', '/events', [...samples, rejected].join('\n'), {
      'content-type': 'application/x-ndjson',
    });
    await expect
      .poll(async () => (await json<{ events: unknown[] }>('/clients/barclays/events')).events.length, WAIT)
      .toBe(1);

    const { page, problems } = await openPage(suite.browser);
    await signIn(page, suite.app.server, suite.app.fabric.adminToken);
    await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Events' }).click();
    await page.getByLabel('Client', { exact: true }).selectOption('barclays');
    await page.getByLabel('Type', { exact: true }).selectOption('transaction');
    await page.getByLabel('From (UTC)').fill('2009-11-10T00:00');
    await page.getByRole('button', { name: 'Show events' }).click();
    await page.waitForURL(/client=barclays/);
    const row = page.locator('tbody[data-event="0124e053-3580-7000-b158-3401dd4f2d37"]');
    expect(await row.textContent()).toContain('2009-11-10 23:00:00 UTC');
    await row.getByText(/^Payload of/).click();
    expect(await row.locator('pre.json').textContent()).toContain('"FraudScore": 20');
    expect(await page.locator('tbody[data-event]').count()).toBe(1);
    await screenshot(page, 'events-feed');
    await narrowScreenshot(page, 'events-feed-narrow');

    await page.getByRole('link', { name: 'Rejected records' }).click();
    await page.waitForURL(/\/ui\/events\/rejected$/);
    const record = page.locator('tr[data-rejected]');
    expect(await record.count()).toBe(1);
    expect(await record.textContent()).toContain('barclays');
    expect(await record.textContent()).toContain('ID');
    await screenshot(page, 'events-rejected');
    expect(problems).toEqual([]);
  });
});
