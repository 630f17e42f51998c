import { readFile } from 'node:fs/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import { renderStatement, type StatementSummaryView } from './render-statement.js';

const summary: StatementSummaryView = {
  accountId: 'acct-1',
  balance: '39.74',
  transactionCount: 4,
  averageCredit: '35.25',
  averageDebit: '-15.38',
  months: [
    { month: '2024-07', name: 'July', count: 2, averageCredit: '60.50', averageDebit: '-10.30' },
    { month: '2024-08', name: 'August', count: 2, averageCredit: '10.00', averageDebit: null },
  ],
};
const holder = { name: 'Ada Lovelace', email: 'ada@example.com' };
const now = new Date('2024-09-01T10:00:00Z');

let template: string;
beforeAll(async () => {
  template = await readFile(new URL('./templates/statement.html', import.meta.url), 'utf8');
});

describe('renderStatement', () => {
  it('fills the shipped template with the summary figures', () => {
    const { subject, html } = renderStatement({ template, holder, summary, now });
    expect(subject).toBe('Your statement for account acct-1');
    expect(html).toContain('Hello Ada Lovelace,');
    expect(html).toContain('<strong>acct-1</strong> as of 2024-09-01');
    for (const figure of [
      '39.74',
      '35.25',
      '-15.38',
      '60.50',
      '-10.30',
      '10.00',
      'July 2024',
      'August 2024',
    ]) {
      expect(html).toContain(figure);
    }
    expect(html).toContain('src="cid:logo@tributary"');
    expect(html).not.toMatch(/\{\{|\}\}/);
  });

  it('shows an absent average as a dash in both parts', () => {
    const { html, text } = renderStatement({
      template,
      holder,
      summary: { ...summary, averageDebit: null },
      now,
    });
    expect(html).toMatch(/Average debit<\/td>\s*<td[^>]*>—<\/td>/);
    expect(html).toMatch(/August 2024<\/td>(?:\s*<td[^>]*>[^<]*<\/td>){2}\s*<td[^>]*>—<\/td>/);
    expect(text).toContain('Average debit:      —');
    expect(text).toMatch(/August 2024 +2 +10\.00 +—/);
  });

  it('escapes every value in the HTML part', () => {
    const hostile = '<script>alert(1)</script>';
    const template = [
      '{{holderName}}|{{holderEmail}}|{{accountId}}|{{balance}}|{{averageCredit}}|{{averageDebit}}',
      '{{#months}}[{{month}}|{{name}}|{{year}}|{{averageCredit}}|{{averageDebit}}]{{/months}}',
    ].join('\n');
    const { html } = renderStatement({
      template,
      holder: { name: hostile, email: `"O'Hara & Sons" <x@example.com>` },
      summary: {
        accountId: '<b>acct</b>',
        balance: '<i>1</i>',
        transactionCount: 1,
        averageCredit: '"a"',
        averageDebit: "'d'",
        months: [{ month: '<2024-07>', name: '<July>', count: 1, averageCredit: '&', averageDebit: '=' }],
      },
      now,
    });
    expect(html).not.toMatch(/[<>"']/); // the template has no markup: every one would come from data
    expect(html).toContain('&lt;script&gt;alert(1)&lt;&#x2F;script&gt;');
    expect(html).toContain('&quot;O&#39;Hara &amp; Sons&quot; &lt;x@example.com&gt;');
    expect(html).toContain('&lt;b&gt;acct&lt;&#x2F;b&gt;');
    expect(html).toContain('&lt;i&gt;1&lt;&#x2F;i&gt;');
    expect(html).toContain('&quot;a&quot;|&#39;d&#39;');
    expect(html).toContain('[&lt;2024-07&gt;|&lt;July&gt;|&lt;202|&amp;|&#x3D;]');
  });

  it('keeps the text part unescaped and readable', () => {
    const name = `"O'Hara & Sons" <script>`;
    const { text, subject } = renderStatement({ template, holder: { ...holder, name }, summary, now });
    expect(subject).toBe('Your statement for account acct-1');
    expect(text).toBe(
      [
        `Hello "O'Hara & Sons" <script>,`,
        '',
        'Here is the summary of account acct-1 as of 2024-09-01.',
        '',
        'Balance:            39.74',
        'Total transactions: 4',
        'Average credit:     35.25',
        'Average debit:      -15.38',
        '',
        'By month',
        'Month        Transactions  Avg. credit  Avg. debit',
        'July 2024               2        60.50      -10.30',
        'August 2024             2        10.00           —',
        '',
        'Sent by Tributary to ada@example.com.',
        '',
      ].join('\n'),
    );
  });

  it('says so when the account has no months', () => {
    const empty = { ...summary, transactionCount: 0, averageCredit: null, averageDebit: null, months: [] };
    const { html, text } = renderStatement({ template, holder, summary: empty, now });
    expect(html).toContain('No transactions yet.');
    expect(text).toContain('No transactions yet.');
  });

  it('keeps line breaks in the account id out of the subject', () => {
    const { subject } = renderStatement({
      template,
      holder,
      summary: { ...summary, accountId: 'a\r\nBcc: victim@example.com' },
      now,
    });
    expect(subject).toBe('Your statement for account a Bcc: victim@example.com');
  });

  it('ignores a global Mustache.escape override', async () => {
    const { default: Mustache } = await import('mustache');
    const original = Mustache.escape;
    Mustache.escape = (value: string) => value;
    try {
      const { html } = renderStatement({
        template: '{{holderName}}',
        holder: { ...holder, name: '<x>' },
        summary,
      });
      expect(html).toBe('&lt;x&gt;');
    } finally {
      Mustache.escape = original;
    }
  });
});
