import type { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { LoaderFile } from '../../ports/loader-repository.js';
import { Empty, formatNumber } from '../components.js';
import { Page } from '../layout.js';
import type { DashboardServices } from '../services.js';
import { FilesTable, LoaderCrumbs, RejectedFilter, RejectedTable, rejectedHref } from './loader-files.js';
import {
  DEFAULT_REJECTED_LIMIT,
  MAX_REJECTED_LIMIT,
  MAX_YEAR,
  MIN_YEAR,
  parseQuery,
  rejectedQuery,
  reportsQuery,
} from './loader-query.js';
import { latestReportYear, readReports } from './loader-report-data.js';
import { Reports, YearForm } from './loader-reports.js';

/** `1 rejected row`, `70 rejected rows`. */
const rejectedRows = (n: number) => `${formatNumber(n)} rejected ${n === 1 ? 'row' : 'rows'}`;

const sum = (files: readonly LoaderFile[], pick: (file: LoaderFile) => number) =>
  files.reduce((total, file) => total + pick(file), 0);

const Figures = ({ files }: { files: readonly LoaderFile[] }) => (
  <dl class="figures">
    <div>
      <dt>files</dt>
      <dd>{formatNumber(files.length)}</dd>
    </div>
    <div>
      <dt>rows loaded</dt>
      <dd>{formatNumber(sum(files, (f) => f.rowsLoaded))}</dd>
    </div>
    <div class={files.some((f) => f.rowsRejected > 0) ? 'bad' : ''}>
      <dt>rows rejected</dt>
      <dd>{formatNumber(sum(files, (f) => f.rowsRejected))}</dd>
    </div>
    <div class={files.some((f) => f.status !== 'loaded') ? 'bad' : ''}>
      <dt>files not loaded</dt>
      <dd>{formatNumber(files.filter((f) => f.status !== 'loaded').length)}</dd>
    </div>
  </dl>
);

/** The years either side, for stepping through without typing. */
const YearSteps = ({ year }: { year: number }) => (
  <nav aria-label="Other years" class="actions">
    {year > MIN_YEAR && <a href={`/ui/loader/reports?year=${year - 1}`}>{`← ${year - 1}`}</a>}
    {year < MAX_YEAR && <a href={`/ui/loader/reports?year=${year + 1}`}>{`${year + 1} →`}</a>}
  </nav>
);

/**
 * The loader section: `/ui/loader` lists every file's latest outcome; `/ui/loader/rejected`
 * the rows kept out of their tables, by file; `/ui/loader/reports?year=` both reports of a
 * year as charts and tables (the latest year with hires when none is given).
 */
export function registerLoaderPages(app: Hono, services: DashboardServices): void {
  const { loader } = services.api;

  app.get('/ui/loader', async (c) => {
    const files = await loader.listFiles();
    const { year } = await latestReportYear(services.api, files);
    const rejected = sum(files, (f) => f.rowsRejected);
    return c.html(
      <Page title="Loader" current="loader">
        <p class="help">
          CSV files put under <code>stage/</code> in bucket <code>landing</code> are routed by name to a
          table, checked row by row and loaded; each then moves to <code>processed/</code>,{' '}
          <code>failed/</code> or <code>unmatched/</code>.
        </p>
        <Figures files={files} />
        <h2>Files</h2>
        {files.length === 0 ? (
          <Empty>
            No files yet. Put a CSV under <code>stage/</code> in bucket <code>landing</code> (for example{' '}
            <code>tributary put departments.csv landing/stage/departments.csv</code>).
          </Empty>
        ) : (
          <FilesTable files={files} />
        )}
        <h2>Rejected rows</h2>
        <p>
          {rejected === 0 ? (
            'No row has been rejected.'
          ) : (
            <>
              {`${rejected === 1 ? 'One row was' : `${formatNumber(rejected)} rows were`} kept out of their tables, each with its line and reasons. `}
              <a href={rejectedHref()}>See the rejected rows</a>
            </>
          )}
        </p>
        <h2>Reports</h2>
        <p class="help">
          Hires per department and job by quarter, and the departments that hired more than the mean, for one
          year (UTC).
        </p>
        <YearForm year={year} id="loader-year" />
      </Page>,
    );
  });

  app.get('/ui/loader/rejected', async (c) => {
    const query = parseQuery(rejectedQuery, c.req.query());
    const limit = query.limit ?? DEFAULT_REJECTED_LIMIT;
    const files = await loader.listFiles();
    const chosen = query.file === undefined ? files : files.filter((f) => f.loadFile === query.file);
    if (query.file !== undefined && chosen.length === 0) {
      throw new HTTPException(404, {
        message: `Query parameter file: no file "${query.file.slice(0, 200)}" has been loaded; the Loader page lists every file.`,
      });
    }
    const rows = await loader.listRejected({
      limit,
      ...(query.file === undefined ? {} : { file: query.file }),
    });
    const total = sum(chosen, (f) => f.rowsRejected);
    const of = query.file === undefined ? 'of all files' : `of ${query.file}`;
    const more = Math.min(MAX_REJECTED_LIMIT, limit * 5);
    return c.html(
      <Page title="Rejected rows" current="loader">
        <LoaderCrumbs here="Rejected rows" />
        <RejectedFilter files={files} file={query.file} limit={limit} />
        <p data-shown={rows.length}>
          {rows.length < total
            ? `Showing the first ${formatNumber(rows.length)} of ${rejectedRows(total)} ${of}, by file and line. `
            : `${rejectedRows(rows.length)} ${of}, by file and line.`}
          {rows.length < total && limit < MAX_REJECTED_LIMIT && (
            <a href={rejectedHref(query.file, more)}>{`Show up to ${formatNumber(more)}`}</a>
          )}
        </p>
        <RejectedTable rows={rows} caption={`Rejected rows ${of}`} />
      </Page>,
    );
  });

  app.get('/ui/loader/reports', async (c) => {
    const query = parseQuery(reportsQuery, c.req.query());
    const { year, hires } =
      query.year === undefined
        ? await latestReportYear(services.api, await loader.listFiles())
        : { year: query.year, hires: undefined };
    const reports = await readReports(loader, year, hires);
    return c.html(
      <Page title={`Loader reports, ${year}`} current="loader">
        <LoaderCrumbs here={`Reports, ${year}`} />
        <YearForm year={year} id="reports-year" />
        <YearSteps year={year} />
        <Reports reports={reports} />
      </Page>,
    );
  });
}
