import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import { summarizeAccount } from '../../core/statements/summarize-account.js';
import { ApiError } from '../errors.js';
import type { ApiServices } from '../services.js';

const money = z.string().openapi({ example: '39.74' });
const Summary = z
  .object({
    accountId: z.string(),
    balance: money,
    transactionCount: z.number().int(),
    averageCredit: money.nullable(),
    averageDebit: money.nullable(),
    months: z.array(
      z.object({
        month: z.string().openapi({ example: '2024-07' }),
        name: z.string().openapi({ example: 'July' }),
        count: z.number().int(),
        averageCredit: money.nullable(),
        averageDebit: money.nullable(),
      }),
    ),
  })
  .openapi('AccountSummary');

const Account = z.object({ accountId: z.string(), email: z.string(), name: z.string() }).openapi('Account');

const FileReport = z
  .object({
    fileId: z.string(),
    bucket: z.string(),
    key: z.string(),
    etag: z.string(),
    status: z.enum(['processed', 'rejected']),
    error: z.string().optional(),
    accepted: z.number().int(),
    inserted: z.number().int(),
    duplicates: z.number().int(),
    rejectedCount: z.number().int(),
    rejected: z.array(z.object({ line: z.number().int(), reason: z.string() })),
    accounts: z.array(z.string()),
    finishedAt: z.string(),
  })
  .openapi('StatementFileReport');

const accountId = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[^\s/]+$/, 'no spaces or slashes');

export function statementRoutes(app: OpenAPIHono, services: ApiServices): void {
  app.openapi(
    createRoute({
      method: 'get',
      path: '/statements/accounts/{id}/summary',
      summary: 'Account summary over every stored transaction',
      request: { params: z.object({ id: z.string() }) },
      responses: {
        200: { description: 'The summary', content: { 'application/json': { schema: Summary } } },
        404: { description: 'No transaction stored for this account' },
      },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const totals = await services.statements.monthlyTotals(id);
      if (totals.length === 0)
        throw new ApiError(404, 'not_found', `no transactions stored for account "${id}"`);
      return c.json(summarizeAccount(id, totals), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/statements/files',
      summary: 'Outcome of ingesting the current version of an object',
      request: { query: z.object({ bucket: z.string().default('transactions'), key: z.string().min(1) }) },
      responses: {
        200: { description: 'The report', content: { 'application/json': { schema: FileReport } } },
        404: { description: 'The object does not exist or was not ingested yet' },
      },
    }),
    async (c) => {
      const { bucket, key } = c.req.valid('query');
      const info = await services.objects.head(bucket, key);
      if (!info) throw new ApiError(404, 'not_found', `object ${bucket}/${key} does not exist`);
      const report = await services.statements.getFileReport(`${bucket}/${key}@${info.etag}`);
      if (!report) throw new ApiError(404, 'not_found', `object ${bucket}/${key} has not been ingested yet`);
      return c.json({ ...report, finishedAt: report.finishedAt.toISOString() }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'put',
      path: '/accounts/{id}',
      summary: 'Register or update an account holder',
      request: {
        params: z.object({ id: accountId }),
        body: {
          required: true,
          content: {
            'application/json': {
              schema: z.object({ email: z.email(), name: z.string().trim().min(1).max(200) }),
            },
          },
        },
      },
      responses: { 200: { description: 'Stored', content: { 'application/json': { schema: Account } } } },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const { email, name } = c.req.valid('json');
      const account = { accountId: id, email, name };
      await services.statements.upsertAccount(account);
      return c.json(account, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/accounts',
      summary: 'Every known account holder',
      responses: {
        200: {
          description: 'Accounts',
          content: { 'application/json': { schema: z.object({ accounts: z.array(Account) }) } },
        },
      },
    }),
    async (c) => c.json({ accounts: await services.statements.listAccounts() }, 200),
  );
}
