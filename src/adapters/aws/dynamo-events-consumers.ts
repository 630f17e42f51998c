import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import {
  AckBeyondDeliveryError,
  type ConsumerPoll,
  type ConsumerState,
} from '../../ports/events-repository.js';
import { checkedLimit, feedCursor, readFeedCursor } from '../sql/event-cursors.js';
import { readFeed } from './dynamo-events-feed.js';
import { type EventsTable, keys, toStoredEvent } from './dynamo-events-items.js';
import { backoff, isConditionalFailure, pause, putNew } from './dynamo-events-requests.js';

// Named consumer groups over a client's feed. A group is one item; every change is an update
// conditional on the version read, retried from a fresh read when another poll or ack got there
// first, so concurrent polls hand out consecutive pages, never the same one.

interface Group {
  committed: number;
  delivered: number;
  /** Epoch ms, or null when nothing is outstanding. */
  leaseExpiresAt: number | null;
  version: number;
}

const NEW_GROUP: Group = { committed: 0, delivered: 0, leaseExpiresAt: null, version: 0 };

/** Version conflicts tolerated before giving up: each means another member made progress. */
const MAX_ATTEMPTS = 50;

/**
 * One poll (see `EventsRepository.poll`), with the semantics of the SQL adapter: a poll that hands
 * out nothing changes nothing (no lease), and its `ackCursor` is `committed`.
 */
export async function pollConsumer(
  table: EventsTable,
  client: string,
  name: string,
  options: { limit: number; leaseSeconds: number },
): Promise<ConsumerPoll> {
  const limit = checkedLimit(options.limit);
  if (!Number.isFinite(options.leaseSeconds) || options.leaseSeconds <= 0)
    throw new RangeError(`leaseSeconds must be a positive number, not ${options.leaseSeconds}`);
  return withRetries(client, name, async () => {
    let group = await readGroup(table, client, name);
    if (!group) {
      await putNew(table, { ...keys.consumer(client, name), ...NEW_GROUP });
      group = (await readGroup(table, client, name)) ?? NEW_GROUP;
    }
    const now = table.clock.now().getTime();
    const outstanding = group.delivered > group.committed;
    const expired = outstanding && group.leaseExpiresAt !== null && group.leaseExpiresAt <= now;
    const items = await readFeed(table, client, expired ? group.committed : group.delivered, limit);
    const last = items.at(-1);
    let state = group;
    if (last) {
      const lease = now + options.leaseSeconds * 1000;
      state = { ...group, delivered: last.seq, leaseExpiresAt: lease };
    } else if (expired) {
      state = { ...group, delivered: group.committed, leaseExpiresAt: null };
    }
    if (state !== group && !(await saveGroup(table, client, name, state))) return undefined;
    return {
      ...toConsumerState(client, name, state),
      events: items.map(toStoredEvent),
      ackCursor: feedCursor(client, last ? last.seq : state.committed),
      redelivered: expired && items.length > 0,
    };
  });
}

/** Commits up to `cursor`, as on SQL: a no-op when already committed, an error past `delivered`. */
export async function ackConsumer(
  table: EventsTable,
  client: string,
  name: string,
  cursor: string,
): Promise<ConsumerState> {
  const seq = readFeedCursor(cursor, client);
  return withRetries(client, name, async () => {
    const group = (await readGroup(table, client, name)) ?? NEW_GROUP;
    if (seq <= group.committed) return toConsumerState(client, name, group);
    if (seq > group.delivered)
      throw new AckBeyondDeliveryError(
        `consumer group "${name}" of client "${client}" cannot acknowledge event #${seq}: it was given events up to #${group.delivered}`,
      );
    const state: Group = {
      ...group,
      committed: seq,
      leaseExpiresAt: seq === group.delivered ? null : group.leaseExpiresAt,
    };
    return (await saveGroup(table, client, name, state)) ? toConsumerState(client, name, state) : undefined;
  });
}

export async function getConsumer(
  table: EventsTable,
  client: string,
  name: string,
): Promise<ConsumerState | undefined> {
  const group = await readGroup(table, client, name);
  return group && toConsumerState(client, name, group);
}

/** Runs `attempt` until it returns a result (undefined: it lost a race and reads again). */
async function withRetries<T>(
  client: string,
  name: string,
  attempt: () => Promise<T | undefined>,
): Promise<T> {
  for (let tries = 0; tries < MAX_ATTEMPTS; tries++) {
    const result = await attempt();
    if (result !== undefined) return result;
    await pause(backoff(tries));
  }
  throw new Error(
    `consumer group "${name}" of client "${client}" changed under ${MAX_ATTEMPTS} attempts in a row`,
  );
}

async function readGroup(table: EventsTable, client: string, name: string): Promise<Group | undefined> {
  const { Item } = await table.client.send(
    new GetCommand({ TableName: table.tableName, Key: keys.consumer(client, name), ConsistentRead: true }),
  );
  if (!Item) return undefined;
  return {
    committed: Number(Item.committed),
    delivered: Number(Item.delivered),
    leaseExpiresAt: typeof Item.leaseExpiresAt === 'number' ? Item.leaseExpiresAt : null,
    version: Number(Item.version),
  };
}

/** Writes `state` if the group is still at the version it was read at; false when it was not. */
async function saveGroup(table: EventsTable, client: string, name: string, state: Group): Promise<boolean> {
  try {
    await table.client.send(
      new UpdateCommand({
        TableName: table.tableName,
        Key: keys.consumer(client, name),
        UpdateExpression:
          'SET committed = :committed, delivered = :delivered, leaseExpiresAt = :lease, version = :next',
        ConditionExpression: 'version = :version',
        ExpressionAttributeValues: {
          ':committed': state.committed,
          ':delivered': state.delivered,
          ':lease': state.leaseExpiresAt,
          ':version': state.version,
          ':next': state.version + 1,
        },
      }),
    );
    return true;
  } catch (error) {
    if (isConditionalFailure(error)) return false;
    throw error;
  }
}

function toConsumerState(client: string, name: string, group: Group): ConsumerState {
  return {
    client,
    name,
    committed: feedCursor(client, group.committed),
    delivered: feedCursor(client, group.delivered),
    leaseExpiresAt: group.leaseExpiresAt === null ? null : new Date(group.leaseExpiresAt),
  };
}
