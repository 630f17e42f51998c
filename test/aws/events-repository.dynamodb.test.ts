import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDynamoClientRegistry } from '../../src/adapters/aws/dynamo-client-registry.js';
import { FeedLockLostError } from '../../src/adapters/aws/dynamo-events-feed.js';
import { eventItem, feedPartition, keys, part } from '../../src/adapters/aws/dynamo-events-items.js';
import { createDynamoEventsRepository } from '../../src/adapters/aws/dynamo-events-repository.js';
import type { IncomingEvent } from '../../src/ports/events-repository.js';
import { ManualClock } from '../../src/runtime/clock.js';
import { eventsRepositoryContract } from '../contracts/events-repository.js';
import { clientConfig, createTable, type Emulator, startDynalite } from '../support/aws-emulators.js';

let dynamo: Emulator;
let client: DynamoDBDocumentClient;
/** One table for the file, as the SQL suites share a database: every test uses its own clients. */
let tableName: string;

beforeAll(async () => {
  dynamo = await startDynalite();
  client = DynamoDBDocumentClient.from(new DynamoDBClient(clientConfig(dynamo.endpoint)));
  tableName = await createTable(dynamo.endpoint, 'events');
});
afterAll(async () => {
  client?.destroy();
  await dynamo?.stop();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Items of a partition (or of an index partition), strongly consistent where the table allows. */
async function countItems(pk: string, index?: 'gsi2', filter?: { kind: string }): Promise<number> {
  let count = 0;
  let start: Record<string, unknown> | undefined;
  do {
    const page = await client.send(
      new QueryCommand({
        TableName: tableName,
        ...(index ? { IndexName: index } : { ConsistentRead: true }),
        KeyConditionExpression: `${index ? `${index}pk` : 'pk'} = :pk`,
        ...(filter ? { FilterExpression: 'kind = :kind' } : {}),
        ExpressionAttributeValues: { ':pk': pk, ...(filter ? { ':kind': filter.kind } : {}) },
        Select: 'COUNT',
        ...(start ? { ExclusiveStartKey: start } : {}),
      }),
    );
    count += page.Count ?? 0;
    start = page.LastEvaluatedKey;
  } while (start);
  return count;
}

const feedLocked = async (name: string) =>
  (await client.send(new GetCommand({ TableName: tableName, Key: keys.head(name), ConsistentRead: true })))
    .Item?.lockOwner !== undefined;

const repositoryOn = (clock: ManualClock) => createDynamoEventsRepository({ client, tableName, clock });

eventsRepositoryContract('DynamoDB events repository (dynalite)', async (clock) => {
  const repository = repositoryOn(clock);
  return {
    repository,
    clients: createDynamoClientRegistry({ client, tableName, clock }),
    storedCount: (name) => countItems(feedPartition(name), undefined, { kind: 'event' }),
    rejectedCount: (name) => countItems(`REJECTED#${part(name)}`, 'gsi2'),
    async race(first, second) {
      const name = first[0]!.client;
      let done = false;
      const winning = repository.store(first, []).finally(() => {
        done = true;
      });
      // Start the rival, another writer, once the first store holds the client's feed lock.
      while (!done && !(await feedLocked(name))) await sleep(1);
      const racing = repositoryOn(clock).store(second, []);
      return [await winning, await racing];
    },
  };
});

describe('DynamoDB events repository: feed lock and recovery (dynalite)', () => {
  const newClient = () => `client-${randomBytes(6).toString('hex')}`;
  let sequence = 0;
  const event = (name: string): IncomingEvent => {
    const id = randomUUID();
    const time = '2024-09-01T10:00:00Z';
    const payload = {
      ID: id,
      Source: 'monitoring',
      Client: name,
      Type: 'check_account',
      Event: { CustomerID: 'cust-1', AccountID: 'acct-1', Time: time },
    };
    return {
      id,
      client: name,
      source: 'monitoring',
      type: 'check_account',
      customerId: 'cust-1',
      accountId: 'acct-1',
      time,
      timeMs: Date.parse(time),
      schemaVersion: 'v1',
      payload,
      fingerprint: createHash('sha256').update(JSON.stringify(payload)).digest('hex'),
      position: {
        shardId: 'shardId-000000000000',
        sequenceNumber: String(++sequence).padStart(21, '0'),
        arrivedAt: new Date('2024-09-01T10:00:01Z'),
      },
    };
  };
  const put = (item: object) => client.send(new PutCommand({ TableName: tableName, Item: item }));
  const ids = (page: { events: { id: string }[] }) => page.events.map((stored) => stored.id);
  const slot = async (name: string, seq: number) =>
    (
      await client.send(
        new GetCommand({ TableName: tableName, Key: keys.slot(name, seq), ConsistentRead: true }),
      )
    ).Item;

  it('shows readers nothing past the published position, and takes over the lock of a writer that died', async () => {
    const clock = new ManualClock('2024-09-01T12:00:00Z');
    const repo = repositoryOn(clock);
    const name = newClient();
    const [lost, written] = [event(name), event(name)];
    // A writer allocated slots 1 and 2, claimed both events, wrote only slot 2, and died.
    await put({
      ...keys.head(name),
      allocated: 2,
      lockOwner: 'dead',
      lockExpiresAt: clock.now().getTime() + 1000,
    });
    for (const [stored, seq] of [
      [lost, 1],
      [written, 2],
    ] as const)
      await put({
        ...keys.claim(stored.id),
        id: stored.id,
        client: name,
        fingerprint: stored.fingerprint,
        seq,
      });
    await put(eventItem(written, 2, clock.now()));
    expect(await repo.feed(name, { limit: 10 })).toMatchObject({ events: [] });

    clock.advance(1000);
    // Its batch is retried: both events are duplicates, and the one it never wrote is placed anew.
    expect(await repo.store([lost, written], [])).toEqual([{ status: 'duplicate' }, { status: 'duplicate' }]);
    expect(ids(await repo.feed(name, { limit: 10 }))).toEqual([written.id, lost.id]);
    expect(await slot(name, 1)).toMatchObject({ kind: 'hole' });
    // A late write of the dead writer into its slot fails instead of landing behind a reader.
    await expect(
      client.send(
        new PutCommand({
          TableName: tableName,
          Item: eventItem(lost, 1, clock.now()),
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      ),
    ).rejects.toThrow(/conditional/i);
  });

  it('waits while another writer holds the lock, until it is released or expires', async () => {
    const clock = new ManualClock('2024-09-01T12:00:00Z');
    const repo = repositoryOn(clock);
    const name = newClient();
    await put({
      ...keys.head(name),
      allocated: 0,
      lockOwner: 'busy',
      lockExpiresAt: clock.now().getTime() + 60_000,
    });
    let finished = false;
    const storing = repo.store([event(name)], []).finally(() => {
      finished = true;
    });
    await sleep(100);
    expect(finished).toBe(false);
    clock.advance(60_000);
    expect(await storing).toEqual([{ status: 'stored' }]);
    expect(await feedLocked(name)).toBe(false);
  });

  it('fails a writer whose slot was taken from it, and the retry places its event', async () => {
    const clock = new ManualClock('2024-09-01T12:00:00Z');
    const repo = repositoryOn(clock);
    const name = newClient();
    const fenced = event(name);
    // As if a writer that took the lock over had already put a hole into the next slot.
    await put({ ...keys.slot(name, 1), kind: 'hole', seq: 1 });
    await expect(repo.store([fenced], [])).rejects.toThrow(FeedLockLostError);
    expect(await repo.feed(name, { limit: 10 })).toMatchObject({ events: [] });
    expect(await repo.store([fenced], [])).toEqual([{ status: 'duplicate' }]);
    const page = await repo.feed(name, { limit: 10 });
    expect(ids(page)).toEqual([fenced.id]);
    expect(await feedLocked(name)).toBe(false);
  });

  it('keeps the feed gap-free while several writers (repository instances) contend for the lock', async () => {
    const clock = new ManualClock('2024-09-01T12:00:00Z');
    const name = newClient();
    const calls = Array.from({ length: 6 }, () => Array.from({ length: 15 }, () => event(name)));
    let writing = true;
    const writers = Promise.all(calls.map((batch) => repositoryOn(clock).store(batch, []))).finally(() => {
      writing = false;
    });
    const reader = repositoryOn(clock);
    const seen: string[] = [];
    let after: string | undefined;
    for (let draining = true; draining; ) {
      draining = writing;
      const page = await reader.feed(name, { after, limit: 7 });
      seen.push(...ids(page));
      after = page.next;
      if (page.events.length === 7) draining = true;
    }
    expect((await writers).flat().every((outcome) => outcome.status === 'stored')).toBe(true);
    expect(seen).toHaveLength(90);
    expect(new Set(seen).size).toBe(90);
    // Each call's events are consecutive: writers take turns.
    const order = seen.map((id) => calls.findIndex((batch) => batch.some((stored) => stored.id === id)));
    expect(order.filter((call, index) => index === 0 || call !== order[index - 1])).toHaveLength(6);
  });

  it('trusts a token item only while its client has that hash, so a rotation that died midway changes nothing', async () => {
    const clock = new ManualClock('2024-09-01T12:00:00Z');
    const clients = createDynamoClientRegistry({ client, tableName, clock });
    const name = newClient();
    await clients.addClient(name, `${name}-h1`);
    // A rotation that died after reserving the new hash, before switching the client to it.
    await put({ pk: `TOKEN#${name}-h2`, sk: 'TOKEN', client: name });
    expect(await clients.clientForTokenHash(`${name}-h2`)).toBeUndefined();
    expect(await clients.clientForTokenHash(`${name}-h1`)).toBe(name);
    await expect(clients.addClient(newClient(), `${name}-h2`)).rejects.toThrow(/another client already has/);
    expect(await clients.addClient(name, `${name}-h2`, { rotate: true })).toBe('rotated');
    expect(await clients.clientForTokenHash(`${name}-h2`)).toBe(name);
    expect(await clients.clientForTokenHash(`${name}-h1`)).toBeUndefined();
  });
});
