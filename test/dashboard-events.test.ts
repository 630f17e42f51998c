import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseEventBatch } from '../src/core/events/parse-event-batch.js';
import { ManualClock } from '../src/runtime/clock.js';
import { openTestDashboard } from './support/dashboard.js';
import { makeEvent, ndjson, sampleEvents, uuid } from './support/events.js';

const ACCOUNT_A = uuid(1, 'aaaaaaaa');
const ACCOUNT_B = uuid(2, 'bbbbbbbb');

/** Five barclays events an hour apart from 10:00 UTC, over two accounts and three types. */
const barclays = [
  makeEvent({ id: uuid(1), account: ACCOUNT_A, type: 'transaction', time: '2024-05-01T10:00:00Z' }),
  makeEvent({ id: uuid(2), account: ACCOUNT_B, type: 'fraud_detection', time: '2024-05-01T11:00:00Z' }),
  makeEvent({ id: uuid(3), account: ACCOUNT_A, type: 'check_account', time: '2024-05-01T12:00:00Z' }),
  makeEvent({ id: uuid(4), account: ACCOUNT_A, type: 'transaction', time: '2024-05-01T13:00:00Z' }),
  makeEvent({ id: uuid(5), account: ACCOUNT_B, type: 'transaction', time: '2024-05-01T14:00:00Z' }),
];
const REJECTED = [
  '{"ID": "not-a-uuid", "Client": "<b>monzo</b>", "Note": "<script>alert(1)</script>"}',
  JSON.stringify({ ...makeEvent({ id: uuid(9) }), Type: 'transfer' }),
];

describe('dashboard events', () => {
  const clock = new ManualClock('2024-09-01T10:00:00Z');
  let dashboard: Awaited<ReturnType<typeof openTestDashboard>>;
  const page = async (path: string, status = 200) => {
    const response = await dashboard.request(path);
    const html = await response.text();
    expect(response.status, html).toBe(status);
    return html;
  };
  /** Event IDs in the order the page lists them. */
  const listed = (html: string) => [...html.matchAll(/data-event="([^"]+)"/g)].map((m) => m[1]);

  beforeAll(async () => {
    dashboard = await openTestDashboard('dashboard-events', { clock });
  });
  afterAll(() => dashboard.close());

  it('says how to add a client when there is none', async () => {
    expect(await page('/ui/events')).toContain('No events clients yet');
  });

  it("shows a chosen client's events with their id, type, account, time and payload", async () => {
    await dashboard.services.api.clients.add('barclays');
    await dashboard.services.api.clients.add('monzo');
    const text = ndjson([...sampleEvents.map((s) => JSON.parse(s.text)), ...barclays]) + REJECTED.join('\n');
    const parsed = parseEventBatch(text, 'ndjson');
    if (!parsed.ok) throw new Error(parsed.error.message);
    await dashboard.services.api.events.accept(parsed.records);
    expect(await dashboard.fabric.dispatcher.settle()).toEqual({ settled: true });

    const choose = await page('/ui/events');
    expect(choose).toContain('<option value="barclays">barclays</option>');
    expect(choose).toContain('Choose a client to read its events.');

    const html = await page('/ui/events?client=barclays');
    expect(listed(html)).toEqual(['0124e053-3580-7000-b158-3401dd4f2d37', ...barclays.map((e) => e.ID)]);
    expect(html).toContain('<option value="barclays" selected="">barclays</option>');
    expect(html).toContain('2009-11-10 23:00:00 UTC');
    expect(html).toContain(`<code>${ACCOUNT_B}</code>`);
    expect(html).toContain('<td>fraud_detection</td>');
    expect(html).toMatch(
      /<details><summary>Payload of [0-9a-f]{8}<\/summary><pre class="json">\{\n {2}&quot;ID&quot;/,
    );
    expect(html).not.toContain('0124e053-3580-7000-a773-0e4701b781d1'); // monzo's
  });

  it('filters by account, type and a UTC time range that excludes its end', async () => {
    const byAccount = await page(`/ui/events?client=barclays&account=${ACCOUNT_A.toUpperCase()}`);
    expect(listed(byAccount)).toEqual([uuid(1), uuid(3), uuid(4)]);
    expect(listed(await page('/ui/events?client=barclays&type=transaction&account=&from=&to='))).toEqual([
      '0124e053-3580-7000-b158-3401dd4f2d37',
      uuid(1),
      uuid(4),
      uuid(5),
    ]);
    const range = await page('/ui/events?client=barclays&from=2024-05-01T11:00&to=2024-05-01T13:00:00');
    expect(listed(range)).toEqual([uuid(2), uuid(3)]);
    expect(range).toContain('value="2024-05-01T11:00"');
    expect(await page(`/ui/events?client=barclays&type=check_account&account=${ACCOUNT_B}`)).toContain(
      'No events.',
    );
  });

  it('pages by cursor with next and first page links that keep the filters', async () => {
    const first = await page('/ui/events?client=barclays&type=transaction&limit=2');
    expect(listed(first)).toEqual(['0124e053-3580-7000-b158-3401dd4f2d37', uuid(1)]);
    const next = /href="([^"]+)" rel="next"/.exec(first)?.[1]?.replaceAll('&amp;', '&') as string;
    expect(next).toMatch(/^\/ui\/events\?client=barclays&type=transaction&cursor=[\w.-]+&limit=2$/);
    const second = await page(next);
    expect(listed(second)).toEqual([uuid(4), uuid(5)]);
    expect(second).toContain('href="/ui/events?client=barclays&amp;type=transaction&amp;limit=2">First page');
    expect(second).not.toContain('rel="next"');
  });

  it.each([
    [
      'client=hsbc',
      404,
      'Unknown client &quot;hsbc&quot; (filter &quot;client&quot;): the clients are barclays, monzo',
    ],
    [
      'client=barclays&from=yesterday',
      400,
      'Bad filter &quot;from&quot;: &quot;yesterday&quot; is not a date and time',
    ],
    [
      'client=barclays&to=2024-02-30T10:00',
      400,
      'Bad filter &quot;to&quot;: &quot;2024-02-30T10:00&quot; is not',
    ],
    [
      'client=barclays&from=2024-05-02T00:00&to=2024-05-01T00:00',
      400,
      'Bad filter &quot;to&quot;: must be later',
    ],
    [
      'client=barclays&type=transfer',
      400,
      'Bad filter &quot;type&quot;: &quot;transfer&quot; is no event type',
    ],
    ['client=barclays&limit=0', 400, 'Bad filter &quot;limit&quot;: must be at least 1'],
    ['client=barclays&cursor=forged', 400, 'Bad filter &quot;cursor&quot;: invalid cursor'],
  ])('refuses %s with %i and says which filter is wrong', async (query, status, message) => {
    const html = await page(`/ui/events?${query}`, status);
    expect(html).toContain(message);
    expect(html).toContain('<form method="get" action="/ui/events"');
  });

  it("refuses another client's cursor", async () => {
    const first = await page('/ui/events?client=barclays&limit=1');
    const cursor = /cursor=([\w.-]+)/.exec(first)?.[1] as string;
    expect(await page(`/ui/events?client=monzo&cursor=${cursor}`, 400)).toContain(
      'Bad filter &quot;cursor&quot;',
    );
  });

  it('shows typed values back escaped', async () => {
    const html = await page(
      '/ui/events?client=barclays&account=%22%3E%3Cscript%3Ex%3C/script%3E&from=x',
      400,
    );
    expect(html).not.toContain('<script>x');
    expect(html).toContain('value="&quot;&gt;&lt;script&gt;x&lt;/script&gt;"');
  });

  it('lists rejected records with stage, client, id, every reason and the raw payload, escaped', async () => {
    const html = await page('/ui/events/rejected');
    expect(html.match(/data-rejected=/g)).toHaveLength(2);
    expect(html).not.toContain('<script>alert(1)');
    expect(html).not.toContain('<b>monzo</b>');
    expect(html).toContain('<td>&lt;b&gt;monzo&lt;/b&gt;</td>');
    expect(html).toContain('&quot;Note&quot;: &quot;&lt;script&gt;alert(1)&lt;/script&gt;&quot;');
    expect(html).toContain('<td>ingest</td>');
    expect(html).toContain('<td>validation</td>');
    expect(html).toContain(`<code>${uuid(9)}</code>`);
    expect(html).toMatch(/<code>Type<\/code>: [^<]*transfer/);
    expect(html).toContain('<option value="barclays"></option>');
  });

  it('filters rejected records by client and pages them by cursor', async () => {
    const barclaysOnly = await page('/ui/events/rejected?client=barclays');
    expect(barclaysOnly.match(/data-rejected=/g)).toHaveLength(1);
    expect(await page('/ui/events/rejected?client=hsbc')).toContain(
      'No rejected records name client &quot;hsbc&quot;.',
    );
    const first = await page('/ui/events/rejected?limit=1');
    const next = /href="([^"]+)" rel="next"/.exec(first)?.[1]?.replaceAll('&amp;', '&') as string;
    expect(next).toMatch(/^\/ui\/events\/rejected\?cursor=[\w.-]+&limit=1$/);
    const second = await page(next);
    expect(second.match(/data-rejected=/g)).toHaveLength(1);
    expect(second).not.toEqual(first);
    expect(await page('/ui/events/rejected?cursor=forged', 400)).toContain('Bad filter &quot;cursor&quot;');
    expect(await page('/ui/events/rejected?limit=501', 400)).toContain(
      'Bad filter &quot;limit&quot;: must be at most 500',
    );
  });
});
