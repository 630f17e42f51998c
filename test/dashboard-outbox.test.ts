import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { composeStatementEmail } from '../src/core/statements/compose-email.js';
import { ManualClock } from '../src/runtime/clock.js';
import { datasets } from './support/cli.js';
import { openTestDashboard } from './support/dashboard.js';

const HOSTILE_ID = 'hostile-1';

describe('dashboard outbox', () => {
  let dashboard: Awaited<ReturnType<typeof openTestDashboard>>;
  let statementId: string;
  const clock = new ManualClock('2024-09-01T10:00:00Z');

  beforeAll(async () => {
    dashboard = await openTestDashboard('dashboard-outbox', { clock });
    const { fabric } = dashboard;
    await fabric.statements.upsertAccount({
      accountId: 'acct-1',
      email: 'ana@example.com',
      name: 'Ana <i>D</i>',
    });
    await fabric.objects.put({
      bucket: 'transactions',
      key: 'accounts/acct-1/july.csv',
      body: await readFile(join(datasets, 'statements', 'challenge-sample.csv')),
    });
    expect(await fabric.dispatcher.settle()).toEqual({ settled: true });
    statementId = (await fabric.outbox.list())[0]?.id as string;

    clock.set('2024-09-01T11:00:00Z');
    await fabric.outbox.send(
      await composeStatementEmail({
        id: HOSTILE_ID,
        from: 'Mallory <m@example.com>',
        to: ['ana@example.com'],
        subject: '<b>Free</b> "money"',
        html: '<p>hi</p><script>alert(1)</script><img src="https://evil.example/x.png">',
        text: 'hi <script>',
        date: clock.now(),
      }),
    );
    await fabric.alerts.notify({
      id: 'alert-1',
      kind: 'order-rejected',
      text: 'Order <b>o-1</b> was rejected',
      details: { recordId: 'o-1', reason: '<img src=x>' },
    });
  });
  afterAll(() => dashboard.close());

  const page = async (path: string) => {
    const response = await dashboard.request(path);
    return { status: response.status, html: await response.text(), response };
  };

  it('lists emails newest first and alerts with their delivery, escaping what they hold', async () => {
    const { status, html } = await page('/ui/outbox');
    expect(status).toBe(200);
    expect(html.indexOf(`data-email="${HOSTILE_ID}"`)).toBeLessThan(
      html.indexOf(`data-email="${statementId}"`),
    );
    expect(html).toContain(`<a href="/ui/outbox/${statementId}">Your statement for account acct-1</a>`);
    expect(html).toContain('&lt;b&gt;Free&lt;/b&gt; &quot;money&quot;');
    expect(html).not.toContain('<b>Free</b>');
    expect(html).toContain('Order &lt;b&gt;o-1&lt;/b&gt; was rejected');
    expect(html).toContain('<span class="status status-plain">not-configured</span>');
    expect(html).toContain('&quot;reason&quot;: &quot;&lt;img src=x&gt;&quot;');
    expect(html).not.toContain('<img src=x>');
  });

  it('shows an email with its rendered HTML in a sandboxed frame, its text and its header fields', async () => {
    const { status, html } = await page(`/ui/outbox/${statementId}`);
    expect(status).toBe(200);
    expect(html).toContain('<h1>Your statement for account acct-1</h1>');
    expect(html).toContain(
      `<iframe class="email" sandbox="" src="/ui/outbox/${statementId}/html" title="Rendered HTML of the email &quot;Your statement for account acct-1&quot;"></iframe>`,
    );
    expect(html).toMatch(/<pre tabindex="0">[^<]*39\.74/);
    expect(html).toContain(
      '<th scope="row">Subject</th><td><code>Your statement for account acct-1</code></td>',
    );
    expect(html).toContain(
      `<th scope="row">Message-ID</th><td><code>&lt;${statementId}@tributary.local&gt;</code></td>`,
    );
    expect(html).toContain('<th scope="row">To</th><td><code>ana@example.com</code></td>');
    expect(html).toContain(`href="/ui/outbox/${statementId}/eml" download=""`);

    const hostile = await page(`/ui/outbox/${HOSTILE_ID}`);
    expect(hostile.html).not.toContain('<script>alert');
    expect(hostile.html).toContain('hi &lt;script&gt;');
  });

  it('serves the HTML with its own policy: inline styles and data: images only, in a sandbox', async () => {
    const { status, html, response } = await page(`/ui/outbox/${statementId}/html`);
    expect(status).toBe(200);
    expect(response.headers.get('content-security-policy')).toBe(
      "default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox",
    );
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(html).toContain('39.74');
    expect(html).toContain('Hello Ana &lt;i&gt;D&lt;&#x2F;i&gt;,');
    // The logo travels in the message as a related part: the frame shows it without a request.
    expect(html).toMatch(/<img src="data:image\/png;base64,[A-Za-z0-9+/]{100,}=*"/);
    expect(html).not.toContain('cid:');

    const hostile = await page(`/ui/outbox/${HOSTILE_ID}/html`);
    expect(hostile.response.headers.get('content-security-policy')).toContain('sandbox');
  });

  it('downloads the raw message as an .eml file', async () => {
    const { status, html, response } = await page(`/ui/outbox/${statementId}/eml`);
    expect(status).toBe(200);
    expect(response.headers.get('content-type')).toBe('message/rfc822');
    expect(response.headers.get('content-disposition')).toBe(
      `attachment; filename="${statementId}.eml"; filename*=UTF-8''${statementId}.eml`,
    );
    expect(html).toContain(`Message-ID: <${statementId}@tributary.local>`);
  });

  it.each([
    ['/ui/outbox/nope', 404, 'No email with id &quot;nope&quot; in the outbox.'],
    ['/ui/outbox/nope/eml', 404, 'No email with id &quot;nope&quot; in the outbox.'],
    ['/ui/outbox/%3Cb%3Ex%3C%2Fb%3E', 404, 'No email with id &quot;&lt;b&gt;x&lt;/b&gt;&quot;'],
  ])('answers %s with %i and says what is wrong', async (path, status, message) => {
    const response = await page(path);
    expect(response.status).toBe(status);
    expect(response.html).toContain(message);
  });

  it('answers an unknown email frame with a plain 404 under the strict policy', async () => {
    const { status, html, response } = await page('/ui/outbox/nope/html');
    expect(status).toBe(404);
    expect(html).toBe('No email with id "nope" in the outbox.');
    expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(response.headers.get('content-security-policy')).toContain("default-src 'none'");
  });
});
