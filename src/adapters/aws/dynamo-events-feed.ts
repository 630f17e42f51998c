import { randomUUID } from 'node:crypto';
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { FeedPage } from '../../ports/events-repository.js';
import { checkedLimit, feedCursor, readFeedCursor } from '../sql/event-cursors.js';
import {
  type EventItem,
  type EventsTable,
  feedPartition,
  keys,
  type SlotItem,
  seqKey,
  toStoredEvent,
} from './dynamo-events-items.js';
import {
  backoff,
  isConditionalFailure,
  pause,
  putNew,
  queryUntil,
  runAll,
} from './dynamo-events-requests.js';

// A client's feed: its lock, its sequence numbers and what readers may see of it. The protocol is
// described under "Ingestion order" in `dynamo-events-repository.ts`.

/** A held feed lock; `end` is the last sequence number allocated to its holder. */
export interface FeedLock {
  client: string;
  token: string;
  end: number;
}

/** The holder of a feed lock lost it (it expired and another writer took over) mid-store. */
export class FeedLockLostError extends Error {
  constructor(client: string) {
    super(
      `the feed lock of client "${client}" expired during the store and another writer took it over: ` +
        'nothing was lost, and retrying the store places what this one could not',
    );
    this.name = 'FeedLockLostError';
  }
}

/**
 * Takes `client`'s feed lock and allocates `count` sequence numbers to the caller (the first is
 * returned), waiting while another writer holds a lock that has not expired. A lock taken over
 * from a writer that died first settles that writer's slots.
 */
export async function lockFeed(
  table: EventsTable,
  client: string,
  count: number,
): Promise<{ lock: FeedLock; first: number }> {
  const token = randomUUID();
  const waitingSince = Date.now();
  for (let attempt = 0; ; attempt++) {
    const now = table.clock.now().getTime();
    let before: Record<string, unknown> | undefined;
    try {
      ({ Attributes: before } = await table.client.send(
        new UpdateCommand({
          TableName: table.tableName,
          Key: keys.head(client),
          UpdateExpression:
            'SET lockOwner = :token, lockExpiresAt = :expires, allocated = if_not_exists(allocated, :zero) + :count',
          ConditionExpression: 'attribute_not_exists(lockOwner) OR lockExpiresAt <= :now',
          ExpressionAttributeValues: {
            ':token': token,
            ':expires': now + table.lockMs,
            ':zero': 0,
            ':count': count,
            ':now': now,
          },
          ReturnValues: 'ALL_OLD',
        }),
      ));
    } catch (error) {
      if (!isConditionalFailure(error)) throw error;
      if (Date.now() - waitingSince > table.lockWaitMs)
        throw new Error(
          `the feed of client "${client}" stayed locked by another writer for ${table.lockWaitMs} ms`,
        );
      await pause(backoff(attempt));
      continue;
    }
    const allocated = Number(before?.allocated ?? 0);
    const visible = Number(before?.visible ?? 0);
    // Only a holder that died leaves numbers allocated but unpublished.
    if (allocated > visible) await settle(table, client, visible, allocated);
    return { lock: { client, token, end: allocated + count }, first: allocated + 1 };
  }
}

/** Allocates `count` more sequence numbers to the holder of `lock`; returns the first. */
export async function allocate(table: EventsTable, lock: FeedLock, count: number): Promise<number> {
  try {
    const { Attributes } = await table.client.send(
      new UpdateCommand({
        TableName: table.tableName,
        Key: keys.head(lock.client),
        UpdateExpression: 'SET allocated = allocated + :count',
        ConditionExpression: 'lockOwner = :token',
        ExpressionAttributeValues: { ':count': count, ':token': lock.token },
        ReturnValues: 'UPDATED_NEW',
      }),
    );
    lock.end = Number(Attributes?.allocated);
    return lock.end - count + 1;
  } catch (error) {
    if (isConditionalFailure(error)) throw new FeedLockLostError(lock.client);
    throw error;
  }
}

/**
 * Publishes everything allocated to the lock's holder to readers and releases the lock. Returns
 * false when the lock was lost: then the writer that took it over publishes these slots.
 */
export async function unlockFeed(table: EventsTable, lock: FeedLock): Promise<boolean> {
  try {
    await table.client.send(
      new UpdateCommand({
        TableName: table.tableName,
        Key: keys.head(lock.client),
        UpdateExpression: 'SET visible = :end REMOVE lockOwner, lockExpiresAt',
        ConditionExpression: 'lockOwner = :token',
        ExpressionAttributeValues: { ':end': lock.end, ':token': lock.token },
      }),
    );
    return true;
  } catch (error) {
    if (isConditionalFailure(error)) return false;
    throw error;
  }
}

/**
 * Puts a hole in each of `seqs` that no write has filled, so that no late write can fill it;
 * returns the sequence numbers found already filled.
 */
export async function punch(table: EventsTable, client: string, seqs: readonly number[]): Promise<number[]> {
  const filled: number[] = [];
  const failures = await runAll(seqs, table.concurrency, async (seq) => {
    if (!(await putNew(table, { ...keys.slot(client, seq), kind: 'hole', seq }))) filled.push(seq);
  });
  if (failures.length > 0) throw failures[0];
  return filled;
}

/** Makes every slot in (`visible`, `allocated`] final: those a dead writer never filled get holes. */
async function settle(table: EventsTable, client: string, visible: number, allocated: number): Promise<void> {
  const present = await queryUntil(
    table,
    slotRange(client, visible + 1, allocated),
    Number.POSITIVE_INFINITY,
    (item) => Number(item.seq),
  );
  const written = new Set(present);
  const unwritten: number[] = [];
  for (let seq = visible + 1; seq <= allocated; seq++) if (!written.has(seq)) unwritten.push(seq);
  await punch(table, client, unwritten);
}

function slotRange(client: string, from: number, to: number) {
  return {
    KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
    ExpressionAttributeValues: { ':pk': feedPartition(client), ':from': seqKey(from), ':to': seqKey(to) },
    ConsistentRead: true,
  };
}

/** Up to `limit` of `client`'s events after `afterSeq`, in ingestion order, among those published. */
export async function readFeed(
  table: EventsTable,
  client: string,
  afterSeq: number,
  limit: number,
): Promise<EventItem[]> {
  const { Item: head } = await table.client.send(
    new GetCommand({
      TableName: table.tableName,
      Key: keys.head(client),
      ConsistentRead: true,
      ProjectionExpression: 'visible',
    }),
  );
  const visible = Number(head?.visible ?? 0);
  if (afterSeq >= visible) return [];
  return queryUntil(table, { ...slotRange(client, afterSeq + 1, visible), Limit: limit }, limit, (item) => {
    const slot = item as unknown as SlotItem;
    return slot.kind === 'event' ? slot : undefined;
  });
}

/** A page of `client`'s feed; `next` is the last event's cursor, else `after` (else the start). */
export async function feedPage(
  table: EventsTable,
  client: string,
  { after, limit }: { after?: string; limit: number },
): Promise<FeedPage> {
  const afterSeq = after === undefined ? 0 : readFeedCursor(after, client);
  const items = await readFeed(table, client, afterSeq, checkedLimit(limit));
  const last = items.at(-1);
  return {
    events: items.map(toStoredEvent),
    next: last ? feedCursor(client, last.seq) : (after ?? feedCursor(client, 0)),
  };
}
