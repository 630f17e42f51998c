import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { createApp } from '../api/app.js';
import { createDashboard, isDashboardPath } from '../dashboard/app.js';
import { dashboardServices } from './dashboard-services.js';
import type { Fabric } from './fabric.js';
import { refuseBadRequestTarget } from './request-target.js';
import {
  cutOffStalledBodies,
  DEFAULT_REQUEST_TIMEOUTS,
  type RequestTimeouts,
  timeoutServerOptions,
} from './request-timeouts.js';

export class UnsafeListenError extends Error {
  constructor(host: string) {
    super(`refusing to listen on ${host} without tokens: drop --no-auth, or listen on 127.0.0.1`);
    this.name = 'UnsafeListenError';
  }
}

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

export interface LocalServerOptions {
  host?: string;
  port?: number;
  auth?: boolean;
  /** How long a slow or stalled client may take (default {@link DEFAULT_REQUEST_TIMEOUTS}). */
  timeouts?: Partial<RequestTimeouts>;
}

export interface LocalServer {
  url: string;
  /** Opens the dashboard signed in (`/ui/sign-in?token=…`); null when the server needs no token. */
  signInUrl: string | null;
  port: number;
  close(): Promise<void>;
}

/**
 * Serves the API over HTTP and runs the fabric's dispatcher in the background. The server's
 * URL is recorded in the data-dir lock, so the CLI finds it and talks to it.
 */
export async function startLocalServer(
  fabric: Fabric,
  options: LocalServerOptions = {},
): Promise<LocalServer> {
  const host = options.host ?? '127.0.0.1';
  const auth = options.auth ?? true;
  if (!auth && !isLoopback(host)) throw new UnsafeListenError(host);
  const services = dashboardServices(fabric, () => fabric.dispatcher.nudge());
  const api = createApp(services.api, { auth });
  const dashboard = createDashboard(services, { auth });
  // `/` and `/ui/…` are the dashboard's (cookie sessions); every other path is the API's (bearer).
  const fetch = (request: Request) =>
    isDashboardPath(new URL(request.url).pathname) ? dashboard.fetch(request) : api.fetch(request);
  const timeouts = { ...DEFAULT_REQUEST_TIMEOUTS, ...options.timeouts };
  const server = await new Promise<ReturnType<typeof serve>>((resolve, reject) => {
    const created = serve(
      {
        fetch,
        hostname: host,
        port: options.port ?? 4000,
        serverOptions: timeoutServerOptions(timeouts),
        // Raw request targets are checked before the adapter turns them into a URL.
        createServer: ((serverOptions, listener) =>
          createServer(serverOptions, (req, res) => {
            if (!refuseBadRequestTarget(req, res)) listener?.(req, res);
          })) as typeof createServer,
      },
      () => resolve(created),
    );
    created.once('error', reject);
  });
  cutOffStalledBodies(server as Server, timeouts.bodyIdleMs);
  const port = (server.address() as AddressInfo).port;
  const url = `http://${host.includes(':') && !host.startsWith('[') ? `[${host}]` : host}:${port}`;
  await fabric.lock.update({ url, port });
  fabric.dispatcher.start();
  fabric.scheduler.start();
  return {
    url,
    signInUrl: auth ? `${url}/ui/sign-in?token=${encodeURIComponent(fabric.adminToken)}` : null,
    port,
    async close() {
      await fabric.scheduler.stop();
      await fabric.dispatcher.stop();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
