import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { ApiServices } from '../services.js';

const query = z.object({
  year: z.coerce.number().int().min(1900).max(2200).openapi({ example: 2021 }),
  format: z.enum(['json', 'csv']).default('json'),
});

/** RFC 4180 CSV: every field quoted when it holds a comma, quote or line break. */
export function toCsv(columns: readonly string[], rows: readonly Record<string, unknown>[]): string {
  const cell = (value: unknown) => {
    const text = value === null || value === undefined ? '' : String(value);
    return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
  };
  return `${[columns.join(','), ...rows.map((row) => columns.map((c) => cell(row[c])).join(','))].join('\r\n')}\r\n`;
}

function answer(
  c: Context,
  format: 'json' | 'csv',
  name: string,
  year: number,
  columns: string[],
  rows: Record<string, unknown>[],
): Response {
  if (format === 'csv') {
    c.header('content-type', 'text/csv; charset=utf-8');
    c.header('content-disposition', `attachment; filename="${name}-${year}.csv"`);
    return c.body(toCsv(columns, rows), 200);
  }
  return c.json({ report: name, year, columns, rows }, 200);
}

/** Reports over the loaded tables: JSON by default, CSV with `format=csv`. */
export function reportRoutes(app: OpenAPIHono, services: ApiServices): void {
  const json = (rows: z.ZodType) => ({
    200: {
      description: 'The report (JSON, or CSV with format=csv)',
      content: {
        'application/json': {
          schema: z.object({
            report: z.string(),
            year: z.number().int(),
            columns: z.array(z.string()),
            rows,
          }),
        },
        'text/csv': { schema: z.string() },
      },
    },
  });

  app.openapi(
    createRoute({
      method: 'get',
      path: '/reports/hires-by-quarter',
      summary: 'Hires per department and job, by quarter of one year, sorted by department then job',
      request: { query },
      responses: json(
        z.array(
          z.object({
            department: z.string(),
            job: z.string(),
            q1: z.number(),
            q2: z.number(),
            q3: z.number(),
            q4: z.number(),
          }),
        ),
      ),
    }),
    async (c) => {
      const { year, format } = c.req.valid('query');
      const rows = await services.loader.hiresByQuarter(year);
      const columns = ['department', 'job', 'q1', 'q2', 'q3', 'q4'];
      return answer(
        c,
        format,
        'hires-by-quarter',
        year,
        columns,
        rows as unknown as Record<string, unknown>[],
      );
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/reports/departments-above-mean',
      summary: "Departments whose hires in one year exceed the mean of all departments' hires that year",
      request: { query },
      responses: json(z.array(z.object({ id: z.number(), department: z.string(), hired: z.number() }))),
    }),
    async (c) => {
      const { year, format } = c.req.valid('query');
      const rows = await services.loader.departmentsAboveMean(year);
      const columns = ['id', 'department', 'hired'];
      return answer(
        c,
        format,
        'departments-above-mean',
        year,
        columns,
        rows as unknown as Record<string, unknown>[],
      );
    },
  );
}
