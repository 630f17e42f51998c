import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../src/runtime/clock.js';
import { ORIGIN, openTestDashboard } from './support/dashboard.js';

const SCRIPT_KEY = 'odd/<img src=x onerror=alert(1)> & "x".json';
const escaped = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

describe('dashboard buckets', () => {
  let dashboard: Awaited<ReturnType<typeof openTestDashboard>>;
  const clock = new ManualClock('2024-09-01T10:00:00Z');

  beforeAll(async () => {
    dashboard = await openTestDashboard('dashboard-buckets', { clock });
    const put = (key: string, body: string, contentType = 'application/json', metadata = {}) =>
      dashboard.fabric.objects.put({ bucket: 'order-results', key, body, contentType, metadata });
    await put('orders/a.json', '{"record_id":"a"}', 'application/json', { source: 'auction <b>run</b>' });
    await put('orders/b.json', '{"record_id":"b"}');
    await put('orders/2024/c.json', '{"record_id":"c"}');
    await put('readme.txt', 'hello', 'text/plain');
    await put(SCRIPT_KEY, '{}');
  });
  afterAll(() => dashboard.close());

  const text = async (path: string, init?: RequestInit) => {
    const response = await dashboard.request(path, init);
    return { status: response.status, html: await response.text(), response };
  };

  it('lists the topology buckets with their descriptions, pipelines and object counts', async () => {
    const { status, html } = await text('/ui/buckets');
    expect(status).toBe(200);
    for (const [name, spec] of Object.entries(dashboard.services.topology.buckets)) {
      expect(html).toContain(`href="/ui/buckets/${name}"`);
      expect(html).toContain(escaped(spec.description));
    }
    expect(html).toMatch(/data-bucket="order-results">[\s\S]*?<td class="num">5<\/td>/);
    expect(html).toContain('href="/ui/statements"');
  });

  it('browses a bucket by folder, with breadcrumbs and an upload zone for the folder', async () => {
    const root = await text('/ui/buckets/order-results');
    expect(root.status).toBe(200);
    expect(root.html).toContain(`href="/ui/buckets/order-results?prefix=orders%2F"`);
    expect(root.html).toContain('data-folder="orders/"');
    expect(root.html).toContain('folder, 3 objects');
    expect(root.html).toContain('href="/ui/buckets/order-results/object?key=readme.txt"');
    expect(root.html).not.toContain('data-key="orders/a.json"');

    const orders = await text('/ui/buckets/order-results?prefix=orders%2F');
    expect(orders.html).toContain('data-key="orders/a.json"');
    expect(orders.html).toContain('data-folder="orders/2024/"');
    expect(orders.html).not.toContain('readme.txt');
    expect(orders.html).toMatch(
      /<ol class="breadcrumbs">[\s\S]*?>order-results<[\s\S]*?aria-current="page">orders</,
    );
    expect(orders.html).toContain('data-dropzone="" data-bucket="order-results" data-prefix="orders/"');
    expect(orders.html).toContain('<label for="upload-files">Choose files to upload</label>');
    expect(orders.html).toContain('hx-trigger="tributary:uploaded from:document"');

    // A prefix that is not a folder filters; an upload from there lands in the folder above.
    const partial = await text('/ui/buckets/order-results?prefix=orders%2Fa');
    expect(partial.html).toContain('data-key="orders/a.json"');
    expect(partial.html).not.toContain('data-key="orders/b.json"');
    expect(partial.html).toContain('data-prefix="orders/"');
  });

  it('answers htmx with the listing alone, so an upload refreshes it in place', async () => {
    const { html } = await text('/ui/buckets/order-results?prefix=orders%2F', {
      headers: { 'hx-request': 'true' },
    });
    expect(html.startsWith('<div id="bucket-listing"')).toBe(true);
    expect(html).not.toContain('<html');
  });

  it('escapes a key holding HTML and percent-encodes it in links', async () => {
    const { html } = await text('/ui/buckets/order-results?prefix=odd%2F');
    expect(html).not.toContain('<img src=x');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt; &amp; &quot;x&quot;.json');
    expect(html).toContain(`/ui/buckets/order-results/object?key=${encodeURIComponent(SCRIPT_KEY)}`);

    const detail = await text(`/ui/buckets/order-results/object?key=${encodeURIComponent(SCRIPT_KEY)}`);
    expect(detail.status).toBe(200);
    expect(detail.html).not.toContain('<img src=x');
    expect(detail.html).toContain('<h1>&lt;img src=x onerror=alert(1)&gt; &amp; &quot;x&quot;.json</h1>');
  });

  it('shows an object with its size, content type, ETag, last modified, user metadata and a preview', async () => {
    const { status, html } = await text('/ui/buckets/order-results/object?key=orders%2Fa.json');
    expect(status).toBe(200);
    expect(html).toContain('<h1>a.json</h1>');
    expect(html).toContain('17 B (17 bytes)');
    expect(html).toContain('application/json');
    expect(html).toContain('<time datetime="2024-09-01T10:00:00.000Z">2024-09-01 10:00:00 UTC</time>');
    expect(html).toContain('x-amz-meta-source');
    expect(html).toContain('auction &lt;b&gt;run&lt;/b&gt;');
    expect(html).toContain('{&quot;record_id&quot;:&quot;a&quot;}');
    expect(html).toContain('href="/ui/buckets/order-results/download?key=orders%2Fa.json"');
    const info = await dashboard.fabric.objects.head('order-results', 'orders/a.json');
    expect(html).toContain(`<code>${info?.etag}</code>`);
  });

  it('downloads an object as an attachment with its content type, never sniffed', async () => {
    const { status, html, response } = await text('/ui/buckets/order-results/download?key=orders%2Fa.json');
    expect(status).toBe(200);
    expect(html).toBe('{"record_id":"a"}');
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('content-disposition')).toBe(
      `attachment; filename="a.json"; filename*=UTF-8''a.json`,
    );
    const odd = await dashboard.request(
      `/ui/buckets/order-results/download?key=${encodeURIComponent(SCRIPT_KEY)}`,
    );
    expect(odd.headers.get('content-disposition')).toBe(
      `attachment; filename="_img src_x onerror_alert_1__ _ _x_.json"; filename*=UTF-8''%3Cimg%20src%3Dx%20onerror%3Dalert%281%29%3E%20%26%20%22x%22.json`,
    );
  });

  it.each([
    [
      '/ui/buckets/nowhere',
      404,
      'No bucket &quot;nowhere&quot;. The buckets are: transactions, email-templates',
    ],
    ['/ui/buckets/nowhere/object?key=a', 404, 'No bucket &quot;nowhere&quot;'],
    ['/ui/buckets/order-results/object', 400, 'query parameter &quot;key&quot;: missing'],
    ['/ui/buckets/order-results/object?key=', 400, 'query parameter &quot;key&quot;: must not be empty'],
    [
      '/ui/buckets/order-results/object?key=orders%2Fnone.json',
      404,
      'No object &quot;orders/none.json&quot;',
    ],
    ['/ui/buckets/order-results/object?key=..%2Fx', 400, '&quot;..&quot; segments are not allowed'],
    ['/ui/buckets/order-results/download?key=missing', 404, 'No object &quot;missing&quot;'],
    [
      `/ui/buckets/order-results?prefix=${'p'.repeat(1025)}`,
      400,
      'query parameter &quot;prefix&quot;: at most 1024',
    ],
  ])('answers %s with %i and says what is wrong', async (path, status, message) => {
    const response = await text(path);
    expect(response.status).toBe(status);
    expect(response.html).toContain(message);
  });

  describe('upload', () => {
    const upload = (
      bucket: string,
      key: string | undefined,
      body: string,
      headers: Record<string, string> = {},
    ) =>
      dashboard.request(
        `/ui/buckets/${bucket}/upload${key === undefined ? '' : `?key=${encodeURIComponent(key)}`}`,
        {
          method: 'POST',
          headers: { 'content-type': 'text/csv', ...headers },
          body,
        },
      );

    it('stores the raw body with its content type and answers 201 with the trace id', async () => {
      const response = await upload('landing', 'inbox/<b>new</b>.csv', 'a,b\n1,2\n');
      expect(response.status).toBe(201);
      const body = (await response.json()) as Record<string, unknown>;
      expect(body).toEqual({
        bucket: 'landing',
        key: 'inbox/<b>new</b>.csv',
        size: 8,
        traceId: expect.any(String),
      });
      const info = await dashboard.fabric.objects.head('landing', 'inbox/<b>new</b>.csv');
      expect(info).toMatchObject({ size: 8, contentType: 'text/csv' });
    });

    it.each([
      ['nowhere', 'a.csv', 404, 'No bucket "nowhere"'],
      ['landing', undefined, 400, 'query parameter "key" is missing'],
      ['landing', '../up.csv', 400, '".." segments are not allowed'],
      ['landing', 'dir/', 400, 'must not end with "/"'],
    ])('refuses bucket %s key %s with %i as text', async (bucket, key, status, message) => {
      const response = await upload(bucket, key, 'x');
      expect(response.status).toBe(status);
      expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
      expect(await response.text()).toContain(message);
    });

    it('refuses an upload from another site', async () => {
      const crossOrigin = await upload('landing', 'x.csv', 'x', { origin: 'https://evil.example' });
      expect(crossOrigin.status).toBe(403);
      const crossSite = await upload('landing', 'x.csv', 'x', {
        origin: ORIGIN,
        'sec-fetch-site': 'cross-site',
      });
      expect(crossSite.status).toBe(403);
      expect(await dashboard.fabric.objects.head('landing', 'x.csv')).toBeUndefined();
    });
  });
});
