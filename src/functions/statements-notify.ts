import { z } from 'zod';
import {
  type NotifyDeps,
  notifyStatement,
  type StatementSummarizedDetail,
} from '../core/statements/notify-statement.js';
import { NonRetriableError, parseJsonBody, processSqsBatch, type SqsHandler } from './sqs-batch.js';

const money = z.string().regex(/^-?\d+\.\d{2}$/);
const summarized = z.object({
  'detail-type': z.literal('StatementSummarized'),
  detail: z.object({
    accountId: z.string().min(1),
    fingerprint: z.string().min(16),
    summary: z.object({
      accountId: z.string(),
      balance: money,
      transactionCount: z.number().int(),
      averageCredit: money.nullable(),
      averageDebit: money.nullable(),
      months: z.array(
        z.object({
          month: z.string(),
          name: z.string(),
          count: z.number().int(),
          averageCredit: money.nullable(),
          averageDebit: money.nullable(),
        }),
      ),
    }),
  }),
});

/** Lambda handler: one statement email per `StatementSummarized` event. */
export function createStatementsNotifyHandler(deps: NotifyDeps): SqsHandler {
  return (event) =>
    processSqsBatch(event, async (record) => {
      const parsed = summarized.safeParse(parseJsonBody(record));
      if (!parsed.success) {
        throw new NonRetriableError(`not a StatementSummarized event: ${z.prettifyError(parsed.error)}`);
      }
      const outcome = await notifyStatement(parsed.data.detail as StatementSummarizedDetail, deps);
      if (outcome.kind === 'no-email') throw new NonRetriableError(outcome.reason);
    });
}
