import { setTimeout as sleep } from 'node:timers/promises';
import { createApp } from '../api/app.js';
import { ensureAdminToken } from '../runtime/admin-token.js';
import { apiServices } from '../runtime/api-services.js';
import { loadConfig, type RuntimeConfig } from '../runtime/config.js';
import { readDataDirOwner } from '../runtime/data-dir-lock.js';
import { openFabric } from '../runtime/fabric.js';

export interface RequestOptions {
  json?: unknown;
  body?: RequestInit['body'];
  headers?: Record<string, string>;
}

/**
 * Where CLI commands send their requests: the local server that owns the data dir, or, when
 * none runs, the same API in-process over a fabric opened for this one command.
 */
export interface Backend {
  readonly mode: 'server' | 'remote' | 'in-process';
  request(method: string, path: string, options?: RequestOptions): Promise<Response>;
  /** Waits until the work of a trace (or all work, in-process) has settled. */
  settle(traceId?: string): Promise<{ settled: boolean }>;
  close(): Promise<void>;
}

export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

function buildRequest(url: string, token: string, method: string, options: RequestOptions): Request {
  const headers = new Headers(options.headers);
  headers.set('authorization', `Bearer ${token}`);
  let body = options.body;
  if (options.json !== undefined) {
    headers.set('content-type', 'application/json');
    body = JSON.stringify(options.json);
  }
  return new Request(url, {
    method,
    headers,
    ...(body === undefined ? {} : { body, duplex: 'half' }),
  } as RequestInit);
}

/**
 * A deployed API (`TRIBUTARY_API_URL`, e.g. the HTTP API of the AWS stack) with the token in
 * `TRIBUTARY_TOKEN`. It has no trace route: `--wait` cannot follow the work there.
 */
function remoteBackend(apiUrl: string, token: string | undefined): Backend {
  let base: URL;
  try {
    base = new URL(apiUrl);
  } catch {
    throw new CliError(
      `TRIBUTARY_API_URL "${apiUrl}" is not a URL (e.g. https://abc123.execute-api.eu-west-1.amazonaws.com)`,
    );
  }
  if (base.protocol !== 'https:' && base.protocol !== 'http:') {
    throw new CliError(`TRIBUTARY_API_URL must be http:// or https://, got ${base.protocol}`);
  }
  if (!token) throw new CliError('TRIBUTARY_API_URL is set: set TRIBUTARY_TOKEN to the API token too');
  const root = base.toString().replace(/\/$/, '');
  return {
    mode: 'remote',
    request: (method, path, options = {}) => fetch(buildRequest(`${root}${path}`, token, method, options)),
    settle: async () => ({ settled: false }),
    close: async () => {},
  };
}

export async function connect(configOptions: Partial<RuntimeConfig>): Promise<Backend> {
  const apiUrl = process.env.TRIBUTARY_API_URL?.trim();
  if (apiUrl) return remoteBackend(apiUrl, process.env.TRIBUTARY_TOKEN?.trim());
  const config = loadConfig(process.env, configOptions);
  const owner = await readDataDirOwner(config.dataDir);
  if (owner?.url) {
    const token = await ensureAdminToken(config.dataDir);
    const base = owner.url;
    return {
      mode: 'server',
      request: (method, path, options = {}) => fetch(buildRequest(`${base}${path}`, token, method, options)),
      async settle(traceId) {
        if (!traceId) return { settled: true };
        const deadline = Date.now() + 15 * 60_000;
        while (Date.now() < deadline) {
          const response = await fetch(buildRequest(`${base}/traces/${traceId}`, token, 'GET', {}));
          const status = (await response.json()) as { settled: boolean };
          if (status.settled) return { settled: true };
          await sleep(100);
        }
        return { settled: false };
      },
      close: async () => {},
    };
  }
  const fabric = await openFabric(config);
  const app = createApp(apiServices(fabric));
  return {
    mode: 'in-process',
    request: async (method, path, options = {}) =>
      app.request(buildRequest(`http://local${path}`, fabric.adminToken, method, options)),
    async settle(traceId) {
      const options = {
        ...(traceId ? { traceId } : {}),
        sleep: (ms: number) => sleep(ms),
        timeoutMs: 15 * 60_000,
      };
      await fabric.dispatcher.settle(options);
      // Executions the command started run to their end before the fabric closes.
      await fabric.workflows.settle();
      return fabric.dispatcher.settle(options);
    },
    close: () => fabric.close(),
  };
}

/** Sends a request and returns its JSON, turning an API error into a CliError with its message. */
export async function call<T>(
  backend: Backend,
  method: string,
  path: string,
  options?: RequestOptions,
): Promise<T> {
  const response = await backend.request(method, path, options);
  const text = await response.text();
  let payload: unknown;
  try {
    payload = text ? JSON.parse(text) : undefined;
  } catch {
    payload = undefined;
  }
  if (!response.ok) {
    const error = (payload as { error?: { message?: string } } | undefined)?.error;
    throw new CliError(error?.message ?? `${method} ${path} failed with HTTP ${response.status}`);
  }
  return payload as T;
}
