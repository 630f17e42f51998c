import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe } from 'vitest';
import { type Fabric, type FabricOptions, openFabric } from '../../src/runtime/fabric.js';
import { type LocalServer, startLocalServer } from '../../src/runtime/server.js';

/** Debian's Chromium (`apt-get install chromium`); never a browser downloaded by a test tool. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Flags this machine needs (TOOLING.md): no sandbox as root, and no calls to Google's hosts. */
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * `describe` when Chromium is installed. Without it the suite is skipped, unless
 * `TRIBUTARY_REQUIRE_CHROMIUM=1` (CI sets it), which makes a missing browser a failure.
 */
export const describeWithChromium = describe.skipIf(
  !existsSync(CHROMIUM) && process.env.TRIBUTARY_REQUIRE_CHROMIUM !== '1',
);

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`no Chromium at ${CHROMIUM}: apt-get install chromium (or set CHROMIUM_PATH)`);
  }
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
}

/** A local server (API, dashboard, dispatcher, scheduler) on a new data dir and a free port. */
export async function startDashboardServer(
  name: string,
  options: Partial<FabricOptions> = {},
): Promise<{ server: LocalServer; fabric: Fabric; dataDir: string; close: () => Promise<void> }> {
  const dataDir = await mkdtemp(join(tmpdir(), `tributary-${name}-`));
  const fabric = await openFabric({
    dataDir,
    databaseUrl: undefined,
    smtpUrl: undefined,
    mailFrom: 'statements@tributary.test',
    ...options,
  });
  const server = await startLocalServer(fabric, { host: '127.0.0.1', port: 0 });
  return {
    server,
    fabric,
    dataDir,
    async close() {
      await server.close();
      await fabric.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * A new page (its own browser context, so its own cookies) that records what should never
 * happen: console errors, uncaught exceptions, failed requests and HTTP errors. A test asserts
 * `problems` is empty, or expects the one it provoked.
 */
export async function openPage(browser: Browser): Promise<{ page: Page; problems: string[] }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console error on ${page.url()}: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`uncaught on ${page.url()}: ${error.message}`));
  page.on('requestfailed', (request) => {
    const error = request.failure()?.errorText;
    // A load the page itself cancelled (it navigated away before a frame finished) is not a failure.
    if (error === 'net::ERR_ABORTED') return;
    problems.push(`request failed: ${request.method()} ${request.url()} ${error}`);
  });
  page.on('response', (response) => {
    if (response.status() >= 400) {
      problems.push(`HTTP ${response.status()}: ${response.request().method()} ${response.url()}`);
    }
  });
  return { page, problems };
}

/** Signs in through the form, as a person would. */
export async function signIn(page: Page, server: LocalServer, adminToken: string): Promise<void> {
  await page.goto(`${server.url}/ui/sign-in`);
  await page.getByLabel('Admin token').fill(adminToken);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(`${server.url}/`);
}

const MAX_SHOT_HEIGHT = 2000;

/**
 * Saves a full-page screenshot as `<name>.png` in `TRIBUTARY_SCREENSHOTS` (what
 * `npm run screenshots` sets to docs/screenshots) or else a temp folder; returns its path.
 */
export async function screenshot(page: Page, name: string): Promise<string> {
  const dir = process.env.TRIBUTARY_SCREENSHOTS ?? join(tmpdir(), 'tributary-screenshots');
  await mkdir(dir, { recursive: true });
  const path = join(dir, `${name}.png`);
  // The whole page, down to a height a reader can take in (a long execution history goes on and on).
  const height = Math.min(
    await page.evaluate<number>('document.documentElement.scrollHeight'),
    MAX_SHOT_HEIGHT,
  );
  const width = page.viewportSize()?.width ?? 1280;
  await page.screenshot({ path, fullPage: true, clip: { x: 0, y: 0, width, height } });
  return path;
}

export type DashboardServer = Awaited<ReturnType<typeof startDashboardServer>>;

/**
 * Chromium and a local server on a new data dir for one suite: started before its tests (then
 * `setUp`, say to seed it), closed after them. Read `suite.browser` and `suite.app` in the tests.
 *
 * @example
 * const suite = useDashboardBrowser('browser-loader');
 * it('…', async () => { const { page } = await openPage(suite.browser); await page.goto(suite.app.server.url); });
 */
export function useDashboardBrowser(
  name: string,
  options: Partial<FabricOptions> = {},
  setUp?: (app: DashboardServer) => Promise<void>,
): { browser: Browser; app: DashboardServer } {
  const suite = {} as { browser: Browser; app: DashboardServer };
  beforeAll(async () => {
    [suite.browser, suite.app] = await Promise.all([launchChromium(), startDashboardServer(name, options)]);
    await setUp?.(suite.app);
  }, 120_000);
  afterAll(async () => {
    await suite.browser?.close();
    await suite.app?.close();
  });
  return suite;
}
