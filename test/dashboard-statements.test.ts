import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../src/runtime/clock.js';
import { datasets } from './support/cli.js';
import { openTestDashboard } from './support/dashboard.js';

describe('dashboard statements', () => {
  let dashboard: Awaited<ReturnType<typeof openTestDashboard>>;
  const clock = new ManualClock('2024-09-01T10:00:00Z');

  const upload = async (key: string, body: Buffer | string) => {
    const response = await dashboard.request(
      `/ui/buckets/transactions/upload?key=${encodeURIComponent(key)}`,
      {
        method: 'POST',
        headers: { 'content-type': 'text/csv' },
        body,
      },
    );
    expect(response.status).toBe(201);
    expect(await dashboard.fabric.dispatcher.settle()).toEqual({ settled: true });
  };
  const dataset = (name: string) => readFile(join(datasets, 'statements', name));
  const page = async (path: string) => {
    const response = await dashboard.request(path);
    return { status: response.status, html: await response.text() };
  };

  beforeAll(async () => {
    dashboard = await openTestDashboard('dashboard-statements', { clock });
    await dashboard.services.api.statements.upsertAccount({
      accountId: 'acct-1',
      email: 'ana@example.com',
      name: 'Ana <b>Díaz</b>',
    });
    await upload('accounts/acct-1/july.csv', await dataset('challenge-sample.csv'));
    await upload('uploads/accountid-datetime.csv', await dataset('accountid-datetime.csv'));
    await upload('accounts/ruben/email-name-padded.csv', await dataset('email-name-padded.csv'));
    await upload('uploads/<i>no-header</i>.csv', 'nothing,useful\n1,2\n');
  });
  afterAll(() => dashboard.close());

  it('lists accounts with their summaries, including those still waiting for an email', async () => {
    const { status, html } = await page('/ui/statements');
    expect(status).toBe(200);
    const row = (id: string) =>
      html.match(new RegExp(`<tr data-account="${id}"[^>]*>([\\s\\S]*?)</tr>`))?.[1] ?? '';
    expect(row('acct-1')).toContain('Ana &lt;b&gt;Díaz&lt;/b&gt;');
    expect(row('acct-1')).toContain('ana@example.com');
    expect(row('acct-1')).toMatch(
      /<td class="num">4<\/td><td class="num">39.74<\/td><td class="num">1<\/td><td class="num">0<\/td>/,
    );
    // Accounts 1–4 come from an AccountId column, with no holder: their statements wait in the DLQ.
    expect(row('3')).toContain('none known');
    expect(row('3')).toMatch(/<td class="num">-20.46<\/td><td class="num">0<\/td><td class="num">1<\/td>/);
    expect(html).toContain('<tr data-account="3" class="bad">');
    expect(html).toContain('href="/ui/statements/accounts/acct-1"');
  });

  it('lists the recent statement files with their line counts and rejected lines', async () => {
    const { html } = await page('/ui/statements');
    const row = (key: string) =>
      html.match(new RegExp(`<tr data-file="${key}"[^>]*>([\\s\\S]*?)</tr>`))?.[1] ?? '';
    expect(row('accounts/acct-1/july.csv')).toMatch(
      /processed[\s\S]*<td class="num">4<\/td><td class="num">4<\/td><td class="num">0<\/td><td class="num">0<\/td>/,
    );
    expect(row('accounts/ruben/email-name-padded.csv')).toMatch(
      /processed[\s\S]*<td class="num">2<\/td><td class="num">2<\/td><td class="num">0<\/td><td class="num">2<\/td>/,
    );
    expect(row('uploads/&lt;i&gt;no-header&lt;/i&gt;.csv')).toMatch(
      /rejected<\/span><p class="help">[^<]*header/,
    );
    expect(html).toContain('<tr data-file="uploads/&lt;i&gt;no-header&lt;/i&gt;.csv" class="bad">');
    expect(html).toContain('href="/ui/statements/file?key=uploads%2F%3Ci%3Eno-header%3C%2Fi%3E.csv"');

    const file = await page('/ui/statements/file?key=accounts%2Fruben%2Femail-name-padded.csv');
    expect(file.status).toBe(200);
    const report = await dashboard.fabric.statements.getFileReport(
      `transactions/accounts/ruben/email-name-padded.csv@${(await dashboard.fabric.objects.head('transactions', 'accounts/ruben/email-name-padded.csv'))?.etag}`,
    );
    expect(report?.rejectedCount).toBe(2);
    for (const rejected of report?.rejected ?? []) {
      expect(file.html).toContain(
        `<th scope="row" class="num">${rejected.line}</th><td>${rejected.reason.replace(/"/g, '&quot;')}</td>`,
      );
    }
    const rejected = await page('/ui/statements/file?key=uploads%2F%3Ci%3Eno-header%3C%2Fi%3E.csv');
    expect(rejected.html).toContain('status-bad">rejected</span>');
    expect(rejected.html).not.toContain('<i>no-header');
  });

  it('shows an account: summary, a chart with the same numbers as a table, and the email as sent', async () => {
    const { status, html } = await page('/ui/statements/accounts/acct-1');
    expect(status).toBe(200);
    expect(html).toContain('<h1>Account acct-1</h1>');
    for (const figure of ['39.74', '35.25', '-15.38']) expect(html).toContain(`<dd>${figure}</dd>`);
    const config = JSON.parse(
      html.match(/<script type="application\/json" id="account-months-config">(.*?)<\/script>/)?.[1] ?? '{}',
    );
    expect(config.data.labels).toEqual(['Jul 2024', 'Aug 2024']);
    expect(config.data.datasets.map((d: { label: string; data: number[] }) => [d.label, d.data])).toEqual([
      ['Credits', [60.5, 10]],
      ['Debits', [-10.3, -20.46]],
      ['Transactions', [2, 2]],
    ]);
    expect(html).toMatch(
      /<tr data-month="2024-07"><th scope="row">Jul 2024<\/th><td class="num">2<\/td><td class="num">1<\/td><td class="num">60.50<\/td><td class="num">60.50<\/td><td class="num">1<\/td><td class="num">-10.30<\/td><td class="num">-10.30<\/td>/,
    );
    const email = (await dashboard.fabric.outbox.list()).find((e) => e.to.includes('ana@example.com'));
    expect(html).toContain(`href="/ui/outbox/${email?.id}"`);
    expect(html).toContain(`<iframe class="email" sandbox="" src="/ui/outbox/${email?.id}/html"`);
  });

  it('asks for the holder of an account waiting for an email, and saves it from the form', async () => {
    const waiting = await page('/ui/statements/accounts/3');
    expect(waiting.html).toContain('1 statement of this account waits in the dead-letter queue');
    expect(waiting.html).toContain('<details open="">');
    expect(waiting.html).toContain('value="3"');

    const refused = await dashboard.postForm('/ui/statements/accounts', {
      accountId: 'a b',
      email: 'not-an-email',
      name: '<script>x</script>',
    });
    expect(refused.status).toBe(400);
    const refusedHtml = await refused.text();
    expect(refusedHtml).toContain(
      'The account was not saved. Account id: no spaces or slashes; Email: not an email address.',
    );
    expect(refusedHtml).toContain('value="&lt;script&gt;x&lt;/script&gt;"');
    expect(refusedHtml).not.toContain('<script>x');

    const saved = await dashboard.postForm('/ui/statements/accounts', {
      accountId: '3',
      email: 'three@example.com',
      name: 'Three',
    });
    expect(saved.status).toBe(303);
    expect(saved.headers.get('location')).toBe('/ui/statements/accounts/3?saved=1');
    const after = await page('/ui/statements/accounts/3?saved=1');
    expect(after.html).toContain('Saved the holder of account 3.');
    expect(after.html).toContain(
      'The address is known now: <a href="/ui/queues">replay them on the Queues page</a>',
    );

    await dashboard.services.api.deadLetters.replay('all');
    expect(await dashboard.fabric.dispatcher.settle()).toEqual({ settled: true });
    const sent = await page('/ui/statements/accounts/3');
    expect(sent.html).not.toContain('dead-letter queue');
    expect(sent.html).toContain('Emails sent to three@example.com');
    expect(sent.html).toMatch(/<tr data-email="statement-3-/);
  });

  it.each([
    ['/ui/statements/accounts/a%20b', 400, 'Bad account id in the path: no spaces or slashes.'],
    [
      '/ui/statements/accounts/nobody',
      404,
      'No account &quot;nobody&quot;: no holder registered and no transactions stored.',
    ],
    [
      '/ui/statements/accounts/acct-1?saved=yes',
      400,
      'query parameter &quot;saved&quot;: only saved=1 is known',
    ],
    ['/ui/statements/file', 400, 'query parameter &quot;key&quot;: missing'],
    ['/ui/statements/file?key=none.csv', 404, 'No file &quot;none.csv&quot; in bucket transactions.'],
    ['/ui/statements/file?key=..%2Fx.csv', 400, '&quot;..&quot; segments are not allowed'],
  ])('answers %s with %i and says what is wrong', async (path, status, message) => {
    const response = await page(path);
    expect(response.status).toBe(status);
    expect(response.html).toContain(message);
  });
});
