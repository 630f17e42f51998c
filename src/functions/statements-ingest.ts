import { type IngestDeps, ingestStatementFile } from '../core/statements/ingest-statement-file.js';
import { type FunctionLogger, stderrLogger } from './logger.js';
import { parseObjectCreated, processSqsBatch, type SqsHandler } from './sqs-batch.js';

/** Where the embedded fabric's warnings go when no logger is given (AWS entries pass a Powertools one). */
const localLogger = stderrLogger('statements-ingest');

/** Lambda handler: one transactions file per record. */
export function createStatementsIngestHandler(deps: IngestDeps & { logger?: FunctionLogger }): SqsHandler {
  return (event) =>
    processSqsBatch(event, async (record) => {
      const { bucket, key } = parseObjectCreated(record);
      const outcome = await ingestStatementFile({ bucket, key }, deps);
      if (outcome.kind === 'missing')
        (deps.logger ?? localLogger).warn(`${bucket}/${key} no longer exists`, {
          messageId: record.messageId,
        });
    });
}
