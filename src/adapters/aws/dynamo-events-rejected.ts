import { PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { RejectedInput, RejectedRecord } from '../../ports/events-repository.js';
import { checkedLimit, readRejectedCursor, rejectedCursor } from '../sql/event-cursors.js';
import { type EventsTable, part, seqKey } from './dynamo-events-items.js';
import { putNew, queryUntil, runAll } from './dynamo-events-requests.js';

// The rejected store: records that will never be events, numbered in the order they were
// recorded, listed newest first.

const COUNTER = { pk: 'COUNTER#REJECTED', sk: 'COUNTER' };
const ALL = 'REJECTED';
const byClient = (client: string) => `REJECTED#${part(client)}`;

interface RejectedItem {
  id: number;
  client: string | null;
  eventId: string | null;
  stage: RejectedRecord['stage'];
  /** JSON text of the reasons. */
  reasons: string;
  raw: string;
  shardId?: string;
  sequenceNumber?: string;
  arrivedAt?: number;
  rejectedAt: number;
}

/**
 * Records rejections in order. A record with a stream position is keyed by it and written only if
 * absent, so a replayed position is recorded once; one without is always recorded.
 */
export async function putRejected(
  table: EventsTable,
  records: readonly RejectedInput[],
  now: Date,
): Promise<void> {
  if (records.length === 0) return;
  const { Attributes } = await table.client.send(
    new UpdateCommand({
      TableName: table.tableName,
      Key: COUNTER,
      UpdateExpression: 'ADD #last :count',
      ExpressionAttributeNames: { '#last': 'last' },
      ExpressionAttributeValues: { ':count': records.length },
      ReturnValues: 'UPDATED_NEW',
    }),
  );
  const first = Number(Attributes?.last) - records.length + 1;
  const failures = await runAll(records, table.concurrency, async (record, index) => {
    const item = rejectedItem(record, first + index, now);
    if (record.position) await putNew(table, item);
    else await table.client.send(new PutCommand({ TableName: table.tableName, Item: item }));
  });
  if (failures.length > 0) throw failures[0];
}

function rejectedItem(record: RejectedInput, id: number, now: Date): Record<string, unknown> {
  const { position } = record;
  const client = record.client === null ? null : storable(record.client);
  return {
    pk: position
      ? `REJECTED#AT#${part(position.shardId)}#${part(position.sequenceNumber)}`
      : `REJECTED#N#${id}`,
    sk: 'REJECTED',
    gsi1pk: ALL,
    gsi1sk: seqKey(id),
    ...(client === null ? {} : { gsi2pk: byClient(client), gsi2sk: seqKey(id) }),
    id,
    client,
    eventId: record.eventId === null ? null : storable(record.eventId),
    stage: record.stage,
    reasons: JSON.stringify(
      record.reasons.map((r) => ({ path: storable(r.path), message: storable(r.message) })),
    ),
    raw: storable(record.raw),
    ...(position
      ? {
          shardId: position.shardId,
          sequenceNumber: position.sequenceNumber,
          arrivedAt: position.arrivedAt.getTime(),
        }
      : {}),
    rejectedAt: now.getTime(),
  } satisfies RejectedItem & Record<string, unknown>;
}

/** Newest first, all or one client's, a page at a time. */
export async function listRejected(
  table: EventsTable,
  options: { client?: string; cursor?: string; limit: number },
): Promise<{ records: RejectedRecord[]; next?: string }> {
  const limit = checkedLimit(options.limit);
  const before = options.cursor === undefined ? undefined : readRejectedCursor(options.cursor);
  const [index, pk, sk] =
    options.client === undefined ? ['gsi1', 'gsi1pk', 'gsi1sk'] : ['gsi2', 'gsi2pk', 'gsi2sk'];
  const items = await queryUntil(
    table,
    {
      IndexName: index,
      KeyConditionExpression: `${pk} = :pk${before === undefined ? '' : ` AND ${sk} < :before`}`,
      ExpressionAttributeValues: {
        ':pk': options.client === undefined ? ALL : byClient(storable(options.client)),
        ...(before === undefined ? {} : { ':before': seqKey(before) }),
      },
      ScanIndexForward: false,
      Limit: limit + 1,
    },
    limit + 1,
    (item) => item as unknown as RejectedItem,
  );
  const page = items.slice(0, limit);
  const last = page.at(-1);
  const more = items.length > limit && last;
  return { records: page.map(toRejectedRecord), ...(more ? { next: rejectedCursor(last.id) } : {}) };
}

function toRejectedRecord(item: RejectedItem): RejectedRecord {
  const { shardId, sequenceNumber, arrivedAt } = item;
  return {
    id: String(item.id),
    client: item.client,
    eventId: item.eventId,
    stage: item.stage,
    reasons: JSON.parse(item.reasons) as RejectedRecord['reasons'],
    raw: item.raw,
    ...(shardId !== undefined && sequenceNumber !== undefined && arrivedAt !== undefined
      ? { position: { shardId, sequenceNumber, arrivedAt: new Date(arrivedAt) } }
      : {}),
    rejectedAt: new Date(item.rejectedAt),
  };
}

/** As on SQL (where text cannot hold NUL): a NUL becomes U+FFFD, so both stores keep the same text. */
function storable(text: string): string {
  return text.includes('\u0000') ? text.replaceAll('\u0000', '\uFFFD') : text;
}
