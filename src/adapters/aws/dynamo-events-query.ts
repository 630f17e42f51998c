import type { EventQuery, QueryPage } from '../../ports/events-repository.js';
import { checkedLimit, queryCursor, readQueryCursor } from '../sql/event-cursors.js';
import {
  accountPartition,
  type EventItem,
  type EventsTable,
  MAX_TIME_MS,
  MIN_TIME_MS,
  timeKey,
  timePartition,
  timeSortKey,
  toStoredEvent,
} from './dynamo-events-items.js';
import { queryUntil } from './dynamo-events-requests.js';

/**
 * A client's events matching `query`, by (event time, ID), a page at a time: from the time index,
 * or from the account index when an account is given; a type is a filter on either. Both indexes
 * are global secondary indexes, so on DynamoDB an event appears in queries a moment after it is
 * stored (the feed, read from the table itself, has no such delay).
 */
export async function queryEvents(table: EventsTable, client: string, query: EventQuery): Promise<QueryPage> {
  const limit = checkedLimit(query.limit);
  const after = query.cursor === undefined ? undefined : readQueryCursor(query.cursor, client);
  // Every sort key is `<time>#<id>`: a bare time sorts before all keys of that time.
  let low = timeKey(query.fromMs === undefined ? MIN_TIME_MS : bound(query.fromMs));
  const high = query.toMs === undefined ? '~' : timeKey(bound(query.toMs));
  const afterKey = after && timeSortKey(after.timeMs, after.id);
  if (afterKey !== undefined && afterKey > low) low = afterKey;
  if (low > high) return { events: [] };

  const [index, pk, sk] =
    query.account === undefined ? ['gsi1', 'gsi1pk', 'gsi1sk'] : ['gsi2', 'gsi2pk', 'gsi2sk'];
  const items = await queryUntil(
    table,
    {
      IndexName: index,
      KeyConditionExpression: `${pk} = :pk AND ${sk} BETWEEN :low AND :high`,
      ...(query.type === undefined
        ? {}
        : { FilterExpression: '#type = :type', ExpressionAttributeNames: { '#type': 'type' } }),
      ExpressionAttributeValues: {
        ':pk': query.account === undefined ? timePartition(client) : accountPartition(client, query.account),
        ':low': low,
        ':high': high,
        ...(query.type === undefined ? {} : { ':type': query.type }),
      },
      Limit: limit + 1,
    },
    limit + 1,
    (item) => (item[sk] === afterKey ? undefined : (item as unknown as EventItem)),
  );
  const page = items.slice(0, limit);
  const last = page.at(-1);
  const more = items.length > limit && last;
  return {
    events: page.map(toStoredEvent),
    ...(more ? { next: queryCursor(client, last.timeMs, last.id) } : {}),
  };
}

/**
 * A bound as a whole millisecond with the same meaning (event times are whole milliseconds), kept
 * within the range the index can sort, far beyond any RFC 3339 time.
 */
function bound(ms: number): number {
  if (Number.isNaN(ms)) throw new RangeError('an event-time bound must be a number of milliseconds');
  return Math.min(MAX_TIME_MS, Math.max(MIN_TIME_MS, Math.ceil(ms)));
}
