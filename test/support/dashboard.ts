import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Hono } from 'hono';
import { createDashboard } from '../../src/dashboard/app.js';
import type { DashboardServices } from '../../src/dashboard/services.js';
import { dashboardServices } from '../../src/runtime/dashboard-services.js';
import { type Fabric, type FabricOptions, openFabric } from '../../src/runtime/fabric.js';

export const ORIGIN = 'http://127.0.0.1:4000';

/**
 * The dashboard app over an embedded fabric on a new temp data dir, in-process (`app.request`),
 * and `request`, which sends the session cookie of a signed-in operator and a same-origin
 * `Origin` on forms. `close` stops the fabric and removes the data dir.
 *
 * @example
 * const { request, fabric, close } = await openTestDashboard('queues-page');
 * const page = await request('/ui/queues');
 * expect(await page.text()).toContain('statements-notify-dlq');
 */
export async function openTestDashboard(name: string, options: Partial<FabricOptions> = {}) {
  const dataDir = await mkdtemp(join(tmpdir(), `tributary-${name}-`));
  const fabric: Fabric = await openFabric({
    dataDir,
    databaseUrl: undefined,
    smtpUrl: undefined,
    mailFrom: 'statements@tributary.test',
    ...options,
  });
  const services: DashboardServices = dashboardServices(fabric);
  const app: Hono = createDashboard(services);
  const signedIn = await app.request(`${ORIGIN}/ui/sign-in`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: ORIGIN },
    body: new URLSearchParams({ token: fabric.adminToken, next: '/' }).toString(),
  });
  const cookie = signedIn.headers.get('set-cookie')?.split(';')[0];
  if (signedIn.status !== 303 || !cookie) throw new Error(`sign-in failed: ${signedIn.status}`);

  /** A request as the signed-in operator's browser sends it. */
  const request = (path: string, init: RequestInit = {}) => {
    const headers = new Headers(init.headers);
    headers.set('cookie', cookie);
    if (!headers.has('accept')) headers.set('accept', 'text/html');
    if (init.method && init.method !== 'GET' && !headers.has('origin')) headers.set('origin', ORIGIN);
    return app.request(`${ORIGIN}${path}`, { ...init, headers });
  };
  /** Posts an HTML form as the browser does. */
  const postForm = (path: string, fields: Record<string, string> = {}) =>
    request(path, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(fields).toString(),
    });
  return {
    app,
    fabric,
    services,
    dataDir,
    request,
    postForm,
    async close() {
      await fabric.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
