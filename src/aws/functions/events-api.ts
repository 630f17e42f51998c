import { createDynamoClientRegistry } from '../../adapters/aws/dynamo-client-registry.js';
import { createDynamoEventsRepository } from '../../adapters/aws/dynamo-events-repository.js';
import { createKinesisProducer } from '../../adapters/aws/kinesis-producer.js';
import type { ServicesFor } from '../../api/services.js';
import { registerClient } from '../../core/access/client-tokens.js';
import { acceptEventRecords } from '../../core/events/accept-events.js';
import type { StreamName } from '../../topology.js';
import { apiHandler } from '../api.js';
import { documentClient, kinesisClient } from '../clients.js';
import { systemClock } from '../clock.js';
import { lambdaEnv, requireNames } from '../env.js';
import { functionLogger } from '../lambda.js';

/**
 * `events-api`: POST /events puts the records that pass the edge checks on the Kinesis stream
 * (PutRecords, partitioned by Client; records Kinesis refuses one by one are put again, by the
 * producer and then by `acceptEventRecords`, before they are reported retryable) and keeps the
 * others in the rejected store. The read routes (feed, query, consumer groups, rejected) and the
 * client registry use the DynamoDB events table. POST /events/bulk is not routed here: Lambda
 * buffers at most 6 MB of body, so producers send batches to POST /events.
 */
const EVENTS_STREAM: StreamName = 'events';

const env = lambdaEnv(['EVENTS_TABLE', 'STREAMS']);
const events = createDynamoEventsRepository({
  client: documentClient(),
  tableName: env.EVENTS_TABLE,
  clock: systemClock,
});
const clients = createDynamoClientRegistry({
  client: documentClient(),
  tableName: env.EVENTS_TABLE,
  clock: systemClock,
});
const stream = createKinesisProducer({
  client: kinesisClient(),
  streamNames: requireNames('STREAMS', env.STREAMS, [EVENTS_STREAM]),
});

const services: ServicesFor<'events' | 'clients'> = {
  events: {
    accept: (records) =>
      acceptEventRecords(records, {
        stream,
        streamName: EVENTS_STREAM,
        recordRejected: async (rejected) => {
          await events.store([], rejected);
        },
      }),
    feed: (client, options) => events.feed(client, options),
    query: (client, query) => events.query(client, query),
    listRejected: (options) => events.listRejected(options),
    poll: (client, name, options) => events.poll(client, name, options),
    ack: (client, name, cursor) => events.ack(client, name, cursor),
    getConsumer: (client, name) => events.getConsumer(client, name),
  },
  clients: {
    add: (name, options) => registerClient(clients, name, options),
    listClients: () => clients.listClients(),
  },
};

export const handler = apiHandler(functionLogger('events-api'), services, ['events', 'clients']);
