import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../src/runtime/clock.js';
import { datasets } from './support/cli.js';
import { openTestDashboard } from './support/dashboard.js';

const SCRIPT_ACCOUNT = '<script>alert(1)</script>';

describe('dashboard queues and dead letters', () => {
  const clock = new ManualClock('2024-09-01T10:00:00Z');
  let dashboard: Awaited<ReturnType<typeof openTestDashboard>>;

  /** Uploads a statements dataset as a user would and waits for the pipeline to settle. */
  const upload = async (name: string, key: string, metadata: Record<string, string> = {}) => {
    const body = await readFile(join(datasets, 'statements', name));
    await dashboard.services.api.putObject({ bucket: 'transactions', key, body, metadata });
    expect(await dashboard.fabric.dispatcher.settle()).toEqual({ settled: true });
  };
  const letters = (queue: string) =>
    dashboard.services.api.deadLetters.list().then((all) => all.filter((l) => l.queue === queue));
  const page = async (path: string, status = 200) => {
    const response = await dashboard.request(path);
    const html = await response.text();
    expect(response.status, html).toBe(status);
    return html;
  };

  beforeAll(async () => {
    dashboard = await openTestDashboard('dashboard-queues', { clock });
    // No email is known for accounts 1 to 4, nor for the one named by markup: five dead letters.
    await upload('accountid-datetime.csv', 'uploads/accountid-datetime.csv');
    await upload('challenge-sample.csv', 'uploads/challenge.csv', {
      'account-id': SCRIPT_ACCOUNT,
      year: '2024',
    });
  });
  afterAll(() => dashboard.close());

  it('lists every topology queue with its counts, redrive settings, and the stream', async () => {
    const html = await page('/ui/queues');
    for (const queue of Object.keys(dashboard.fabric.topology.queues))
      expect(html).toContain(`data-queue="${queue}"`);
    expect(html).toContain('Summaries that could not be sent (for example: no email known)');
    expect(html).toMatch(
      /to <a href="\/ui\/queues\/statements-notify-dlq">statements-notify-dlq<\/a> after 3 receives/,
    );
    expect(html).toContain('dead letters of stream events (events-consume)');
    expect(html).toMatch(/data-queue="statements-notify-dlq"[\s\S]*?data-count="visible">5</);
    expect(html).toContain('Stream events');
    expect(html).toContain('4 shards');
    const live = await page('/ui/queues/live?part=queues');
    expect(live).not.toContain('<html');
    expect(live).toMatch(
      /^<div id="queues-live" hx-get="\/ui\/queues\/live\?part=queues" hx-trigger="every 2s"/,
    );
    expect(await page('/ui/queues/live?part=streams')).toContain('Stream events');
    expect(await page('/ui/queues/live', 400)).toContain('Bad query parameter &quot;part&quot;');
  });

  it('shows each dead letter with its source, receive count, time, error and body', async () => {
    const html = await page('/ui/queues');
    const held = await letters('statements-notify-dlq');
    expect(held).toHaveLength(5);
    const letter = held.find((l) => l.lastError?.includes('account "2"'));
    expect(html).toContain(`data-message="${letter?.messageId}"`);
    expect(html).toContain('2024-09-01 10:00:00 UTC');
    expect(html).toContain('no email known for account &quot;2&quot;');
    // The body is an EventBridge event: pretty-printed JSON, folded.
    expect(html).toMatch(
      /<summary>Body \(JSON, [\d.]+ k?B\)<\/summary><pre class="json">\{\n {2}&quot;version&quot;/,
    );
    expect(html).toContain(`aria-label="Replay message ${letter?.messageId.slice(0, 8)}"`);
    expect(html).toContain('aria-label="Replay all 5 messages of statements-notify-dlq"');
    expect(html).toContain('aria-label="Purge all 5 messages of statements-notify-dlq"');
  });

  it('escapes markup that came in with the data', async () => {
    const html = await page('/ui/queues/statements-notify-dlq');
    expect(html).not.toContain(SCRIPT_ACCOUNT);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
  });

  it('shows a work queue with its counts and no messages, and its dead-letter queue', async () => {
    const html = await page('/ui/queues/statements-notify');
    expect(html).toContain('Summaries to send to account holders');
    expect(html).toContain('statements-notify (batches of');
    expect(html).toContain('statements-summarized');
    expect(html).toContain('Messages of work queues are not listed');
    expect(html).not.toContain('Replay');
  });

  it('replays one message, which is delivered once the account has an email', async () => {
    const letter = (await letters('statements-notify-dlq')).find((l) => l.lastError?.includes('account "2"'));
    await dashboard.services.api.statements.upsertAccount({
      accountId: '2',
      email: 'two@example.com',
      name: 'Two',
    });
    const response = await dashboard.postForm(
      `/ui/queues/statements-notify-dlq/messages/${letter?.messageId}/replay`,
      { back: 'queue' },
    );
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe('/ui/queues/statements-notify-dlq?done=replayed&count=1');
    expect(await page(response.headers.get('location') as string)).toContain('Replayed 1 message:');
    await dashboard.fabric.dispatcher.settle();
    expect(await letters('statements-notify-dlq')).toHaveLength(4);
    const sent = await dashboard.services.api.outbox.list();
    expect(sent.filter((e) => e.to.includes('two@example.com'))).toHaveLength(1);
  });

  it('answers 404 for an unknown message or queue, and 400 for replaying a work queue', async () => {
    const unknown = await dashboard.postForm('/ui/queues/statements-notify-dlq/messages/no-such-id/replay');
    expect(unknown.status).toBe(404);
    expect(await unknown.text()).toContain('No dead letter &quot;no-such-id&quot; in statements-notify-dlq');
    const noQueue = await dashboard.postForm('/ui/queues/nope/replay');
    expect(noQueue.status).toBe(404);
    expect(await noQueue.text()).toContain('No queue &quot;nope&quot;. The queues are: statements-ingest');
    expect(await page('/ui/queues/nope', 404)).toContain('No queue &quot;nope&quot;');
    const work = await dashboard.postForm('/ui/queues/statements-notify/replay');
    expect(work.status).toBe(400);
    expect(await work.text()).toContain('only dead-letter queues can be replayed here');
  });

  it('replays all of one dead-letter queue and leaves the others alone', async () => {
    const other = await dashboard.fabric.queues.sendDeadLetter('loader-dlq', {
      body: '{"file":"stage/x.csv"}',
      traceId: null,
      source: 'loader',
      error: 'disk full',
      receiveCount: 3,
    });
    const response = await dashboard.postForm('/ui/queues/statements-notify-dlq/replay');
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe('/ui/queues?done=replayed&count=4');
    expect(await page('/ui/queues?done=replayed&count=4')).toContain('Replayed 4 messages:');
    expect((await letters('loader-dlq')).map((l) => l.messageId)).toEqual([other]);
    // Still no email for them: they fail again and come back to the DLQ.
    await dashboard.fabric.dispatcher.settle();
    expect(await letters('statements-notify-dlq')).toHaveLength(4);
  });

  it('purges a dead-letter queue, and refuses to purge a work queue or an unknown one', async () => {
    const work = await dashboard.postForm('/ui/queues/statements-notify/purge', { back: 'queue' });
    expect(work.status).toBe(400);
    expect(await work.text()).toContain(
      '&quot;statements-notify&quot; is a work queue, not a dead-letter queue: only dead-letter queues can be purged here',
    );
    expect((await dashboard.postForm('/ui/queues/nope/purge')).status).toBe(404);

    const purged = await dashboard.postForm('/ui/queues/statements-notify-dlq/purge', { back: 'queue' });
    expect(purged.status).toBe(303);
    expect(purged.headers.get('location')).toBe('/ui/queues/statements-notify-dlq?done=purged&count=4');
    const html = await page(purged.headers.get('location') as string);
    expect(html).toContain('Purged 4 messages.');
    expect(html).toContain('No dead letters of statements-notify.');
    expect(await letters('loader-dlq')).toHaveLength(1);
  });

  it('refuses a bad result query, a bad form field and a cross-site form', async () => {
    expect(await page('/ui/queues?done=exploded&count=1', 400)).toContain(
      'Bad query parameter &quot;done&quot;',
    );
    expect(await page('/ui/queues?done=purged&count=-1', 400)).toContain(
      'Bad query parameter &quot;count&quot;',
    );
    const back = await dashboard.postForm('/ui/queues/loader-dlq/purge', { back: 'https://evil.example' });
    expect(back.status).toBe(400);
    expect(await back.text()).toContain('Bad form field &quot;back&quot;');
    const forged = await dashboard.request('/ui/queues/loader-dlq/purge', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'https://evil.example' },
      body: '',
    });
    expect(forged.status).toBe(403);
    expect(await letters('loader-dlq')).toHaveLength(1);
  });
});
