import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { expect, it } from 'vitest';
import {
  describeWithChromium,
  openPage,
  screenshot,
  signIn,
  useDashboardBrowser,
} from '../support/browser.js';
import { datasets } from '../support/cli.js';

/** How much wider than the viewport the page is (0 when it fits). Evaluated in the page. */
const overflow = (page: Page) =>
  page.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth');

/** Cells of a table row as a person reads them, header cell first. */
const cells = (page: Page, row: string) => page.locator(row).locator('th, td').allInnerTexts();

describeWithChromium('loader files and reports (Chromium)', () => {
  const suite = useDashboardBrowser('browser-loader-reports');

  it('loads the loader dataset, then shows its files, its rejected rows and both reports of 2021 charted', async () => {
    // Upload as a client of the API would, then wait for the loader to route and load each file.
    for (const name of ['hired_employees', 'departments', 'jobs']) {
      const response = await fetch(`${suite.app.server.url}/buckets/landing/objects/stage/${name}.csv`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${suite.app.fabric.adminToken}`, 'content-type': 'text/csv' },
        body: await readFile(join(datasets, 'loader', `${name}.csv`)),
      });
      expect(response.status, await response.text()).toBe(200);
    }
    await expect
      .poll(
        async () => (await suite.app.fabric.loader.listFiles()).filter((f) => f.status === 'loaded').length,
        {
          timeout: 60_000,
          interval: 250,
        },
      )
      .toBe(3);

    const { page, problems } = await openPage(suite.browser);
    await signIn(page, suite.app.server, suite.app.fabric.adminToken);
    await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Loader' }).click();
    await page.waitForURL(`${suite.app.server.url}/ui/loader`);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Loader');

    // file, outcome, table, rows loaded, rows rejected, moved to, when, error
    const hires = await cells(page, 'tr[data-file="stage/hired_employees.csv"]');
    expect(hires.slice(0, 5)).toEqual([
      'stage/hired_employees.csv',
      'loaded',
      'hired_employees',
      '1,929',
      '70',
    ]);
    expect(hires[5]).toMatch(/^processed\/hired_employees\/hired_employees_\d{8}-\d{6}\.csv$/);
    expect((await cells(page, 'tr[data-file="stage/departments.csv"]')).slice(1, 5)).toEqual([
      'loaded',
      'departments',
      '12',
      '0',
    ]);
    expect((await cells(page, 'tr[data-file="stage/jobs.csv"]')).slice(1, 5)).toEqual([
      'loaded',
      'jobs',
      '183',
      '0',
    ]);
    await screenshot(page, 'loader-files');
    await page.setViewportSize({ width: 390, height: 844 });
    expect(await overflow(page)).toBeLessThanOrEqual(1);
    await screenshot(page, 'loader-files-narrow');
    await page.setViewportSize({ width: 1280, height: 900 });

    await page.getByRole('link', { name: '70 rejected rows of stage/hired_employees.csv' }).click();
    await page.waitForURL(/\/ui\/loader\/rejected\?file=stage%2Fhired_employees\.csv$/);
    expect(await page.locator('tr[data-line]').count()).toBe(70);
    const first = await cells(page, 'tr[data-line]:first-child');
    expect(first.slice(0, 4)).toEqual([
      'stage/hired_employees.csv',
      '2',
      '2,Ty Hofer,2021-05-30T05:43:46Z,8,',
      'job_id: is required',
    ]);
    expect(await page.getByLabel('File').inputValue()).toBe('stage/hired_employees.csv');
    await screenshot(page, 'loader-rejected');

    // Back to the Loader page, and to the reports of 2021 with the keyboard.
    await page.getByRole('navigation', { name: 'Breadcrumbs' }).getByRole('link', { name: 'Loader' }).click();
    await page.waitForURL(`${suite.app.server.url}/ui/loader`);
    const year = page.getByLabel('Year');
    expect(await year.inputValue()).toBe('2022');
    await year.fill('2021');
    await year.press('Enter');
    await page.waitForURL(`${suite.app.server.url}/ui/loader/reports?year=2021`);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Loader reports, 2021');

    const canvases = page.locator('canvas[data-chart]');
    expect(await canvases.count()).toBe(2);
    for (const canvas of await canvases.all()) {
      await expect.poll(() => canvas.getAttribute('data-drawn')).toBe('true');
      const box = await canvas.boundingBox();
      expect(box?.width).toBeGreaterThan(100);
      expect(box?.height).toBeGreaterThan(100);
    }

    const above = page.getByRole('table', { name: /Departments above the mean \(136\.9\), 2021/ });
    const rows = above.locator('tbody tr');
    expect(await rows.count()).toBe(7);
    expect((await rows.nth(0).locator('th, td').allInnerTexts()).slice(0, 3)).toEqual([
      '8',
      'Support',
      '216',
    ]);
    expect((await rows.nth(1).locator('th, td').allInnerTexts()).slice(0, 3)).toEqual([
      '5',
      'Engineering',
      '205',
    ]);
    expect(await page.locator('[data-mean]').textContent()).toContain(
      '7 of the 12 departments that hired in 2021 hired more than the mean of 136.9',
    );
    const quarters = page.getByRole('table', { name: 'Hires per department by quarter, 2021' });
    expect(await quarters.locator('tbody tr').count()).toBe(12);
    expect((await quarters.locator('tfoot th, tfoot td').allInnerTexts()).at(-1)).toBe('1,643');
    await screenshot(page, 'loader-reports-2021');

    // The full department × job table unfolds from the keyboard.
    const all = page.locator('table[data-table="hires-by-department-and-job"]');
    expect(await all.isVisible()).toBe(false);
    await page.locator('details > summary').focus();
    await page.keyboard.press('Enter');
    expect(await all.isVisible()).toBe(true);
    expect(await all.locator('tbody tr').count()).toBeGreaterThan(900);

    await page.locator('details > summary').press('Enter');
    await page.setViewportSize({ width: 390, height: 844 });
    // Chart.js resizes its canvases a frame after the window does; until then they hold it wide.
    await expect.poll(() => overflow(page)).toBeLessThanOrEqual(1);
    await screenshot(page, 'loader-reports-2021-narrow');
    expect(problems).toEqual([]);
  }, 120_000);
});
