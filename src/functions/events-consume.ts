import type { KinesisStreamRecord } from 'aws-lambda';
import { type ConsumedRecord, consumeEventRecords } from '../core/events/consume-events.js';
import type { SchemaRegistry } from '../core/events/schema-registry.js';
import type { EventsRepository } from '../ports/events-repository.js';
import type { StreamHandler } from './kinesis-batch.js';

export interface EventsConsumeDeps {
  registry: SchemaRegistry;
  repository: Pick<EventsRepository, 'store'>;
}

/** Kinesis `eventID` is `<shardId>:<sequenceNumber>`. */
function toConsumed(record: KinesisStreamRecord): ConsumedRecord {
  const { kinesis } = record;
  return {
    text: Buffer.from(kinesis.data, 'base64').toString('utf8'),
    position: {
      shardId: record.eventID.slice(0, record.eventID.lastIndexOf(':')),
      sequenceNumber: kinesis.sequenceNumber,
      arrivedAt: new Date(Math.round(kinesis.approximateArrivalTimestamp * 1000)),
    },
  };
}

/**
 * `events-consume`: validates and stores a Kinesis batch of events. Bad records are kept in the
 * rejected store and never fail the batch; a database failure throws, and the event source
 * mapping retries (bisecting) until the batch is stored.
 */
export function createEventsConsumeHandler(deps: EventsConsumeDeps): StreamHandler {
  return async (event) => {
    await consumeEventRecords(event.Records.map(toConsumed), deps);
    return { batchItemFailures: [] };
  };
}
