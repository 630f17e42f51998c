/**
 * The orders repository over DynamoDB: the `orders` table of `tables.ts`, whose TTL attribute is
 * `ttl`.
 *
 * Item types:
 *
 * | item     | pk                   | sk      | gsi1pk / gsi1sk                       | gsi2pk / gsi2sk            |
 * |----------|----------------------|---------|---------------------------------------|----------------------------|
 * | order    | `ORDER#<recordId>`   | `ORDER` | `EXPIRY` / `<expiresAt ms>#<recordId>` | `STATUS#<status>` / `<seq>` |
 * | sequence | `SEQUENCE`           | `ORDERS`|                                       |                            |
 *
 * An order holds `recordId`, `parameter1`, `parameter2` (as text, which reads back as the same
 * double: 1e200 is beyond DynamoDB's number range), `status`, `receivedAt` and `expiresAt` (epoch
 * ms), `ttl` (epoch seconds, rounded up, so DynamoDB TTL never deletes an order before it
 * expires), `seq`, and once decided `decidedAt` and maybe `power` (text too). Numbers in sort keys
 * are zero-padded to 16 digits, so text order is numeric order.
 *
 * `seq` is the posting order (as the SQL `bigserial`): each upsert reserves a block from the
 * sequence item with one atomic ADD, and gives it to its orders in record_id order. Lists read
 * gsi2 newest first (a plain list merges the three status partitions); the auction's pending
 * orders read it oldest first; the purge reads gsi1 up to now. DynamoDB TTL deletes lazily, so
 * every read filters out orders at or past `expiresAt`, and pages loop until full.
 *
 * Consistency: `get` is strongly consistent; index reads (lists, pending, purge) are eventually
 * consistent, so an order posted or decided a moment ago may show late there. Atomicity: without
 * TransactWriteItems an upsert is not atomic. Everything a database rule would refuse is checked
 * before the first write, so a bad order stores nothing; a failure part-way (network, throttling
 * beyond the retries) leaves some orders written, each whole, and repeating the call converges.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  BatchWriteCommand,
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  type QueryCommandInput,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { MAX_RECORD_ID_LENGTH } from '../../core/orders/limits.js';
import type { Clock } from '../../ports/clock.js';
import type { Order, OrderInput, OrderStatus, OrdersRepository } from '../../ports/orders-repository.js';
import { orderCursor, readOrderCursor } from '../common/order-cursor.js';
import { checkedLimit } from '../sql/event-cursors.js';
import { mapConcurrently } from './map-concurrently.js';

export interface DynamoOrdersRepositoryOptions {
  client: DynamoDBDocumentClient;
  tableName: string;
  /** "Now", for expiry. */
  clock: Clock;
}

const STATUSES: readonly OrderStatus[] = ['pending', 'accepted', 'rejected'];
/** Requests in flight at once for the items of one call (batch writes of an upsert, purge deletes). */
const CONCURRENCY = 8;

type Item = Record<string, unknown>;

/**
 * The orders repository on a DynamoDB table created from the `orders` spec of `tables.ts`; "now",
 * for expiry, is `clock`'s (`purgeExpired` takes it explicitly from its scheduled job).
 *
 * @example
 * const client = DynamoDBDocumentClient.from(new DynamoDBClient({}));
 * const orders = createDynamoOrdersRepository({ client, tableName: 'orders-prod', clock: systemClock });
 * await orders.upsert([{ recordId: 'a', parameter1: 'x', parameter2: 4 }], { receivedAt, expiresAt });
 */
export function createDynamoOrdersRepository(options: DynamoOrdersRepositoryOptions): OrdersRepository {
  const { client, tableName, clock } = options;

  /** Up to `want` unexpired items of one index partition, in order, following pages past filtered ones. */
  const collect = async (input: Omit<QueryCommandInput, 'TableName' | 'Limit'>, want: number, now: Date) => {
    const items: Item[] = [];
    let start: Item | undefined;
    do {
      const page = await client.send(
        new QueryCommand({
          ...input,
          TableName: tableName,
          Limit: want - items.length,
          FilterExpression: 'expiresAt > :now',
          ExpressionAttributeValues: { ...input.ExpressionAttributeValues, ':now': now.getTime() },
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      items.push(...(page.Items ?? []));
      start = page.LastEvaluatedKey;
    } while (start && items.length < want);
    return items;
  };

  /** One status, by seq: newest first below `before`, or oldest first. */
  const byStatus = (
    status: OrderStatus,
    want: number,
    now: Date,
    order: { before?: number; oldestFirst?: boolean },
  ) =>
    collect(
      {
        IndexName: 'gsi2',
        KeyConditionExpression: `gsi2pk = :status${order.before === undefined ? '' : ' AND gsi2sk < :before'}`,
        ExpressionAttributeValues: {
          ':status': `STATUS#${status}`,
          ...(order.before === undefined ? {} : { ':before': pad(order.before) }),
        },
        ScanIndexForward: order.oldestFirst === true,
      },
      want,
      now,
    );

  return {
    async upsert(orders, times) {
      for (const [index, order] of orders.entries()) check(order, index);
      // The last order of a repeated record_id wins.
      const unique = [...new Map(orders.map((order) => [order.recordId, order])).values()];
      if (!(times.expiresAt.getTime() > times.receivedAt.getTime()))
        throw new RangeError('an order must expire after it is received');
      if (unique.length === 0) return;
      unique.sort((a, b) => (a.recordId < b.recordId ? -1 : a.recordId > b.recordId ? 1 : 0));
      const { Attributes } = await client.send(
        new UpdateCommand({
          TableName: tableName,
          Key: { pk: 'SEQUENCE', sk: 'ORDERS' },
          UpdateExpression: 'ADD #value :count',
          ExpressionAttributeNames: { '#value': 'value' },
          ExpressionAttributeValues: { ':count': unique.length },
          ReturnValues: 'UPDATED_NEW',
        }),
      );
      const first = Number(Attributes?.value) - unique.length + 1;
      const items = unique.map((order, index) => orderItem(order, times, first + index));
      const groups: Item[][] = [];
      for (let start = 0; start < items.length; start += 25) groups.push(items.slice(start, start + 25));
      await mapConcurrently(groups, CONCURRENCY, (group) => putAll(client, tableName, group));
    },

    async get(recordId) {
      const { Item } = await client.send(
        new GetCommand({
          TableName: tableName,
          Key: { pk: `ORDER#${recordId}`, sk: 'ORDER' },
          ConsistentRead: true,
        }),
      );
      return Item && Number(Item.expiresAt) > clock.now().getTime() ? toOrder(Item) : undefined;
    },

    async list({ status, limit, cursor }) {
      const want = checkedLimit(limit) + 1;
      const before = cursor === undefined ? undefined : readOrderCursor(cursor);
      const now = clock.now();
      const found = (
        await Promise.all((status ? [status] : STATUSES).map((one) => byStatus(one, want, now, { before })))
      ).flat();
      const rows = found.sort((a, b) => Number(b.seq) - Number(a.seq)).slice(0, want);
      const page = rows.slice(0, want - 1);
      const last = page.at(-1);
      return {
        orders: page.map(toOrder),
        ...(rows.length === want && last ? { next: orderCursor(Number(last.seq)) } : {}),
      };
    },

    async pending(limit) {
      const items = await byStatus('pending', checkedLimit(limit), clock.now(), { oldestFirst: true });
      return items.map(toOrder);
    },

    async markResult(recordId, result) {
      const power = result.power === undefined ? undefined : String(result.power);
      try {
        await client.send(
          new UpdateCommand({
            TableName: tableName,
            Key: { pk: `ORDER#${recordId}`, sk: 'ORDER' },
            UpdateExpression: `SET #status = :status, gsi2pk = :gsi2pk, decidedAt = :decidedAt${
              power === undefined ? ' REMOVE power' : ', power = :power'
            }`,
            ConditionExpression: 'attribute_exists(pk) AND expiresAt > :now',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: {
              ':status': result.status,
              ':gsi2pk': `STATUS#${result.status}`,
              ':decidedAt': result.decidedAt.getTime(),
              ':now': clock.now().getTime(),
              ...(power === undefined ? {} : { ':power': power }),
            },
          }),
        );
        return true;
      } catch (error) {
        if (error instanceof ConditionalCheckFailedException) return false;
        throw error;
      }
    },

    async purgeExpired(now) {
      let purged = 0;
      let start: Item | undefined;
      do {
        const page = await client.send(
          new QueryCommand({
            TableName: tableName,
            IndexName: 'gsi1',
            KeyConditionExpression: 'gsi1pk = :expiry AND gsi1sk < :after',
            ExpressionAttributeValues: { ':expiry': 'EXPIRY', ':after': pad(now.getTime() + 1) },
            ProjectionExpression: 'pk, sk',
            ...(start ? { ExclusiveStartKey: start } : {}),
          }),
        );
        const deleted = await mapConcurrently(page.Items ?? [], CONCURRENCY, async (item) => {
          try {
            // The index may lag a repost that renewed the order: the condition reads the item itself.
            await client.send(
              new DeleteCommand({
                TableName: tableName,
                Key: { pk: item.pk, sk: item.sk },
                ConditionExpression: 'expiresAt <= :now',
                ExpressionAttributeValues: { ':now': now.getTime() },
              }),
            );
            return 1;
          } catch (error) {
            if (error instanceof ConditionalCheckFailedException) return 0;
            throw error;
          }
        });
        purged += deleted.reduce((sum: number, one) => sum + one, 0);
        start = page.LastEvaluatedKey;
      } while (start);
      return purged;
    },
  };
}

/** What the SQL table's rules would refuse, refused before anything is written. */
function check(order: OrderInput, index: number): void {
  const length = [...(typeof order.recordId === 'string' ? order.recordId : '')].length;
  if (length < 1 || length > MAX_RECORD_ID_LENGTH)
    throw new RangeError(`order ${index}: record_id must be 1 to ${MAX_RECORD_ID_LENGTH} characters`);
  if (typeof order.parameter1 !== 'string') throw new TypeError(`order ${index}: parameter_1 must be text`);
  if (!Number.isFinite(order.parameter2))
    throw new RangeError(`order ${index}: parameter_2 must be a finite number`);
}

function orderItem(order: OrderInput, times: { receivedAt: Date; expiresAt: Date }, seq: number): Item {
  const expiresAt = times.expiresAt.getTime();
  return {
    pk: `ORDER#${order.recordId}`,
    sk: 'ORDER',
    gsi1pk: 'EXPIRY',
    gsi1sk: `${pad(expiresAt)}#${order.recordId}`,
    gsi2pk: 'STATUS#pending',
    gsi2sk: pad(seq),
    recordId: order.recordId,
    parameter1: order.parameter1,
    parameter2: String(order.parameter2),
    status: 'pending',
    receivedAt: times.receivedAt.getTime(),
    expiresAt,
    ttl: Math.ceil(expiresAt / 1000),
    seq,
  };
}

function toOrder(item: Item): Order {
  return {
    recordId: String(item.recordId),
    parameter1: String(item.parameter1),
    parameter2: Number(item.parameter2),
    status: item.status as OrderStatus,
    receivedAt: new Date(Number(item.receivedAt)),
    expiresAt: new Date(Number(item.expiresAt)),
    ...(item.decidedAt === undefined
      ? {}
      : {
          result: {
            ...(item.power === undefined ? {} : { power: Number(item.power) }),
            decidedAt: new Date(Number(item.decidedAt)),
          },
        }),
  };
}

function pad(value: number): string {
  return String(value).padStart(16, '0');
}

/** BatchWriteItem puts (at most 25), resending what the service left unprocessed, with backoff. */
async function putAll(client: DynamoDBDocumentClient, tableName: string, items: readonly Item[]) {
  let pending = items.map((Item) => ({ PutRequest: { Item } }));
  for (let attempt = 0; pending.length > 0; attempt++) {
    if (attempt > 10) throw new Error(`${pending.length} orders stayed unprocessed by ${tableName}`);
    if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, Math.min(1000, 25 * 2 ** attempt)));
    const { UnprocessedItems } = await client.send(
      new BatchWriteCommand({ RequestItems: { [tableName]: pending } }),
    );
    pending = (UnprocessedItems?.[tableName] ?? []) as typeof pending;
  }
}
