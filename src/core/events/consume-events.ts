import type {
  EventsRepository,
  IncomingEvent,
  RejectedInput,
  StreamPosition,
} from '../../ports/events-repository.js';
import { classifyRecordText } from './parse-event-batch.js';
import type { SchemaRegistry } from './schema-registry.js';

/** One stream record, decoded. */
export interface ConsumedRecord {
  /** The record's data as UTF-8 text. */
  text: string;
  position: StreamPosition;
}

export interface ConsumeSummary {
  stored: number;
  duplicates: number;
  conflicts: number;
  rejected: number;
}

/**
 * Validates each record against the schema registry and stores the valid ones idempotently by
 * ID; records that are not JSON, too large, or invalid go to the rejected store with every
 * reason. One bad record never fails the batch: only a failing store (the database) throws, and
 * then the whole batch is retried, which the store's idempotency makes safe.
 */
export async function consumeEventRecords(
  records: readonly ConsumedRecord[],
  deps: { registry: SchemaRegistry; repository: Pick<EventsRepository, 'store'> },
): Promise<ConsumeSummary> {
  const events: IncomingEvent[] = [];
  const rejected: RejectedInput[] = [];
  records.forEach(({ text, position }, index) => {
    const { outcome } = classifyRecordText(text, { index });
    if (outcome.status === 'rejected') {
      rejected.push({
        client: outcome.client,
        eventId: outcome.eventId,
        stage: 'validation',
        reasons: outcome.reasons,
        raw: text,
        position,
      });
      return;
    }
    const result = deps.registry.validate(outcome.value);
    if (result.ok) {
      events.push({ ...result.event, position });
      return;
    }
    const { Client, ID } = outcome.value;
    rejected.push({
      client: typeof Client === 'string' ? Client : null,
      eventId: typeof ID === 'string' ? ID : null,
      stage: 'validation',
      reasons: result.reasons,
      raw: text,
      position,
    });
  });
  const outcomes = await deps.repository.store(events, rejected);
  const summary: ConsumeSummary = { stored: 0, duplicates: 0, conflicts: 0, rejected: rejected.length };
  for (const outcome of outcomes) {
    if (outcome.status === 'stored') summary.stored++;
    else if (outcome.status === 'duplicate') summary.duplicates++;
    else summary.conflicts++;
  }
  return summary;
}
