import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { csrf } from 'hono/csrf';
import { HTTPException } from 'hono/http-exception';
import { secureHeaders } from 'hono/secure-headers';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { knownErrors } from '../api/app.js';
import { registerAssets } from './assets.js';
import { Notice } from './components.js';
import { Page } from './layout.js';
import { registerBucketPages } from './pages/buckets.js';
import { registerEventPages } from './pages/events.js';
import { registerLoaderPages } from './pages/loader.js';
import { registerOrderPages } from './pages/orders.js';
import { registerOutboxPages } from './pages/outbox.js';
import { registerOverviewPages } from './pages/overview.js';
import { registerQueuePages } from './pages/queues.js';
import { registerSignInPages } from './pages/sign-in.js';
import { registerStatementPages } from './pages/statements.js';
import type { DashboardServices } from './services.js';
import { hasSession } from './session.js';

export interface DashboardOptions {
  /** Require sign-in with the admin token (default). `false` only on loopback, as the API. */
  auth?: boolean;
}

/** A page module: registers its routes under `/ui/<section>` (the overview also takes `/`). */
export type RegisterPages = (app: Hono, services: DashboardServices) => void;

const pages: RegisterPages[] = [
  registerOverviewPages,
  registerBucketPages,
  registerStatementPages,
  registerEventPages,
  registerOrderPages,
  registerLoaderPages,
  registerQueuePages,
  registerOutboxPages,
];

/** Whether a path belongs to the dashboard (the rest of the server is the API). */
export const isDashboardPath = (path: string): boolean => path === '/' || path.startsWith('/ui/');

/**
 * Largest form the dashboard reads (sign-in, an account, a replay: well under 1 KiB each). Forms
 * are parsed in memory, and sign-in reads one before any token is checked.
 */
export const MAX_FORM_BYTES = 64 * 1024;

/** Uploads stream to disk with the object limit (`POST /ui/buckets/:bucket/upload`). */
const isUpload = (path: string) => /^\/ui\/buckets\/[^/]+\/upload$/.test(path);

const formLimit = bodyLimit({
  maxSize: MAX_FORM_BYTES,
  onError: () => {
    throw new HTTPException(413, {
      message: `Too large: dashboard forms are limited to ${MAX_FORM_BYTES} bytes.`,
    });
  },
});

/** Paths that set their own, stricter headers: a captured email's HTML, shown in a sandbox. */
const ownHeaders = (path: string) => /^\/ui\/outbox\/[^/]+\/html$/.test(path);

const dashboardHeaders = secureHeaders({
  contentSecurityPolicy: {
    defaultSrc: ["'self'"],
    scriptSrc: ["'self'"],
    styleSrc: ["'self'"],
    imgSrc: ["'self'", 'data:'],
    connectSrc: ["'self'"],
    frameSrc: ["'self'"],
    objectSrc: ["'none'"],
    baseUri: ["'none'"],
    formAction: ["'self'"],
    frameAncestors: ["'none'"],
  },
  xFrameOptions: 'DENY',
  referrerPolicy: 'same-origin',
});

/**
 * The dashboard at `/` of the local server: server-rendered pages over the same services as the
 * API, with htmx for live parts and Chart.js for charts, all served from here. Every page and
 * fragment needs a session started by signing in with the admin token (unless `auth` is false).
 * Forms that change something are checked against cross-site requests (Origin) and the session
 * cookie is SameSite=Strict.
 */
export function createDashboard(services: DashboardServices, options: DashboardOptions = {}): Hono {
  const auth = options.auth ?? true;
  const app = new Hono();

  app.onError((error, c) => {
    // Errors of the layers below (a bad key, an unknown bucket) and refusals (a cross-site form)
    // say what is wrong; anything else is logged and shown as an internal error.
    const status: ContentfulStatusCode | undefined =
      knownErrors[error.name]?.[0] ?? (error instanceof HTTPException ? error.status : undefined);
    // A client that went away mid-request (a stalled upload cut off) is not a server error.
    if (!status && !c.req.raw.signal.aborted) console.error('dashboard error', error);
    const message = status ? error.message || 'request refused' : 'internal error; see the server log';
    if (c.req.header('hx-request')) return c.html(<Notice kind="error">{message}</Notice>, status ?? 500);
    return c.html(
      <Page title={status === 404 ? 'Not found' : 'Something went wrong'}>
        <Notice kind="error">{message}</Notice>
      </Page>,
      status ?? 500,
    );
  });
  app.notFound((c) =>
    c.html(
      <Page title="Not found">
        <Notice kind="error">{`No page ${c.req.path}.`}</Notice>
      </Page>,
      404,
    ),
  );

  app.use('*', (c, next) => (ownHeaders(c.req.path) ? next() : dashboardHeaders(c, next)));
  app.use('*', csrf());
  app.use('*', (c, next) => (isUpload(c.req.path) ? next() : formLimit(c, next)));
  registerAssets(app);
  registerSignInPages(app, services, { auth });

  if (auth) {
    app.use('*', async (c, next) => {
      if (await hasSession(c, services.api.auth.adminToken, services.api.clock.now())) return next();
      if (c.req.header('hx-request')) {
        c.header('HX-Redirect', '/ui/sign-in');
        return c.text('sign in first', 401);
      }
      if (c.req.method === 'GET' && c.req.header('accept')?.includes('text/html')) {
        const next = c.req.path + new URL(c.req.url).search;
        return c.redirect(`/ui/sign-in?next=${encodeURIComponent(next)}`, 303);
      }
      return c.text('sign in first: open /ui/sign-in', 401);
    });
  }
  for (const register of pages) register(app, services);
  return app;
}
