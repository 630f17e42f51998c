import { createDynamoEventsRepository } from '../../adapters/aws/dynamo-events-repository.js';
import { defaultSchemaRegistry } from '../../core/events/schema-registry.js';
import { createEventsConsumeHandler } from '../../functions/events-consume.js';
import { documentClient } from '../clients.js';
import { systemClock } from '../clock.js';
import { lambdaEnv } from '../env.js';
import { functionLogger, withStreamLogging } from '../lambda.js';

/**
 * `events-consume` (the Kinesis stream events): validates each record against the schema registry
 * and stores it by ID in DynamoDB. A bad record is kept in the rejected store and never fails the
 * batch; a DynamoDB failure fails the invocation, and the event source mapping retries (bisecting).
 */
const env = lambdaEnv(['EVENTS_TABLE']);

export const handler = withStreamLogging(
  functionLogger('events-consume'),
  createEventsConsumeHandler({
    registry: defaultSchemaRegistry,
    repository: createDynamoEventsRepository({
      client: documentClient(),
      tableName: env.EVENTS_TABLE,
      clock: systemClock,
    }),
  }),
);
