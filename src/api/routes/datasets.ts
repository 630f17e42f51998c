import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { locateJsonError } from '../../core/events/parse-event-batch.js';
import { describeValue } from '../../core/events/validate-event.js';
import { MAX_POSTED_ROWS, PostedRowsCountError } from '../../core/loader/validate-posted-rows.js';
import type { LoaderFile, StoredRejectedRow } from '../../ports/loader-repository.js';
import { ApiError } from '../errors.js';
import type { ApiServices } from '../services.js';

/**
 * Largest `POST /datasets/:table/rows` body: the 1 MiB of the other JSON routes, over 1 KB per row
 * at 1,000 rows. Over it is one more invalid body, a 400 like the others (as for orders), not a 413.
 */
export const MAX_DATASET_BODY_BYTES = 1024 * 1024;

/** Most rejected rows one `GET /loader/rejected` returns. */
const MAX_REJECTED_LIMIT = 10_000;

const invalidRows = (message: string, path = '') =>
  new ApiError(400, 'invalid_rows', message, [{ path, message }]);

function tooLarge(c: Context): never {
  const length = Number(c.req.header('content-length'));
  const size =
    Number.isSafeInteger(length) && length > MAX_DATASET_BODY_BYTES ? `${length} bytes` : 'too large';
  throw invalidRows(`Request body is ${size}; the limit is ${MAX_DATASET_BODY_BYTES} bytes (1 MiB)`);
}

/** The `rows` of a `{"rows": [...]}` body, or a 400 that says what is wrong and where. */
function postedRows(text: string): unknown[] {
  const body = text.startsWith('\uFEFF') ? text.slice(1) : text;
  if (body.trim() === '') throw invalidRows('Request body is empty; send {"rows": [...]}');
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch (error) {
    const found = locateJsonError(body);
    const where = found
      ? `${found.message} at ${found.line === 1 ? '' : `line ${found.line}, `}column ${found.column} (position ${found.position})`
      : (error as Error).message.slice(0, 200);
    throw invalidRows(`Request body is not valid JSON: ${where}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalidRows(`Request body must be a JSON object {"rows": [...]}, got ${describeValue(value)}`);
  }
  const unknown = Object.keys(value).filter((key) => key !== 'rows');
  if (unknown.length) {
    const names = unknown.map((key) => JSON.stringify(key.slice(0, 100))).join(', ');
    throw invalidRows(`Request body has unknown fields ${names}; it is {"rows": [...]}`, unknown[0]);
  }
  const { rows } = value as { rows?: unknown };
  if (!Array.isArray(rows)) {
    throw invalidRows(
      `rows must be an array of rows (objects keyed by column name or arrays in column order), got ${describeValue(rows)}`,
      'rows',
    );
  }
  return rows;
}

const LoaderFileSchema = z
  .object({
    loadFile: z.string().openapi({ example: 'stage/jobs.csv' }),
    table: z.string().nullable(),
    status: z.enum(['loaded', 'failed', 'unmatched']),
    rowsLoaded: z.number().int(),
    rowsRejected: z.number().int(),
    loadedAt: z.string(),
    error: z.string().nullable(),
    movedTo: z.string().nullable().openapi({ example: 'processed/jobs/jobs_20210727-160208.csv' }),
  })
  .openapi('LoaderFile');

const RejectedRowSchema = z
  .object({
    line: z.number().int().openapi({ description: '1-based line in the file, or position in the batch' }),
    raw: z.string(),
    reasons: z.array(z.string()).openapi({ example: ['job_id: is required'] }),
  })
  .openapi('LoaderRejectedRow');

const StoredRejectedRowSchema = RejectedRowSchema.extend({
  loadFile: z.string(),
  table: z.string(),
  rejectedAt: z.string(),
}).openapi('LoaderStoredRejectedRow');

const PostedRowsResultSchema = z.object({
  table: z.string(),
  loadFile: z.string().openapi({ example: 'api:2021-07-27T16:02:08.000Z:1a2b3c4d' }),
  loaded: z.number().int(),
  rejected: z.number().int(),
  rejectedRows: z.array(RejectedRowSchema),
});

const serializeFile = (file: LoaderFile) => ({ ...file, loadedAt: file.loadedAt.toISOString() });
const serializeRejected = (row: StoredRejectedRow) => ({ ...row, rejectedAt: row.rejectedAt.toISOString() });

/** The loader beyond files: rows posted in batches, and what became of each file and row. */
export function datasetRoutes(app: OpenAPIHono, services: ApiServices): void {
  app.post(
    '/datasets/:table/rows',
    bodyLimit({ maxSize: MAX_DATASET_BODY_BYTES, onError: tooLarge }),
    async (c) => {
      const table = c.req.param('table');
      const rule = services.loaderRules.find((candidate) => candidate.table === table);
      if (!rule) {
        const known = [...new Set(services.loaderRules.map((r) => r.table))].join(', ') || 'none';
        throw new ApiError(
          404,
          'unknown_table',
          `no loader table "${table.slice(0, 100)}"; the tables are: ${known}`,
        );
      }
      const rows = postedRows(await c.req.text());
      let result: Awaited<ReturnType<ApiServices['loader']['insertRows']>>;
      try {
        result = await services.loader.insertRows(rule, rows, services.clock.now());
      } catch (error) {
        if (error instanceof PostedRowsCountError) throw invalidRows(`rows: ${error.message}`, 'rows');
        throw error;
      }
      const { loadFile, loaded, rejected, rejectedRows } = result;
      const body = { table: rule.table, loadFile, loaded, rejected, rejectedRows };
      if (loaded > 0) return c.json(body, 201);
      // Every row was refused: the shape of a success, so the reasons are read the same way, plus
      // the error every other refusal carries.
      const none = rejected === 1 ? 'the only row is invalid' : `none of the ${rejected} rows is valid`;
      const message = `${none}, so nothing was inserted; see GET /loader/rejected?file=${encodeURIComponent(loadFile)}`;
      return c.json({ ...body, error: { code: 'all_rows_rejected', message } }, 422);
    },
  );
  app.openAPIRegistry.registerPath({
    method: 'post',
    path: '/datasets/{table}/rows',
    summary: `Insert 1 to ${MAX_POSTED_ROWS} rows into a loader table (at most ${MAX_DATASET_BODY_BYTES} bytes); invalid rows are kept as rejected, not inserted`,
    security: [{ adminToken: [] }],
    request: {
      params: z.object({ table: z.string().openapi({ example: 'jobs' }) }),
      body: {
        required: true,
        content: {
          'application/json': {
            schema: z
              .object({
                rows: z
                  .array(z.union([z.record(z.string(), z.unknown()), z.array(z.unknown())]))
                  .min(1)
                  .max(MAX_POSTED_ROWS),
              })
              .openapi({ example: { rows: [{ id: 1, job: 'Marketing Assistant' }, [2, 'VP Sales']] } }),
          },
        },
      },
    },
    responses: {
      201: {
        description: 'At least one row was inserted; rejected rows are listed with every reason',
        content: { 'application/json': { schema: PostedRowsResultSchema } },
      },
      400: {
        description: `Nothing was stored: the body is empty, over the size limit, not JSON, not {"rows": [...]}, or holds 0 or more than ${MAX_POSTED_ROWS} rows`,
      },
      404: { description: 'No routing rule loads into this table' },
      422: {
        description: 'Every row was rejected (they are kept in the rejected rows); nothing was inserted',
        content: {
          'application/json': {
            schema: PostedRowsResultSchema.extend({
              error: z.object({ code: z.literal('all_rows_rejected'), message: z.string() }),
            }),
          },
        },
      },
    },
  });

  app.openapi(
    createRoute({
      method: 'get',
      path: '/loader/files',
      summary: 'The latest outcome of every loaded file and posted batch (or of one), by name',
      security: [{ adminToken: [] }],
      request: {
        query: z.object({ file: z.string().min(1).optional().openapi({ example: 'stage/jobs.csv' }) }),
      },
      responses: {
        200: {
          description: 'Files: loaded, failed or unmatched, with their counts and where they moved',
          content: { 'application/json': { schema: z.object({ files: z.array(LoaderFileSchema) }) } },
        },
      },
    }),
    async (c) => {
      const { file } = c.req.valid('query');
      const files = await services.loader.listFiles(file === undefined ? {} : { file });
      return c.json({ files: files.map(serializeFile) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/loader/rejected',
      summary: 'Rows kept out of their table, with every reason, by file and line',
      security: [{ adminToken: [] }],
      request: {
        query: z.object({
          file: z.string().min(1).optional().openapi({ example: 'stage/hired_employees.csv' }),
          limit: z.coerce.number().int().min(1).max(MAX_REJECTED_LIMIT).default(1_000),
        }),
      },
      responses: {
        200: {
          description: 'Rejected rows, by file then line',
          content: { 'application/json': { schema: z.object({ rows: z.array(StoredRejectedRowSchema) }) } },
        },
      },
    }),
    async (c) => {
      const { file, limit } = c.req.valid('query');
      const rows = await services.loader.listRejected({ limit, ...(file === undefined ? {} : { file }) });
      return c.json({ rows: rows.map(serializeRejected) }, 200);
    },
  );
}
