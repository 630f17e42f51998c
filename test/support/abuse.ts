import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { expect } from 'vitest';
import { type Fabric, type FabricOptions, openFabric } from '../../src/runtime/fabric.js';
import { type LocalServerOptions, startLocalServer } from '../../src/runtime/server.js';

/** A local server (API, dashboard, dispatcher) on a new data dir and a free loopback port. */
export interface AbuseServer {
  url: string;
  port: number;
  dataDir: string;
  fabric: Fabric;
  /** `Authorization: Bearer <admin token>`. */
  admin: Record<string, string>;
  close(): Promise<void>;
}

/**
 * Starts the real local server, as `tributary dev` does, in this process: abuse goes through
 * Node's HTTP parser and the Hono adapter, not `app.request`.
 */
export async function startAbuseServer(
  name: string,
  options: { fabric?: Partial<FabricOptions>; server?: Omit<LocalServerOptions, 'host' | 'port'> } = {},
): Promise<AbuseServer> {
  const dataDir = await mkdtemp(join(tmpdir(), `tributary-abuse-${name}-`));
  const fabric = await openFabric({
    dataDir,
    databaseUrl: undefined,
    smtpUrl: undefined,
    mailFrom: 'statements@tributary.test',
    ...options.fabric,
  });
  const server = await startLocalServer(fabric, { ...options.server, host: '127.0.0.1', port: 0 });
  return {
    url: server.url,
    port: server.port,
    dataDir,
    fabric,
    admin: { authorization: `Bearer ${fabric.adminToken}` },
    async close() {
      await server.close();
      await fabric.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

export interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  /** The body as JSON (throws when it is not). */
  json<T = { error: { code: string; message: string } }>(): T;
}

/**
 * Sends one request with the path exactly as given: `fetch` would resolve `..` and `%2e%2e`
 * segments before sending, and a traversal test must put them on the wire.
 */
export function send(
  server: { port: number },
  method: string,
  path: string,
  init: { headers?: Record<string, string>; body?: string | Buffer } = {},
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: '127.0.0.1', port: server.port, method, path, headers: init.headers, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json: () => JSON.parse(text) });
        });
      },
    );
    req.on('error', reject);
    req.end(init.body);
  });
}

/** `send` with the admin token. */
export const asAdmin = (
  server: AbuseServer,
  method: string,
  path: string,
  init: { headers?: Record<string, string>; body?: string | Buffer } = {},
) => send(server, method, path, { ...init, headers: { ...server.admin, ...init.headers } });

/** `send` with a JSON body and the admin token. */
export const postJson = (server: AbuseServer, method: string, path: string, value: unknown) =>
  asAdmin(server, method, path, {
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(value),
  });

/**
 * Signs in to the dashboard with the admin token, as the form does, and returns the headers a
 * signed-in browser sends: the session cookie and a same-origin `Origin`.
 */
export async function dashboardSession(server: AbuseServer): Promise<Record<string, string>> {
  const response = await send(server, 'POST', '/ui/sign-in', {
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: server.url },
    body: new URLSearchParams({ token: server.fabric.adminToken, next: '/' }).toString(),
  });
  const cookie = String(response.headers['set-cookie']?.[0] ?? '').split(';')[0];
  if (response.status !== 303 || !cookie) throw new Error(`sign-in failed: ${response.status}`);
  return { cookie, origin: server.url, accept: 'text/html' };
}

/**
 * What every abuse test ends with: the server still answers `/health` and a normal
 * authenticated request, on a new connection.
 */
export async function expectHealthy(server: AbuseServer): Promise<void> {
  const health = await send(server, 'GET', '/health');
  expect(health.status).toBe(200);
  expect(health.json()).toEqual({ status: 'ok' });
  const normal = await asAdmin(server, 'GET', '/buckets/transactions/objects');
  expect(normal.status).toBe(200);
}

/**
 * Every file under `dir` (relative paths, sorted), except the database's own folder, which
 * changes on its own: what a test compares before and after an abuse to see nothing was written.
 */
export async function filesUnder(dir: string, except: readonly string[] = ['pgdata']): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)))
    .filter((path) => !except.some((skip) => path === skip || path.startsWith(`${skip}/`)))
    .sort();
}

/** The error code and message of a JSON refusal, for `toMatchObject`. */
export const refusal = (code: string, message: RegExp | string = /./) => ({
  error: {
    code,
    message: typeof message === 'string' ? expect.stringContaining(message) : expect.stringMatching(message),
  },
});
