import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import { ApiError } from '../errors.js';
import type { ApiServices, ExecutionSummary } from '../services.js';

const Execution = z
  .object({
    executionId: z.string(),
    stateMachine: z.string(),
    status: z.enum(['RUNNING', 'SUCCEEDED', 'FAILED', 'ABORTED', 'TIMED_OUT']),
    input: z.unknown(),
    output: z.unknown().optional(),
    error: z.string().nullable().optional(),
    cause: z.string().nullable().optional(),
    startedAt: z.string(),
    stoppedAt: z.string().nullable(),
  })
  .openapi('Execution');

const HistoryEvent = z
  .object({
    sequence: z.number().int(),
    timestamp: z.string(),
    type: z.string(),
    stateName: z.string().nullable().optional(),
    stateType: z.string().nullable().optional(),
    mapIndex: z.number().int().nullable().optional(),
    input: z.unknown().optional(),
    output: z.unknown().optional(),
    error: z.string().nullable().optional(),
    cause: z.string().nullable().optional(),
  })
  .openapi('ExecutionHistoryEvent');

const serialize = (execution: ExecutionSummary) => ({
  ...execution,
  startedAt: execution.startedAt.toISOString(),
  stoppedAt: execution.stoppedAt?.toISOString() ?? null,
});

/** The auction workflow: start a run now, list runs, and show one with its state history. */
export function auctionRoutes(app: OpenAPIHono, services: ApiServices): void {
  app.openapi(
    createRoute({
      method: 'post',
      path: '/auction/executions',
      summary: 'Start an auction run now (the schedule also starts them)',
      responses: {
        202: {
          description: 'The execution, running',
          content: { 'application/json': { schema: z.object({ executionId: z.string() }) } },
        },
      },
    }),
    async (c) => c.json({ executionId: await services.auction.start() }, 202),
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/auction/executions',
      summary: 'Auction runs, newest first',
      request: { query: z.object({ limit: z.coerce.number().int().min(1).max(1000).default(50) }) },
      responses: {
        200: {
          description: 'Executions',
          content: { 'application/json': { schema: z.object({ executions: z.array(Execution) }) } },
        },
      },
    }),
    async (c) => {
      const { limit } = c.req.valid('query');
      const executions = await services.auction.list(limit);
      return c.json({ executions: executions.map(serialize) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/auction/executions/{id}',
      summary: 'One run with its history: each state entered and exited, with input, output and error',
      request: { params: z.object({ id: z.string().min(1) }) },
      responses: {
        200: {
          description: 'The execution and its history',
          content: {
            'application/json': { schema: Execution.extend({ history: z.array(HistoryEvent) }) },
          },
        },
      },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const execution = await services.auction.get(id);
      if (!execution) throw new ApiError(404, 'not_found', `no auction execution "${id}"`);
      const history = await services.auction.history(id);
      return c.json(
        {
          ...serialize(execution),
          history: history.map((e) => ({ ...e, timestamp: e.timestamp.toISOString() })),
        },
        200,
      );
    },
  );
}
