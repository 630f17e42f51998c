import { z } from 'zod';
import { type IngestDeps, ingestStatementFile } from '../core/statements/ingest-statement-file.js';
import { NonRetriableError, parseJsonBody, processSqsBatch, type SqsHandler } from './sqs-batch.js';

/** The S3 "Object Created" event, as EventBridge delivers it to the queue. */
const objectCreated = z.object({
  'detail-type': z.literal('Object Created'),
  detail: z.object({ bucket: z.object({ name: z.string() }), object: z.object({ key: z.string() }) }),
});

/** Lambda handler: one transactions file per record. */
export function createStatementsIngestHandler(deps: IngestDeps): SqsHandler {
  return (event) =>
    processSqsBatch(event, async (record) => {
      const parsed = objectCreated.safeParse(parseJsonBody(record));
      if (!parsed.success) {
        throw new NonRetriableError(`not an S3 Object Created event: ${z.prettifyError(parsed.error)}`);
      }
      const { bucket, object } = parsed.data.detail;
      const outcome = await ingestStatementFile({ bucket: bucket.name, key: object.key }, deps);
      if (outcome.kind === 'missing')
        console.warn(`statements-ingest: ${bucket.name}/${object.key} no longer exists`);
    });
}
