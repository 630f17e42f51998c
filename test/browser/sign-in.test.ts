import { stat } from 'node:fs/promises';
import { expect, it } from 'vitest';
import {
  describeWithChromium,
  openPage,
  screenshot,
  signIn,
  useDashboardBrowser,
} from '../support/browser.js';

// The callbacks given to page.evaluate run in the browser, where these exist (no DOM lib here).
declare const document: {
  activeElement: { id: string; textContent: string | null } | null;
  documentElement: { scrollWidth: number };
};

describeWithChromium('dashboard sign-in (Chromium)', () => {
  const suite = useDashboardBrowser('browser-sign-in');

  it('shows no page without signing in, and the overview after signing in with the form', async () => {
    const { page, problems } = await openPage(suite.browser);
    await page.goto(`${suite.app.server.url}/ui/queues`);
    expect(new URL(page.url()).pathname).toBe('/ui/sign-in');
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Sign in');
    await screenshot(page, 'sign-in');

    await page.getByLabel('Admin token').fill('trb_not-the-token');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('not the admin token');
    // The refusal is a 403, which Chromium also reports on the console.
    expect(problems.splice(0)).toEqual([
      expect.stringContaining('HTTP 403: POST'),
      expect.stringContaining('status of 403'),
    ]);

    await signIn(page, suite.app.server, suite.app.fabric.adminToken);
    for (const pipeline of ['statements', 'events', 'orders', 'loader']) {
      await expect(page.getByRole('heading', { name: pipeline, level: 2 })).toBeDefined();
      expect(await page.locator(`[data-pipeline="${pipeline}"]`).count()).toBe(1);
    }
    const path = await screenshot(page, 'overview');
    expect((await stat(path)).size).toBeGreaterThan(10_000);
    expect(problems).toEqual([]);
  });

  it('can be used from the keyboard alone: sign in, skip to content, move between sections', async () => {
    const { page, problems } = await openPage(suite.browser);
    await page.goto(`${suite.app.server.url}/ui/sign-in`);
    await page.keyboard.press('Tab'); // skip link
    await page.keyboard.press('Tab'); // brand
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('token');
    await page.keyboard.type(suite.app.fabric.adminToken);
    await page.keyboard.press('Enter');
    await page.waitForURL(`${suite.app.server.url}/`);

    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Skip to content');
    await page.keyboard.press('Enter');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('main');

    await page.goto(`${suite.app.server.url}/`);
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab'); // Overview
    await page.keyboard.press('Tab'); // Buckets
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Buckets');
    await page.keyboard.press('Enter');
    await page.waitForURL(`${suite.app.server.url}/ui/buckets`);
    expect(problems).toEqual([]);
  });

  it('signs in with the link tributary dev prints, and drops the token from the address bar', async () => {
    const { page, problems } = await openPage(suite.browser);
    await page.goto(suite.app.server.signInUrl as string);
    expect(page.url()).toBe(`${suite.app.server.url}/`);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Overview');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(/\/ui\/sign-in$/);
    await page.goto(`${suite.app.server.url}/`);
    expect(new URL(page.url()).pathname).toBe('/ui/sign-in');
    expect(problems).toEqual([]);
  });
});
