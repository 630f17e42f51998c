import { ingestLandingFile, type LoaderIngestDeps } from '../core/loader/ingest-landing-file.js';
import { type FunctionLogger, stderrLogger } from './logger.js';
import { parseObjectCreated, processSqsBatch, type SqsHandler } from './sqs-batch.js';

/** Where the embedded fabric's warnings go when no logger is given (AWS entries pass a Powertools one). */
const localLogger = stderrLogger('loader-ingest');

/** Lambda handler: one landing file per record, routed, loaded and moved. */
export function createLoaderIngestHandler(deps: LoaderIngestDeps & { logger?: FunctionLogger }): SqsHandler {
  return (event) =>
    processSqsBatch(event, async (record) => {
      const { bucket, key } = parseObjectCreated(record);
      const outcome = await ingestLandingFile({ bucket, key }, deps);
      const where = `${bucket}/${key}`;
      // A load is recorded in loader_files; the log says why a file went elsewhere.
      if (outcome.kind === 'failed')
        (deps.logger ?? localLogger).warn(`${where} failed: ${outcome.error}; moved to ${outcome.movedTo}`);
      else if (outcome.kind === 'unmatched')
        (deps.logger ?? localLogger).warn(`${where} matches no routing rule; moved to ${outcome.movedTo}`);
      else if (outcome.kind === 'missing') (deps.logger ?? localLogger).warn(`${where} no longer exists`);
    });
}
