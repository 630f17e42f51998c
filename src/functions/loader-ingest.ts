import { z } from 'zod';
import { ingestLandingFile, type LoaderIngestDeps } from '../core/loader/ingest-landing-file.js';
import { type FunctionLogger, stderrLogger } from './logger.js';
import { NonRetriableError, parseJsonBody, processSqsBatch, type SqsHandler } from './sqs-batch.js';

/** The S3 "Object Created" event, as EventBridge delivers it to the queue. */
const objectCreated = z.object({
  'detail-type': z.literal('Object Created'),
  detail: z.object({ bucket: z.object({ name: z.string() }), object: z.object({ key: z.string() }) }),
});

/** Where the embedded fabric's warnings go when no logger is given (AWS entries pass a Powertools one). */
const localLogger = stderrLogger('loader-ingest');

/** Lambda handler: one landing file per record, routed, loaded and moved. */
export function createLoaderIngestHandler(deps: LoaderIngestDeps & { logger?: FunctionLogger }): SqsHandler {
  return (event) =>
    processSqsBatch(event, async (record) => {
      const parsed = objectCreated.safeParse(parseJsonBody(record));
      if (!parsed.success) {
        throw new NonRetriableError(`not an S3 Object Created event: ${z.prettifyError(parsed.error)}`);
      }
      const { bucket, object } = parsed.data.detail;
      const outcome = await ingestLandingFile({ bucket: bucket.name, key: object.key }, deps);
      const where = `${bucket.name}/${object.key}`;
      // A load is recorded in loader_files; the log says why a file went elsewhere.
      if (outcome.kind === 'failed')
        (deps.logger ?? localLogger).warn(`${where} failed: ${outcome.error}; moved to ${outcome.movedTo}`);
      else if (outcome.kind === 'unmatched')
        (deps.logger ?? localLogger).warn(`${where} matches no routing rule; moved to ${outcome.movedTo}`);
      else if (outcome.kind === 'missing') (deps.logger ?? localLogger).warn(`${where} no longer exists`);
    });
}
