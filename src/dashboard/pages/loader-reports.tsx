import type { HiresByQuarterRow } from '../../ports/loader-repository.js';
import { Chart, Empty, formatNumber, TableWrap } from '../components.js';
import { aboveMeanChart, oneDecimal, QUARTERS, quartersChart } from './loader-charts.js';
import { MAX_YEAR, MIN_YEAR } from './loader-query.js';
import type { LoaderReports } from './loader-report-data.js';

/** The year picker: a GET form, so a report's URL names its year. */
export const YearForm = ({ year, id }: { year: number; id: string }) => (
  <form method="get" action="/ui/loader/reports" class="filters">
    <div>
      <label for={id}>Year</label>
      <input id={id} name="year" type="number" min={MIN_YEAR} max={MAX_YEAR} step={1} value={year} required />
    </div>
    <button type="submit">Show reports</button>
  </form>
);

const QuarterHeads = () => (
  <>
    {QUARTERS.map((q) => (
      <th scope="col" class="num">
        {q}
      </th>
    ))}
    <th scope="col" class="num">
      total
    </th>
  </>
);

const QuarterCells = ({ quarters }: { quarters: readonly number[] }) => (
  <>
    {quarters.map((n) => (
      <td class="num">{formatNumber(n)}</td>
    ))}
    <td class="num">{formatNumber(quarters.reduce((sum, n) => sum + n, 0))}</td>
  </>
);

const HiresByQuarter = ({ reports }: { reports: LoaderReports }) => {
  const totals = [0, 1, 2, 3].map((i) =>
    reports.departments.reduce((sum, d) => sum + (d.quarters[i] ?? 0), 0),
  );
  const label = `Hires in ${reports.year} per department, stacked by quarter`;
  return (
    <section aria-labelledby="hires-by-quarter" data-report="hires-by-quarter">
      <h2 id="hires-by-quarter">Hires by quarter</h2>
      <Chart
        id="hires-by-quarter-chart"
        label={label}
        config={quartersChart(reports.year, reports.departments)}
      >
        <TableWrap label="Table of hires per department by quarter">
          <table>
            <caption>{`Hires per department by quarter, ${reports.year}`}</caption>
            <thead>
              <tr>
                <th scope="col">department</th>
                <QuarterHeads />
              </tr>
            </thead>
            <tbody>
              {reports.departments.map((d) => (
                <tr data-department={d.department}>
                  <th scope="row">{d.department}</th>
                  <QuarterCells quarters={d.quarters} />
                </tr>
              ))}
            </tbody>
            <tfoot>
              <tr>
                <th scope="row">all departments</th>
                <QuarterCells quarters={totals} />
              </tr>
            </tfoot>
          </table>
        </TableWrap>
      </Chart>
    </section>
  );
};

const AboveMean = ({ reports, mean }: { reports: LoaderReports; mean: number }) => (
  <section aria-labelledby="departments-above-mean" data-report="departments-above-mean">
    <h2 id="departments-above-mean">Departments above the mean</h2>
    <p data-mean={mean.toFixed(1)}>
      {`${reports.aboveMean.length} of the ${reports.departments.length} departments that hired in ${reports.year} hired more than the mean of ${oneDecimal(mean)} hires per department.`}
    </p>
    {reports.aboveMean.length === 0 ? (
      <Empty>No department hired more than the mean: they all hired alike.</Empty>
    ) : (
      <Chart
        id="departments-above-mean-chart"
        label={`Departments that hired more than the mean of ${oneDecimal(mean)} in ${reports.year}, most first`}
        config={aboveMeanChart(reports, mean)}
      >
        <TableWrap label="Table of the departments above the mean">
          <table>
            <caption>{`Departments above the mean (${oneDecimal(mean)}), ${reports.year}, most hires first`}</caption>
            <thead>
              <tr>
                <th scope="col" class="num">
                  id
                </th>
                <th scope="col">department</th>
                <th scope="col" class="num">
                  hired
                </th>
                <th scope="col" class="num">
                  over the mean
                </th>
              </tr>
            </thead>
            <tbody>
              {reports.aboveMean.map((d) => (
                <tr data-department={d.department}>
                  <td class="num">{d.id}</td>
                  <th scope="row">{d.department}</th>
                  <td class="num">{formatNumber(d.hired)}</td>
                  <td class="num">{oneDecimal(d.hired - mean)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      </Chart>
    )}
  </section>
);

/** Every department × job row of the report: long, so folded away under its summary. */
const AllHires = ({ year, rows }: { year: number; rows: readonly HiresByQuarterRow[] }) => (
  <details>
    <summary>{`All ${formatNumber(rows.length)} rows of hires by department and job, ${year}`}</summary>
    <TableWrap label="Hires by department, job and quarter">
      <table data-table="hires-by-department-and-job">
        <caption>{`Hires by department, job and quarter, ${year} (sorted by department, then job)`}</caption>
        <thead>
          <tr>
            <th scope="col">department</th>
            <th scope="col">job</th>
            <QuarterHeads />
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr>
              <td>{row.department}</td>
              <th scope="row">{row.job}</th>
              <QuarterCells quarters={[row.q1, row.q2, row.q3, row.q4]} />
            </tr>
          ))}
        </tbody>
      </table>
    </TableWrap>
  </details>
);

/** Both reports of a year: charts with their data as tables, then every row of the first. */
export const Reports = ({ reports }: { reports: LoaderReports }) =>
  reports.mean === null ? (
    <Empty>
      {`No hires in ${reports.year}: no loaded hire of that year matches a loaded department and job.`}
    </Empty>
  ) : (
    <>
      <dl class="figures">
        <div>
          <dt>hires</dt>
          <dd>{formatNumber(reports.totalHires)}</dd>
        </div>
        <div>
          <dt>departments hiring</dt>
          <dd>{formatNumber(reports.departments.length)}</dd>
        </div>
        <div>
          <dt>mean per department</dt>
          <dd>{oneDecimal(reports.mean)}</dd>
        </div>
        <div>
          <dt>above the mean</dt>
          <dd>{formatNumber(reports.aboveMean.length)}</dd>
        </div>
      </dl>
      <div class="grid-2">
        <HiresByQuarter reports={reports} />
        <AboveMean reports={reports} mean={reports.mean} />
      </div>
      <AllHires year={reports.year} rows={reports.hires} />
    </>
  );
