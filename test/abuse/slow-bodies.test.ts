import { readdir } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AbuseServer, asAdmin, expectHealthy, send, startAbuseServer } from '../support/abuse.js';

// Short limits, so each cut-off takes about a second; the defaults are the same code, longer.
const TIMEOUTS = { headersMs: 1000, requestMs: 3000, bodyIdleMs: 1000 };

let server: AbuseServer;

beforeAll(async () => {
  server = await startAbuseServer('slow', { server: { timeouts: TIMEOUTS } });
});
afterAll(() => server?.close());

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A raw connection: what a slow or malicious client writes, byte by byte if it likes. */
interface RawClient {
  socket: Socket;
  /** What the server sent so far. */
  received(): string;
  /** Resolves when the server closes the connection: after how long, and what it sent. */
  closed: Promise<{ afterMs: number; received: string }>;
}

async function rawClient(): Promise<RawClient> {
  const socket = connect(server.port, '127.0.0.1');
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  const opened = Date.now();
  let received = '';
  socket.on('data', (chunk) => {
    received += chunk.toString();
  });
  // A reset is one way of being cut off.
  socket.on('error', () => {});
  const closed = new Promise<{ afterMs: number; received: string }>((resolve) =>
    socket.once('close', () => resolve({ afterMs: Date.now() - opened, received })),
  );
  return { socket, received: () => received, closed };
}

const putHead = (key: string, length: number) =>
  `PUT /buckets/transactions/objects/${key} HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\n` +
  `Authorization: ${server.admin.authorization}\r\nContent-Type: text/csv\r\nContent-Length: ${length}\r\n\r\n`;

const incomingFiles = () => readdir(join(server.dataDir, 'buckets', '.incoming')).catch(() => []);

describe('slow request bodies', () => {
  it('cuts off a body that stalls, and serves other clients meanwhile', async () => {
    const client = await rawClient();
    client.socket.write(`${putHead('stalled.csv', 1_000_000)}Id,Date,Amount\n`);
    // While the stalled upload holds its connection, the server answers others: they are done
    // before the stall is cut off, not after.
    let cutOff = false;
    void client.closed.then(() => {
      cutOff = true;
    });
    await expectHealthy(server);
    const other = await asAdmin(server, 'PUT', '/buckets/transactions/objects/other.csv', {
      body: 'Id,Date,Amount\n',
    });
    expect(other.status).toBe(200);
    expect(cutOff).toBe(false);

    const { afterMs } = await client.closed;
    expect(afterMs).toBeGreaterThanOrEqual(TIMEOUTS.bodyIdleMs - 50);
    expect(afterMs).toBeLessThan(TIMEOUTS.requestMs);
    // The partial upload left nothing behind: no object, no temp file.
    expect((await asAdmin(server, 'GET', '/buckets/transactions/objects/stalled.csv')).status).toBe(404);
    await expect.poll(incomingFiles).toEqual([]);
    await expectHealthy(server);
  });

  it('cuts off a body trickled a byte at a time when the request time runs out, with 408', async () => {
    const client = await rawClient();
    client.socket.write(putHead('trickled.csv', 1_000_000));
    const trickle = setInterval(() => client.socket.write('9'), TIMEOUTS.bodyIdleMs / 5);
    const { afterMs, received } = await client.closed;
    clearInterval(trickle);
    expect(afterMs).toBeGreaterThanOrEqual(TIMEOUTS.requestMs - 50);
    expect(afterMs).toBeLessThan(TIMEOUTS.requestMs + 2000);
    expect(received).toMatch(/^HTTP\/1\.1 408 /);
    expect((await asAdmin(server, 'GET', '/buckets/transactions/objects/trickled.csv')).status).toBe(404);
    await expectHealthy(server);
  });

  it('cuts off headers sent a byte at a time (slowloris) when the headers time runs out, with 408', async () => {
    const client = await rawClient();
    const head = `GET /health HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nX-Slow: `;
    client.socket.write(head);
    const trickle = setInterval(() => client.socket.write('x'), TIMEOUTS.bodyIdleMs / 5);
    const { afterMs, received } = await client.closed;
    clearInterval(trickle);
    expect(afterMs).toBeGreaterThanOrEqual(TIMEOUTS.headersMs - 50);
    expect(afterMs).toBeLessThan(TIMEOUTS.requestMs);
    expect(received).toMatch(/^HTTP\/1\.1 408 /);
    await expectHealthy(server);
  });

  it('cuts off a sign-in form that stalls, before any token is checked', async () => {
    const client = await rawClient();
    client.socket.write(
      `POST /ui/sign-in HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nContent-Type: application/x-www-form-urlencoded\r\n` +
        `Origin: ${server.url}\r\nContent-Length: 1000\r\n\r\ntoken=`,
    );
    const { afterMs, received } = await client.closed;
    expect(afterMs).toBeGreaterThanOrEqual(TIMEOUTS.bodyIdleMs - 50);
    expect(afterMs).toBeLessThan(TIMEOUTS.requestMs);
    // Cut off mid-form: no answer at all, so no session either.
    expect(received).toBe('');
    await expectHealthy(server);
  });

  it('lets a slow but steady upload finish, however long it takes past the idle limit', async () => {
    const lines = Array.from({ length: 4 }, (_, i) => `${i + 1},7/${i + 1},+1.00\n`);
    const body = `Id,Date,Amount\n${lines.join('')}`;
    const client = await rawClient();
    client.socket.write(putHead('steady.csv', Buffer.byteLength(body)));
    client.socket.write('Id,Date,Amount\n');
    for (const line of lines) {
      await sleep(TIMEOUTS.bodyIdleMs / 2);
      client.socket.write(line);
    }
    await expect.poll(client.received, { timeout: 5000 }).toMatch(/^HTTP\/1\.1 200 /);
    client.socket.destroy();
    const stored = await asAdmin(server, 'GET', '/buckets/transactions/objects/steady.csv');
    expect(stored.text).toBe(body);
  });

  it('answers a request the server takes longer than the idle limit to handle', async () => {
    // Hold the database (one connection) for a while: the request waits for it, silently.
    const busy = server.fabric.db.transaction(() => sleep(TIMEOUTS.bodyIdleMs * 2));
    const response = await send(server, 'GET', '/accounts', { headers: server.admin });
    await busy;
    expect(response.status).toBe(200);
  });
});
