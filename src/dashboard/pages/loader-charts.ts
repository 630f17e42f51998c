import type { DepartmentQuarters, LoaderReports } from './loader-report-data.js';

/** The quarters, as the tables and the chart's legend name them. */
export const QUARTERS = ['Q1', 'Q2', 'Q3', 'Q4'] as const;
// Okabe–Ito colours: told apart with every common colour-vision deficiency.
const QUARTER_COLOURS = ['#0072B2', '#E69F00', '#009E73', '#CC79A7'] as const;
const HIRED_COLOUR = '#0072B2';
const MEAN_COLOUR = '#b42318';

/** `136.9`: the mean as every part of the page writes it. */
export const oneDecimal = (n: number): string =>
  n.toLocaleString('en-US', { minimumFractionDigits: 1, maximumFractionDigits: 1 });
const axis = (text: string, extra: Record<string, unknown> = {}) => ({
  title: { display: true, text },
  ...extra,
});

/** Hires per department, stacked by quarter: departments down the side read on a phone too. */
export function quartersChart(year: number, departments: readonly DepartmentQuarters[]) {
  return {
    type: 'bar',
    data: {
      labels: departments.map((d) => d.department),
      datasets: QUARTERS.map((quarter, i) => ({
        label: quarter,
        data: departments.map((d) => d.quarters[i]),
        backgroundColor: QUARTER_COLOURS[i],
      })),
    },
    options: {
      indexAxis: 'y',
      scales: {
        x: axis(`hires in ${year}`, { stacked: true, beginAtZero: true }),
        y: axis('department', { stacked: true, ticks: { autoSkip: false } }),
      },
      plugins: { legend: { position: 'bottom' } },
    },
  };
}

/** The departments above the mean, with the mean drawn as a dashed line across their bars. */
export function aboveMeanChart(reports: LoaderReports, mean: number) {
  const labels = reports.aboveMean.map((d) => d.department);
  return {
    type: 'bar',
    data: {
      labels,
      datasets: [
        {
          label: 'hires',
          data: reports.aboveMean.map((d) => d.hired),
          backgroundColor: HIRED_COLOUR,
          pointStyle: 'rect',
          order: 1,
        },
        {
          type: 'line',
          label: `mean: ${oneDecimal(mean)}`,
          data: labels.map(() => mean),
          borderColor: MEAN_COLOUR,
          backgroundColor: MEAN_COLOUR,
          borderDash: [6, 4],
          borderWidth: 2,
          pointRadius: 0,
          pointStyle: 'line',
          indexAxis: 'y',
          // Drawn over the bars (a lower order is drawn later).
          order: 0,
        },
      ],
    },
    options: {
      indexAxis: 'y',
      scales: {
        x: axis(`hires in ${reports.year}`, { beginAtZero: true }),
        y: axis('department', { ticks: { autoSkip: false } }),
      },
      plugins: { legend: { position: 'bottom', labels: { usePointStyle: true } } },
    },
  };
}
