import { DeleteTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDynamoOrdersRepository } from '../../src/adapters/aws/dynamo-orders-repository.js';
import { ManualClock } from '../../src/runtime/clock.js';
import { ordersRepositoryContract } from '../contracts/orders-repository.js';
import { clientConfig, createTable, type Emulator, startDynalite } from '../support/aws-emulators.js';

let dynamo: Emulator;
let base: DynamoDBClient;
let client: DynamoDBDocumentClient;

beforeAll(async () => {
  dynamo = await startDynalite();
  base = new DynamoDBClient(clientConfig(dynamo.endpoint));
  client = DynamoDBDocumentClient.from(base);
});
afterAll(async () => {
  client?.destroy();
  await dynamo?.stop();
});

/** Order items in the table, expired ones included: a strongly consistent Scan count. */
async function storedCount(tableName: string): Promise<number> {
  let count = 0;
  let start: Record<string, unknown> | undefined;
  do {
    const page = await client.send(
      new ScanCommand({
        TableName: tableName,
        Select: 'COUNT',
        FilterExpression: 'begins_with(pk, :order)',
        ExpressionAttributeValues: { ':order': 'ORDER#' },
        ConsistentRead: true,
        ...(start ? { ExclusiveStartKey: start } : {}),
      }),
    );
    count += page.Count ?? 0;
    start = page.LastEvaluatedKey;
  } while (start);
  return count;
}

/** A fresh orders table, deleted by `cleanup`. */
async function freshTable() {
  const tableName = await createTable(dynamo.endpoint, 'orders');
  return {
    tableName,
    cleanup: async () => void (await base.send(new DeleteTableCommand({ TableName: tableName }))),
  };
}

ordersRepositoryContract('DynamoDB orders repository (dynalite)', async (clock) => {
  const { tableName, cleanup } = await freshTable();
  return {
    repository: createDynamoOrdersRepository({ client, tableName, clock }),
    storedCount: () => storedCount(tableName),
    cleanup,
  };
});

describe('DynamoDB orders repository items', () => {
  it('sets the TTL attribute to the expiry in epoch seconds, rounded up, and renews it on a repost', async () => {
    const { tableName, cleanup } = await freshTable();
    try {
      const clock = new ManualClock('2024-09-01T12:00:00.250Z');
      const repository = createDynamoOrdersRepository({ client, tableName, clock });
      const ttl = async () =>
        (await client.send(new GetCommand({ TableName: tableName, Key: { pk: 'ORDER#a', sk: 'ORDER' } })))
          .Item?.ttl;
      const receivedAt = clock.now();
      const expiresAt = new Date('2024-09-02T12:00:00.250Z');
      await repository.upsert([{ recordId: 'a', parameter1: 'x', parameter2: 1 }], { receivedAt, expiresAt });
      expect(await ttl()).toBe(Date.parse('2024-09-02T12:00:01Z') / 1000);
      const renewed = new Date('2024-09-03T00:00:00Z');
      await repository.upsert([{ recordId: 'a', parameter1: 'x', parameter2: 1 }], {
        receivedAt,
        expiresAt: renewed,
      });
      expect(await ttl()).toBe(renewed.getTime() / 1000);
    } finally {
      await cleanup();
    }
  });

  it('purges only what is still expired when the expiry index lags a repost', async () => {
    const { tableName, cleanup } = await freshTable();
    try {
      const clock = new ManualClock('2024-09-01T12:00:00Z');
      const repository = createDynamoOrdersRepository({ client, tableName, clock });
      await repository.upsert([{ recordId: 'a', parameter1: 'x', parameter2: 1 }], {
        receivedAt: clock.now(),
        expiresAt: new Date('2024-09-02T12:00:00Z'),
      });
      // The index entry still says the expiry of an earlier post: what a lagging index would show.
      const { Item } = await client.send(
        new GetCommand({ TableName: tableName, Key: { pk: 'ORDER#a', sk: 'ORDER' } }),
      );
      const earlier = Date.parse('2024-09-01T13:00:00Z');
      await client.send(
        new PutCommand({
          TableName: tableName,
          Item: { ...Item, gsi1sk: `${String(earlier).padStart(16, '0')}#a` },
        }),
      );
      expect(await repository.purgeExpired(new Date(earlier))).toBe(0);
      clock.set(new Date(earlier));
      expect(await repository.get('a')).toMatchObject({ recordId: 'a', status: 'pending' });
    } finally {
      await cleanup();
    }
  });
});
