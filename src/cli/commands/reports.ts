import type { Command } from 'commander';
import { CliError, call } from '../backend.js';
import { table } from '../output.js';
import type { Run } from './run.js';

const REPORTS = ['hires-by-quarter', 'departments-above-mean'] as const;

interface ReportJson {
  report: string;
  year: number;
  columns: string[];
  rows: Record<string, string | number>[];
}

export function registerReportCommands(program: Command, run: Run): void {
  program
    .command('report <name>')
    .description(`a loader report: ${REPORTS.join(' or ')}`)
    .requiredOption('--year <year>', 'the year to report on, e.g. 2021')
    .option('--format <format>', 'table, csv or json', 'table')
    .action((name: string, options: { year: string; format: string }) =>
      run(async (backend) => {
        if (!(REPORTS as readonly string[]).includes(name)) {
          throw new CliError(`unknown report "${name}"; reports: ${REPORTS.join(', ')}`);
        }
        if (!['table', 'csv', 'json'].includes(options.format)) {
          throw new CliError(`--format must be table, csv or json, not "${options.format}"`);
        }
        if (!/^\d{4}$/.test(options.year))
          throw new CliError(`--year must be a year like 2021, not "${options.year}"`);
        const path = `/reports/${name}?year=${options.year}`;
        if (options.format === 'csv') {
          const response = await backend.request('GET', `${path}&format=csv`);
          const text = await response.text();
          if (!response.ok) throw new CliError(`report failed with HTTP ${response.status}: ${text}`);
          process.stdout.write(text);
          return;
        }
        const report = await call<ReportJson>(backend, 'GET', path);
        process.stdout.write(
          options.format === 'json'
            ? `${JSON.stringify(report.rows, null, 2)}\n`
            : `${table(
                report.columns,
                report.rows.map((row) => report.columns.map((c) => row[c] ?? null)),
              )}\n`,
        );
      }),
    );
}
