import { z } from 'zod';
import { type IngestDeps, ingestStatementFile } from '../core/statements/ingest-statement-file.js';
import { type FunctionLogger, stderrLogger } from './logger.js';
import { NonRetriableError, parseJsonBody, processSqsBatch, type SqsHandler } from './sqs-batch.js';

/** The S3 "Object Created" event, as EventBridge delivers it to the queue. */
const objectCreated = z.object({
  'detail-type': z.literal('Object Created'),
  detail: z.object({ bucket: z.object({ name: z.string() }), object: z.object({ key: z.string() }) }),
});

/** Where the embedded fabric's warnings go when no logger is given (AWS entries pass a Powertools one). */
const localLogger = stderrLogger('statements-ingest');

/** Lambda handler: one transactions file per record. */
export function createStatementsIngestHandler(deps: IngestDeps & { logger?: FunctionLogger }): SqsHandler {
  return (event) =>
    processSqsBatch(event, async (record) => {
      const parsed = objectCreated.safeParse(parseJsonBody(record));
      if (!parsed.success) {
        throw new NonRetriableError(`not an S3 Object Created event: ${z.prettifyError(parsed.error)}`);
      }
      const { bucket, object } = parsed.data.detail;
      const outcome = await ingestStatementFile({ bucket: bucket.name, key: object.key }, deps);
      if (outcome.kind === 'missing')
        (deps.logger ?? localLogger).warn(`${bucket.name}/${object.key} no longer exists`, {
          messageId: record.messageId,
        });
    });
}
