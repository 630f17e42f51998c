import { randomUUID } from 'node:crypto';
import type { SqlClient } from '../adapters/sql/sql-client.js';
import type { BusEvent, BusEventInput, BusPublisher } from '../ports/bus.js';
import type { Clock } from '../ports/clock.js';
import type { RuleSpec } from '../topology.js';
import { matchesEventPattern, validateEventPattern } from './event-pattern.js';
import type { QueueStore } from './queue-store.js';
import { currentTraceId } from './trace.js';

export const LOCAL_ACCOUNT = '000000000000';
export const LOCAL_REGION = 'local';

export class InvalidRuleError extends Error {
  constructor(rule: string, errors: string[]) {
    super(`bus rule "${rule}" has an invalid event pattern: ${errors.join('; ')}`);
    this.name = 'InvalidRuleError';
  }
}

/** A bus publisher that can also publish inside a caller's transaction. */
export interface LocalBus extends BusPublisher {
  publishIn(db: SqlClient, events: readonly BusEventInput[]): Promise<BusEvent[]>;
}

/**
 * EventBridge on the embedded fabric: each event is matched against the topology's rules and
 * sent to every matching rule's target queue, in one transaction with the event's log entry.
 * An event that matches no rule is logged and dropped, as EventBridge does.
 */
export function createLocalBus(options: {
  db: SqlClient;
  clock: Clock;
  queues: QueueStore;
  rules: Readonly<Record<string, RuleSpec>>;
}): LocalBus {
  const { db, clock, queues, rules } = options;
  for (const [name, rule] of Object.entries(rules)) {
    const result = validateEventPattern(rule.pattern);
    if (!result.ok) throw new InvalidRuleError(name, result.errors);
    queues.spec(rule.target.queue);
  }

  const publishIn = async (tx: SqlClient, inputs: readonly BusEventInput[]): Promise<BusEvent[]> => {
    const published: BusEvent[] = [];
    for (const input of inputs) {
      const event: BusEvent = {
        version: '0',
        id: randomUUID(),
        'detail-type': input.detailType,
        source: input.source,
        account: LOCAL_ACCOUNT,
        time: clock
          .now()
          .toISOString()
          .replace(/\.\d{3}Z$/, 'Z'),
        region: LOCAL_REGION,
        resources: input.resources ?? [],
        detail: input.detail,
      };
      const traceId = currentTraceId() ?? event.id;
      const matched = Object.entries(rules).filter(([, rule]) => matchesEventPattern(rule.pattern, event));
      await tx.query(
        `INSERT INTO bus_events (id, trace_id, source, detail_type, event, rules, published_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)`,
        [
          event.id,
          traceId,
          event.source,
          event['detail-type'],
          event,
          matched.map(([name]) => name),
          clock.now(),
        ],
      );
      const body = JSON.stringify(event);
      for (const [, rule] of matched) await queues.send(rule.target.queue, [{ body, traceId }], tx);
      published.push(event);
    }
    return published;
  };

  return {
    publishIn,
    async publish(events) {
      await db.transaction((tx) => publishIn(tx, events));
    },
  };
}
