import { z } from 'zod';
import { ingestLandingFile, type LoaderIngestDeps } from '../core/loader/ingest-landing-file.js';
import { NonRetriableError, parseJsonBody, processSqsBatch, type SqsHandler } from './sqs-batch.js';

/** The S3 "Object Created" event, as EventBridge delivers it to the queue. */
const objectCreated = z.object({
  'detail-type': z.literal('Object Created'),
  detail: z.object({ bucket: z.object({ name: z.string() }), object: z.object({ key: z.string() }) }),
});

/** Lambda handler: one landing file per record, routed, loaded and moved. */
export function createLoaderIngestHandler(deps: LoaderIngestDeps): SqsHandler {
  return (event) =>
    processSqsBatch(event, async (record) => {
      const parsed = objectCreated.safeParse(parseJsonBody(record));
      if (!parsed.success) {
        throw new NonRetriableError(`not an S3 Object Created event: ${z.prettifyError(parsed.error)}`);
      }
      const { bucket, object } = parsed.data.detail;
      const outcome = await ingestLandingFile({ bucket: bucket.name, key: object.key }, deps);
      const where = `${bucket.name}/${object.key}`;
      // A load is recorded in loader_files; stdout stays clean for the CLI's --json in-process.
      if (outcome.kind === 'failed')
        console.warn(`loader-ingest: ${where} failed: ${outcome.error}; moved to ${outcome.movedTo}`);
      else if (outcome.kind === 'unmatched')
        console.warn(`loader-ingest: ${where} matches no routing rule; moved to ${outcome.movedTo}`);
      else if (outcome.kind === 'missing') console.warn(`loader-ingest: ${where} no longer exists`);
    });
}
