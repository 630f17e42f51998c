import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';
import { expect, it } from 'vitest';
import {
  describeWithChromium,
  openPage,
  screenshot,
  signIn,
  useDashboardBrowser,
} from '../support/browser.js';
import { seedEveryPipeline } from '../support/dashboard-seed.js';

// The callbacks given to page.evaluate run in the browser, where these exist (no DOM lib here).
declare const window: { location: { href: string } };

// axe-core, evaluated through the DevTools protocol: the page's CSP rightly refuses a script tag.
const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
/** axe-core's serious and critical findings on the page, one line each. */
const SERIOUS_AXE_VIOLATIONS = `axe.run(document, { resultTypes: ['violations'] }).then((result) =>
  result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => v.id + ' (' + v.impact + ') at ' + v.nodes.map((n) => n.target.join(' ')).join(', ')))`;

/** After two frames, the elements that stick out past the screen's right edge (or ''). */
const WIDER_THAN_SCREEN = `new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(() => {
  if (document.documentElement.scrollWidth <= window.innerWidth + 1) return resolve('');
  const wide = [...document.querySelectorAll('body *')]
    .filter((e) => e.getBoundingClientRect().right > window.innerWidth + 1)
    .slice(0, 3)
    .map((e) => e.tagName.toLowerCase() + (e.className ? '.' + String(e.className).split(' ').join('.') : ''));
  resolve(wide.join(', ') || document.documentElement.scrollWidth + 'px');
})))`;

/** Enough to reach every section and a detail page of each kind; the crawl stops there. */
const MAX_PAGES = 80;

/** Same-origin page links, without downloads, fragments and query variants of one path beyond 3. */
async function linksOf(page: Page, origin: string): Promise<string[]> {
  // getAttribute: an SVG <a> (the execution graph) has no string `href` property.
  const hrefs = await page.$$eval('a[href]', (anchors) =>
    anchors
      .filter((a) => !a.hasAttribute('download'))
      .map((a) => new URL(a.getAttribute('href') as string, window.location.href).href),
  );
  return hrefs
    .map((href) => new URL(href))
    .filter(
      (url) =>
        url.origin === origin && !url.pathname.includes('/download') && !url.pathname.endsWith('/html'),
    )
    .map((url) => url.pathname + url.search);
}

describeWithChromium('every dashboard page (Chromium)', () => {
  const suite = useDashboardBrowser(
    'browser-every-page',
    { auctionPlatform: 'simulated', auctionReadyProbability: 1, auctionWaitSeconds: 1 },
    (_app) => seedEveryPipeline(suite.app.server, suite.app.fabric),
  );

  it('loads each page with no console error, no failed request, no serious accessibility fault, and fits a narrow screen', async () => {
    const { page, problems } = await openPage(suite.browser);
    await signIn(page, suite.app.server, suite.app.fabric.adminToken);
    const origin = suite.app.server.url;
    const queue = ['/'];
    const seen = new Set<string>();
    const perPath = new Map<string, number>();
    const faults: string[] = [];
    while (queue.length > 0 && seen.size < MAX_PAGES) {
      const path = queue.shift() as string;
      if (seen.has(path)) continue;
      const bare = path.split('?')[0] as string;
      const variants = perPath.get(bare) ?? 0;
      if (variants >= 3) continue;
      perPath.set(bare, variants + 1);
      seen.add(path);

      const response = await page.goto(`${origin}${path}`, { waitUntil: 'networkidle' });
      if (response?.status() !== 200) faults.push(`${path}: HTTP ${response?.status()}`);
      expect(await page.locator('h1').count(), path).toBe(1);

      await page.evaluate(AXE);
      const violations = await page.evaluate<string[]>(SERIOUS_AXE_VIOLATIONS);
      faults.push(...violations.map((v) => `${path}: ${v}`));

      await page.setViewportSize({ width: 390, height: 844 });
      // What a person sees once the page has reflowed: two frames after the resize.
      const overflow = await page.evaluate(WIDER_THAN_SCREEN);
      if (overflow) faults.push(`${path}: wider than a 390px screen: ${overflow}`);
      await page.setViewportSize({ width: 1280, height: 900 });

      for (const link of await linksOf(page, origin)) if (!seen.has(link)) queue.push(link);
    }
    expect(seen.size).toBeGreaterThanOrEqual(8);
    await page.goto(`${origin}/`, { waitUntil: 'networkidle' });
    // The auction's execution counts as the orders pipeline's run; its task functions log none.
    const orders = page.locator('[data-pipeline="orders"]');
    expect(await orders.locator('dd').first().textContent()).toBe('1');
    expect(await orders.getByRole('link', { name: 'auction' }).count()).toBe(1);
    await screenshot(page, 'overview-seeded');
    expect(faults).toEqual([]);
    expect(problems).toEqual([]);
  }, 300_000);
});
