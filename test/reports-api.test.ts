import { createReadStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { OpenAPIHono } from '@hono/zod-openapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routeFile } from '../src/core/loader/routing-rules.js';
import { validateRows } from '../src/core/loader/validate-rows.js';
import { ManualClock } from '../src/runtime/clock.js';
import { type Fabric, openFabric } from '../src/runtime/fabric.js';
import { datasets, tributary } from './support/cli.js';
import { openTestFabric } from './support/test-fabric.js';

let fabric: Fabric;
let app: OpenAPIHono;
let close = async () => {};
const clock = new ManualClock('2024-09-01T00:00:00Z');

async function load(fabricToLoad: Fabric, name: string) {
  const rule = routeFile(name);
  if (!rule) throw new Error(`no rule for ${name}`);
  await fabricToLoad.loader.loadFile({
    file: `stage/${name}`,
    rule,
    batches: validateRows(createReadStream(join(datasets, 'loader', name)), rule),
    now: clock.now(),
  });
}

beforeAll(async () => {
  ({ fabric, app, close } = await openTestFabric('reports', { clock }));
  for (const name of ['departments.csv', 'jobs.csv', 'hired_employees.csv']) await load(fabric, name);
});
afterAll(() => close());

const call = (path: string) =>
  app.request(path, { headers: { authorization: `Bearer ${fabric.adminToken}` } });

describe('loader reports over HTTP', () => {
  it('lists departments above the 2021 mean, most hires first, as JSON and CSV', async () => {
    const response = await call('/reports/departments-above-mean?year=2021');
    expect(response.status).toBe(200);
    const report = (await response.json()) as {
      columns: string[];
      rows: { id: number; department: string; hired: number }[];
    };
    expect(report.columns).toEqual(['id', 'department', 'hired']);
    expect(report.rows[0]).toEqual({ id: 8, department: 'Support', hired: 216 });
    expect(report.rows.map((r) => r.hired)).toEqual(
      [...report.rows.map((r) => r.hired)].sort((a, b) => b - a),
    );

    const csv = await call('/reports/departments-above-mean?year=2021&format=csv');
    expect(csv.headers.get('content-type')).toContain('text/csv');
    const lines = (await csv.text()).trimEnd().split('\r\n');
    expect(lines[0]).toBe('id,department,hired');
    expect(lines[1]).toBe('8,Support,216');
    expect(lines).toHaveLength(report.rows.length + 1);
  });

  it('counts hires by quarter per department and job, sorted by department then job', async () => {
    const report = (await (await call('/reports/hires-by-quarter?year=2021')).json()) as {
      rows: { department: string; job: string; q1: number; q2: number; q3: number; q4: number }[];
    };
    expect(report.rows[0]).toEqual({
      department: 'Accounting',
      job: 'Account Representative IV',
      q1: 1,
      q2: 0,
      q3: 0,
      q4: 0,
    });
    const total = report.rows.reduce((sum, r) => sum + r.q1 + r.q2 + r.q3 + r.q4, 0);
    expect(total).toBe(1643);
    const keys = report.rows.map((r) => `${r.department}\u0000${r.job}`);
    expect(keys).toEqual([...keys].sort());
  });

  it('refuses a missing or bad year and an unknown format with 400', async () => {
    for (const path of [
      '/reports/hires-by-quarter',
      '/reports/hires-by-quarter?year=twenty',
      '/reports/departments-above-mean?year=2021&format=xml',
    ]) {
      expect((await call(path)).status, path).toBe(400);
    }
  });
});

describe('tributary report', () => {
  it('prints a report as a table, CSV or JSON', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tributary-report-cli-'));
    const env = { TRIBUTARY_DATA_DIR: join(dir, 'data') };
    try {
      const opened = await openFabric({
        dataDir: env.TRIBUTARY_DATA_DIR,
        databaseUrl: undefined,
        smtpUrl: undefined,
        mailFrom: 'x@y.z',
        clock,
      });
      try {
        for (const name of ['departments.csv', 'jobs.csv', 'hired_employees.csv']) await load(opened, name);
      } finally {
        await opened.close();
      }
      const shown = await tributary(['report', 'departments-above-mean', '--year', '2021'], env);
      expect(shown.code, shown.stderr).toBe(0);
      expect(shown.stdout.split('\n')[0]).toMatch(/^id\s+department\s+hired$/);
      expect(shown.stdout).toMatch(/8\s+Support\s+216/);
      const csv = await tributary(['report', 'hires-by-quarter', '--year', '2021', '--format', 'csv'], env);
      expect(csv.stdout.startsWith('department,job,q1,q2,q3,q4\r\n')).toBe(true);
      const json = await tributary(
        ['report', 'departments-above-mean', '--year', '2021', '--format', 'json'],
        env,
      );
      expect(JSON.parse(json.stdout)[0]).toEqual({ id: 8, department: 'Support', hired: 216 });
      const bad = await tributary(['report', 'headcount', '--year', '2021'], env);
      expect(bad.code).toBe(1);
      expect(bad.stderr).toContain('unknown report "headcount"');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
