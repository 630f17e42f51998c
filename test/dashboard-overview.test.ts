import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { datasets } from './support/cli.js';
import { openTestDashboard } from './support/dashboard.js';

/** The text of a pipeline card's figure, e.g. `figure(html, 'statements', 'records (1 h)')`. */
function figure(html: string, pipeline: string, name: string): string | undefined {
  const card = html.split(`data-pipeline="${pipeline}"`)[1]?.split('data-pipeline=')[0] ?? '';
  return new RegExp(`<dt>${name.replace(/[()]/g, '\\$&')}</dt><dd>(?:<a[^>]*>)?([^<]*)`).exec(card)?.[1];
}

describe('dashboard overview', () => {
  let dashboard: Awaited<ReturnType<typeof openTestDashboard>>;
  beforeAll(async () => {
    dashboard = await openTestDashboard('dashboard-overview');
    const { fabric } = dashboard;
    // Four accounts with no email known: each summary fails to send and waits in the DLQ.
    await fabric.objects.put({
      bucket: 'transactions',
      key: 'uploads/accountid-datetime.csv',
      body: await readFile(join(datasets, 'statements', 'accountid-datetime.csv')),
    });
    const settled = await fabric.dispatcher.settle({ sleep: (ms) => new Promise((r) => setTimeout(r, ms)) });
    if (!settled.settled) throw new Error('the upload did not settle');
  });
  afterAll(() => dashboard.close());

  it("shows each pipeline's runs, records, failures, dead letters and queue depths", async () => {
    const response = await dashboard.request('/');
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(figure(html, 'statements', 'runs (1 h)')).not.toBe('0');
    // A summary with no email known can never be sent: each of the four fails once, straight to the DLQ.
    expect(figure(html, 'statements', 'failures (1 h)')).toBe('4');
    expect(figure(html, 'statements', 'dead letters')).toBe('4');
    expect(figure(html, 'loader', 'runs (1 h)')).toBe('0');
    expect(html).toMatch(/<th scope="row">statements-notify-dlq<\/th><td>4<\/td>/);
    expect(html).toContain('statements-ingest');
  });

  it('serves the live part alone, for htmx to swap in every 2 s', async () => {
    const response = await dashboard.request('/ui/overview/live', { headers: { 'hx-request': 'true' } });
    const html = await response.text();
    expect(html.startsWith('<div id="overview-live" hx-get="/ui/overview/live" hx-trigger="every 2s"')).toBe(
      true,
    );
    expect(html).not.toContain('<html');
    expect(figure(html, 'statements', 'dead letters')).toBe('4');
  });
});
