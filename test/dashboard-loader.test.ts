import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../src/runtime/clock.js';
import { datasets } from './support/cli.js';
import { openTestDashboard } from './support/dashboard.js';

/** The `<script type="application/json">` chart configuration with this id, parsed. */
function chartConfig(html: string, id: string) {
  const match = new RegExp(`<script type="application/json" id="${id}-config">(.*?)</script>`, 's').exec(
    html,
  );
  if (!match) throw new Error(`no chart ${id}`);
  return JSON.parse(match[1] as string);
}

const entities: Record<string, string> = {
  '&quot;': '"',
  '&#39;': "'",
  '&lt;': '<',
  '&gt;': '>',
  '&amp;': '&',
};

/** The text of a page as a reader sees it: no tags, entities decoded, spaces collapsed. */
const text = (html: string) =>
  html
    .replace(/<script[\s\S]*?<\/script>/g, '')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&(quot|#39|lt|gt|amp);/g, (entity) => entities[entity] ?? entity)
    .replace(/\s+/g, ' ');

describe('dashboard loader pages', () => {
  let dashboard: Awaited<ReturnType<typeof openTestDashboard>>;
  const clock = new ManualClock('2024-09-01T12:00:00Z');

  beforeAll(async () => {
    dashboard = await openTestDashboard('dashboard-loader', { clock });
  });
  afterAll(() => dashboard?.close());

  async function page(path: string, status = 200) {
    const response = await dashboard.request(path);
    const html = await response.text();
    expect(response.status, `${path}: ${text(html).slice(0, 300)}`).toBe(status);
    return html;
  }

  it('says there are no files yet and offers the clock year for the reports', async () => {
    const html = await page('/ui/loader');
    expect(html).toContain('No files yet.');
    expect(html).toContain('No row has been rejected.');
    expect(html).toMatch(/<input id="loader-year" name="year" type="number"[^>]*value="2024"/);
    expect(text(await page('/ui/loader/reports'))).toContain('No hires in 2024');
    expect(await page('/ui/loader/rejected')).toContain('No rejected rows.');
  });

  describe('with the loader dataset loaded', () => {
    beforeAll(async () => {
      for (const name of ['departments', 'jobs', 'hired_employees']) {
        const body = await readFile(join(datasets, 'loader', `${name}.csv`));
        await dashboard.fabric.objects.put({ bucket: 'landing', key: `stage/${name}.csv`, body });
      }
      expect(await dashboard.fabric.dispatcher.settle()).toEqual({ settled: true });
    }, 60_000);

    it('lists each file with its outcome, counts, where it moved and when', async () => {
      const html = await page('/ui/loader');
      const rows = [...html.matchAll(/<tr data-file="([^"]+)"[^>]*>([\s\S]*?)<\/tr>/g)].map((m) => ({
        file: m[1],
        cells: text(m[2] as string).trim(),
      }));
      expect(rows.map((r) => r.file)).toEqual([
        'stage/departments.csv',
        'stage/hired_employees.csv',
        'stage/jobs.csv',
      ]);
      expect(rows[1]?.cells).toMatch(
        /^stage\/hired_employees\.csv loaded hired_employees 1,929 70 processed\/hired_employees\/hired_employees_20240901-120000\.csv 2024-09-01 12:00:00 UTC/,
      );
      expect(rows[0]?.cells).toMatch(/^stage\/departments\.csv loaded departments 12 0 /);
      expect(rows[2]?.cells).toMatch(/^stage\/jobs\.csv loaded jobs 183 0 /);
      expect(html).toContain(
        'href="/ui/buckets/landing/object?key=processed%2Fhired_employees%2Fhired_employees_20240901-120000.csv"',
      );
      expect(html).toContain(
        'href="/ui/loader/rejected?file=stage%2Fhired_employees.csv" aria-label="70 rejected rows of stage/hired_employees.csv"',
      );
      // The latest year with hires, not the clock's (2024).
      expect(html).toMatch(/<input id="loader-year" name="year" type="number"[^>]*value="2022"/);
    });

    it('lists the rejected rows of a file with line, raw text and every reason, up to a limit', async () => {
      const html = await page('/ui/loader/rejected?file=stage%2Fhired_employees.csv');
      expect(html.match(/<tr data-line=/g)).toHaveLength(70);
      expect(text(html)).toContain('70 rejected rows of stage/hired_employees.csv');
      expect(text(html)).toContain('2,Ty Hofer,2021-05-30T05:43:46Z,8,');
      expect(html).toContain('<td>job_id: is required</td>');
      expect(html).toContain('<option value="stage/hired_employees.csv" selected="">');

      const few = await page('/ui/loader/rejected?file=stage%2Fhired_employees.csv&limit=5');
      expect(few.match(/<tr data-line=/g)).toHaveLength(5);
      expect(text(few)).toContain('Showing the first 5 of 70 rejected rows');
      expect(few).toContain('href="/ui/loader/rejected?file=stage%2Fhired_employees.csv&amp;limit=25"');

      expect(await page('/ui/loader/rejected?file=stage%2Fjobs.csv')).toContain('No rejected rows.');
      expect((await page('/ui/loader/rejected?file=')).match(/<tr data-line=/g)).toHaveLength(70);
    });

    it('shows both reports of 2021 as charts and tables, with the mean stated and drawn', async () => {
      const html = await page('/ui/loader/reports?year=2021');
      expect(html).toContain('<h1>Loader reports, 2021</h1>');

      const above = chartConfig(html, 'departments-above-mean-chart');
      expect(above.options.indexAxis).toBe('y');
      expect(above.data.labels.slice(0, 2)).toEqual(['Support', 'Engineering']);
      expect(above.data.labels).toHaveLength(7);
      expect(above.data.datasets[0].data.slice(0, 2)).toEqual([216, 205]);
      expect(above.data.datasets[1]).toMatchObject({ type: 'line', label: 'mean: 136.9' });
      expect(html).toContain('data-mean="136.9"');
      expect(text(html)).toContain(
        '7 of the 12 departments that hired in 2021 hired more than the mean of 136.9 hires per department.',
      );
      expect(text(html)).toContain(' 8 Support 216 79.1 ');

      const quarters = chartConfig(html, 'hires-by-quarter-chart');
      expect(quarters.data.datasets.map((d: { label: string }) => d.label)).toEqual(['Q1', 'Q2', 'Q3', 'Q4']);
      expect(quarters.data.labels).toHaveLength(12);
      expect(quarters.options.scales.x.title.text).toBe('hires in 2021');
      const totals = /<tfoot>([\s\S]*?)<\/tfoot>/.exec(html)?.[1] ?? '';
      expect(text(totals).trim()).toMatch(/^all departments( [\d,]+){4} 1,643$/);

      const full =
        /<table data-table="hires-by-department-and-job">([\s\S]*?)<\/table>/.exec(html)?.[1] ?? '';
      const { hiresByQuarter } = dashboard.services.api.loader;
      expect(full.match(/<tr>/g)?.length).toBe((await hiresByQuarter(2021)).length + 1);
    });

    it('opens the reports on the latest year with hires', async () => {
      expect(await page('/ui/loader/reports')).toContain('<h1>Loader reports, 2022</h1>');
      expect(text(await page('/ui/loader/reports?year=2023'))).toContain('No hires in 2023');
    });

    it.each([
      ['year=abc', '"abc" is not a year from 1900 to 2200'],
      ['year=2021.5', '"2021.5" is not a year'],
      ['year=1899', '"1899" is not a year from 1900 to 2200'],
      ['year=2201', '"2201" is not a year'],
      ['year=-2021', '"-2021" is not a year'],
    ])('refuses a bad year (%s) with a 400 naming the parameter', async (query, message) => {
      const html = await page(`/ui/loader/reports?${query}`, 400);
      expect(text(html)).toContain(`Bad query parameter year: ${message}`);
    });

    it('refuses a bad limit with a 400 and an unknown file with a 404, saying which', async () => {
      expect(text(await page('/ui/loader/rejected?limit=0', 400))).toContain(
        'Bad query parameter limit: "0" is not a row count from 1 to 10000',
      );
      expect(text(await page('/ui/loader/rejected?limit=lots', 400))).toContain('"lots" is not a row count');
      expect(text(await page('/ui/loader/rejected?file=stage%2Fnope.csv', 404))).toContain(
        'Query parameter file: no file "stage/nope.csv" has been loaded',
      );
    });

    it('escapes HTML in stored names, rows and reasons', async () => {
      const { loader, loaderRules } = dashboard.services.api;
      const rule = (table: string) => loaderRules.find((r) => r.table === table)!;
      const now = clock.now();
      await loader.insertRows(rule('departments'), [[13, '<img src=x onerror=alert(1)>']], now);
      await loader.insertRows(rule('jobs'), [[900, '<b>Chief</b> & "Boss"']], now);
      await loader.insertRows(
        rule('hired_employees'),
        [
          [5000, 'Ann', '2019-03-01T00:00:00Z', 13, 900],
          [5001, '<script>alert(2)</script>', 'not a date', 13, 900],
          [5002, '', '<i>soon</i>', 13, 900],
        ],
        now,
      );

      const reports = await page('/ui/loader/reports?year=2019');
      expect(reports).not.toContain('<img src=x');
      expect(reports).not.toContain('<b>Chief');
      expect(reports).toContain('&lt;img src=x onerror=alert(1)&gt;');
      expect(reports).toContain('&lt;b&gt;Chief&lt;/b&gt; &amp; &quot;Boss&quot;');
      expect(chartConfig(reports, 'hires-by-quarter-chart').data.labels).toEqual([
        '<img src=x onerror=alert(1)>',
      ]);

      const rejected = await page('/ui/loader/rejected');
      expect(rejected).not.toContain('<script>alert(2)');
      expect(rejected).toContain('&lt;script&gt;alert(2)&lt;/script&gt;');
      // Every reason of a row, one item each; the raw text as it came.
      const several = /<tr data-line="3">([\s\S]*?)<\/tr>/.exec(rejected)?.[1] ?? '';
      expect(several).toContain('[5002,&quot;&quot;,&quot;&lt;i&gt;soon&lt;/i&gt;&quot;,13,900]');
      expect(several.match(/<li>/g)).toHaveLength(2);
      const files = await page('/ui/loader');
      expect(files).toMatch(/<code>api:2024-09-01T12:00:00.000Z:[0-9a-f]{8}<\/code>/);
      expect(files).toContain('not moved');
    });

    it('shows a file that failed and one that matched no rule, with why and where each moved', async () => {
      await dashboard.fabric.objects.put({ bucket: 'landing', key: 'stage/jobs-empty.csv', body: '' });
      await dashboard.fabric.objects.put({ bucket: 'landing', key: 'stage/notes.csv', body: 'a,b\n' });
      expect(await dashboard.fabric.dispatcher.settle()).toEqual({ settled: true });
      const html = await page('/ui/loader');
      const row = (file: string) =>
        text(new RegExp(`<tr data-file="${file}"[^>]*>([\\s\\S]*?)</tr>`).exec(html)?.[1] ?? '').trim();
      expect(row('stage/jobs-empty.csv')).toMatch(
        /^stage\/jobs-empty\.csv failed jobs 0 0 failed\/jobs-empty_\d{8}-\d{6}\.csv .* UTC \S/,
      );
      expect(row('stage/notes.csv')).toMatch(
        /^stage\/notes\.csv unmatched none 0 0 unmatched\/notes_\d{8}-\d{6}\.csv .* UTC \S/,
      );
      expect(html).toContain('<span class="status status-bad">failed</span>');
      expect(html).toContain('<span class="status status-warn">unmatched</span>');
      expect(html).toContain('<th scope="col">error</th>');
      expect(text(html)).toMatch(/files not loaded 2 /);
    });
  });
});
