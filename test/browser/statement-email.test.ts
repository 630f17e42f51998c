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

const statementFile = (name: string) => join(datasets, 'statements', name);

/** Drops a file on the drop zone as a person dragging it from their desktop would. */
async function dropFile(page: Page, name: string, content: string): Promise<void> {
  // A string expression: it runs in the page, where DataTransfer and File exist.
  const dataTransfer = await page.evaluateHandle(
    `(() => { const dt = new DataTransfer(); dt.items.add(new File([${JSON.stringify(content)}], ${JSON.stringify(name)}, { type: 'text/csv' })); return dt; })()`,
  );
  await page.dispatchEvent('[data-dropzone]', 'dragenter', { dataTransfer });
  await page.dispatchEvent('[data-dropzone]', 'dragover', { dataTransfer });
  await page.dispatchEvent('[data-dropzone]', 'drop', { dataTransfer });
}

describeWithChromium('upload a statement file and see its email (Chromium)', () => {
  const suite = useDashboardBrowser('browser-statement-email');

  it('registers a holder, uploads a statement, and shows the email as it was rendered', async () => {
    const { page, problems } = await openPage(suite.browser);
    await signIn(page, suite.app.server, suite.app.fabric.adminToken);

    // The holder first, from the form on the statements page, by keyboard.
    await page.getByRole('link', { name: 'Statements', exact: true }).click();
    await page.getByLabel('Account id').fill('acct-1');
    await page.keyboard.press('Tab');
    await page.keyboard.type('ana@example.com');
    await page.getByLabel('Name').fill('Ana Díaz');
    await page.getByRole('button', { name: 'Save account' }).click();
    await expect
      .poll(() => page.getByRole('status').textContent())
      .toBe('Saved the holder of account acct-1.');
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Account acct-1');

    // Buckets → transactions → a folder of the account: the key prefix names the account.
    await page.getByRole('link', { name: 'Buckets', exact: true }).click();
    await page.getByRole('link', { name: 'transactions', exact: true }).click();
    await page.getByLabel('Prefix').fill('accounts/acct-1/');
    await page.keyboard.press('Enter');
    await page.waitForURL(/prefix=accounts%2Facct-1%2F$/);
    await page.getByLabel('Choose files to upload').setInputFiles(statementFile('challenge-sample.csv'));
    const status = page.locator('[data-upload-status]');
    await expect.poll(() => status.textContent()).toBe('Uploaded 1 of 1 file.');
    // The listing reloads itself after the upload.
    await page.locator('tr[data-key="accounts/acct-1/challenge-sample.csv"]').waitFor();

    // A real drop: accountid-datetime.csv names its accounts in a column (holders unknown yet).
    await dropFile(
      page,
      'accountid-datetime.csv',
      await readFile(statementFile('accountid-datetime.csv'), 'utf8'),
    );
    await page.locator('tr[data-key="accounts/acct-1/accountid-datetime.csv"]').waitFor();
    expect(await status.textContent()).toBe('Uploaded 1 of 1 file.');
    await screenshot(page, 'buckets-transactions');

    // The account page, once the pipeline ran: summary, chart, and the email sent.
    await page.getByRole('link', { name: 'Statements', exact: true }).click();
    await page
      .getByRole('region', { name: 'Accounts' })
      .getByRole('link', { name: 'acct-1', exact: true })
      .click();
    await expect
      .poll(
        async () => {
          await page.reload();
          return page.locator('tr[data-email]').count();
        },
        { timeout: 30_000, interval: 500 },
      )
      .toBe(1);
    expect(await page.locator('dl.figures dd').allTextContents()).toEqual(['39.74', '4', '35.25', '-15.38']);
    await page.locator('canvas[data-drawn="true"]').waitFor();
    await page.frameLocator('iframe.email').getByText('39.74', { exact: true }).waitFor();
    // Chromium paints a sandboxed frame only once it has been on screen.
    await page.locator('iframe.email').scrollIntoViewIfNeeded();
    await screenshot(page, 'statements-account');

    // The Outbox: open the email, whose HTML shows the summary, logo included, in its sandbox.
    await page.getByRole('link', { name: 'Outbox', exact: true }).click();
    await page.getByRole('link', { name: 'Your statement for account acct-1' }).click();
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe(
      'Your statement for account acct-1',
    );
    const email = page.frameLocator('iframe.email');
    await email.getByText('39.74', { exact: true }).waitFor();
    expect(await email.getByText('Hello Ana Díaz,').count()).toBe(1);
    expect(await email.getByText('35.25', { exact: true }).count()).toBe(1);
    expect(await email.getByText('-15.38', { exact: true }).count()).toBe(1);
    await expect
      .poll(() =>
        email.getByAltText('Tributary').evaluate((img) => (img as { naturalWidth: number }).naturalWidth),
      )
      .toBeGreaterThan(0);
    expect(await page.getByRole('row', { name: /Subject Your statement for account acct-1/ }).count()).toBe(
      1,
    );
    await screenshot(page, 'outbox-email');

    // Narrow screen: the same pages fit 390 px.
    await page.setViewportSize({ width: 390, height: 844 });
    for (const path of [
      '/ui/buckets/transactions?prefix=accounts%2Facct-1%2F',
      '/ui/statements/accounts/acct-1',
      page.url(),
    ]) {
      await page.goto(path.startsWith('http') ? path : `${suite.app.server.url}${path}`);
      const overflow = await page.evaluate('document.documentElement.scrollWidth - window.innerWidth');
      expect(overflow, path).toBeLessThanOrEqual(1);
    }
    await screenshot(page, 'outbox-email-narrow');
    await page.goto(`${suite.app.server.url}/ui/statements/accounts/acct-1`);
    await page.locator('canvas[data-drawn="true"]').waitFor();
    await page.frameLocator('iframe.email').getByText('39.74', { exact: true }).waitFor();
    // Chromium paints a sandboxed frame only once it has been on screen.
    await page.locator('iframe.email').scrollIntoViewIfNeeded();
    await screenshot(page, 'statements-account-narrow');
    await page.goto(`${suite.app.server.url}/ui/statements`);
    await screenshot(page, 'statements-list-narrow');
    await page.goto(`${suite.app.server.url}/ui/buckets/transactions?prefix=accounts%2Facct-1%2F`);
    await screenshot(page, 'buckets-transactions-narrow');

    expect(problems).toEqual([]);
    await page.context().close();
  }, 120_000);
});
