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

let server: AbuseServer;

beforeAll(async () => {
  server = await startAbuseServer('concurrent');
});
afterAll(() => server?.close());

const API_UPLOADS = 40;
const DASHBOARD_UPLOADS = 10;
const accountOf = (n: number) => `acct-c${String(n).padStart(2, '0')}`;

/** Three transactions for account n; the amounts make every balance distinct. */
const fileOf = (n: number) =>
  `Id,Date,Amount,AccountId\n1,7/1,+${n}.00,${accountOf(n)}\n2,7/2,-1.00,${accountOf(n)}\n3,8/3,+0.50,${accountOf(n)}\n`;

describe('many concurrent uploads', () => {
  it(`stores and processes ${API_UPLOADS + DASHBOARD_UPLOADS} parallel uploads exactly once each`, async () => {
    const total = API_UPLOADS + DASHBOARD_UPLOADS;
    for (let n = 0; n < total; n++) {
      const holder = { email: `${accountOf(n)}@example.com`, name: `Holder ${n}` };
      expect((await postJson(server, 'PUT', `/accounts/${accountOf(n)}`, holder)).status).toBe(200);
    }
    const session = await dashboardSession(server);
    const year = { 'x-amz-meta-year': '2024' };
    const responses = await Promise.all(
      Array.from({ length: total }, (_, n) =>
        n < API_UPLOADS
          ? asAdmin(server, 'PUT', `/buckets/transactions/objects/concurrent/${n}.csv`, {
              headers: { 'content-type': 'text/csv', ...year },
              body: fileOf(n),
            })
          : send(server, 'POST', `/ui/buckets/transactions/upload?key=concurrent/${n}.csv`, {
              headers: { ...session, 'content-type': 'text/csv' },
              body: fileOf(n),
            }),
      ),
    );
    expect(responses.map((r) => r.status)).toEqual(
      Array.from({ length: total }, (_, n) => (n < API_UPLOADS ? 200 : 201)),
    );

    // Every statement is emailed once: the pipeline ran to its end for each file.
    await expect
      .poll(async () => (await server.fabric.outbox.list()).length, { timeout: 30_000, interval: 100 })
      .toBe(total);
    const listed = (await asAdmin(server, 'GET', '/buckets/transactions/objects?prefix=concurrent/')).json<{
      objects: { key: string }[];
    }>();
    expect(listed.objects).toHaveLength(total);
    for (let n = 0; n < total; n++) {
      const report = await asAdmin(server, 'GET', `/statements/files?key=concurrent/${n}.csv`);
      // Inserted once and never seen again: a second run would report duplicates.
      expect(report.json()).toMatchObject({ status: 'processed', accepted: 3, inserted: 3, duplicates: 0 });
      const summary = await asAdmin(server, 'GET', `/statements/accounts/${accountOf(n)}/summary`);
      expect(summary.json()).toMatchObject({
        transactionCount: 3,
        balance: ((n * 100 - 50) / 100).toFixed(2),
      });
    }
    const recipients = (await server.fabric.outbox.list()).flatMap((email) => email.to).sort();
    expect(recipients).toEqual(Array.from({ length: total }, (_, n) => `${accountOf(n)}@example.com`).sort());
    expect((await asAdmin(server, 'GET', '/dlq')).json<{ messages: unknown[] }>().messages).toEqual([]);
    await expectHealthy(server);
  });
});
