import { randomBytes } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createDynamoStatementsRepository,
  PART_BYTES,
} from '../../src/adapters/aws/dynamo-statements-repository.js';
import type { FileReport } from '../../src/ports/statements-repository.js';
import { statementsRepositoryContract } from '../contracts/statements-repository.js';
import { clientConfig, createTable, type Emulator, startDynalite } from '../support/aws-emulators.js';

let dynamo: Emulator;
let client: DynamoDBDocumentClient;
let tableName: string;

beforeAll(async () => {
  dynamo = await startDynalite();
  client = DynamoDBDocumentClient.from(new DynamoDBClient(clientConfig(dynamo.endpoint)));
  tableName = await createTable(dynamo.endpoint, 'statements');
});
afterAll(async () => {
  client?.destroy();
  await dynamo?.stop();
});

statementsRepositoryContract('DynamoDB statements repository (dynalite)', () => ({
  repository: createDynamoStatementsRepository({ client, tableName }),
}));

describe('DynamoDB statements repository items', () => {
  /** Every item of a file report: the head and its parts. */
  const reportItems = async (fileId: string) =>
    (
      await client.send(
        new QueryCommand({
          TableName: tableName,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': `REPORT#${fileId}` },
        }),
      )
    ).Items ?? [];

  it('keeps a large report in parts under the item limit, and deletes the parts a new report replaces', async () => {
    const repository = createDynamoStatementsRepository({ client, tableName });
    const fileId = 'transactions/parts.csv@"p"';
    const big: FileReport = {
      fileId,
      bucket: 'transactions',
      key: 'parts.csv',
      etag: '"p"',
      status: 'processed',
      accepted: 0,
      inserted: 0,
      duplicates: 0,
      rejectedCount: 10_000,
      // Random text does not compress: megabytes of it.
      rejected: Array.from({ length: 10_000 }, (_, i) => ({
        line: i + 2,
        reason: `date: "${randomBytes(96).toString('base64')}" is not a date`,
      })),
      accounts: [],
      finishedAt: new Date('2024-07-01T00:00:00.000Z'),
    };
    await repository.saveFileReport(big);
    const parts = (await reportItems(fileId)).filter((item) => String(item.sk).startsWith('PART#'));
    expect(parts.length).toBeGreaterThan(1);
    for (const part of parts) expect((part.data as Uint8Array).length).toBeLessThanOrEqual(PART_BYTES);

    await repository.saveFileReport({ ...big, rejected: [], rejectedCount: 0 });
    expect((await reportItems(fileId)).map((item) => item.sk)).toEqual(['REPORT']);
    expect(await repository.getFileReport(fileId)).toMatchObject({ rejected: [], rejectedCount: 0 });
  });
});
