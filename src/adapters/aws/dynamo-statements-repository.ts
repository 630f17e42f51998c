/**
 * The statements repository over DynamoDB: the `statements` table of `tables.ts`.
 *
 * Item types (every key is prefixed, so no part of an ID can make two item types collide):
 *
 * | item        | pk                     | sk                          | gsi1pk / gsi1sk          |
 * |-------------|------------------------|-----------------------------|--------------------------|
 * | transaction | `ACCOUNT#<accountId>`  | `TX#<transactionId>`        |                          |
 * | holder      | `ACCOUNT#<accountId>`  | `HOLDER`                    | `HOLDERS` / `A#<accountId>` |
 * | file report | `REPORT#<fileId>`      | `REPORT`                    |                          |
 * | report part | `REPORT#<fileId>`      | `PART#<version>#<index>`    |                          |
 *
 * A transaction holds `date` (`YYYY-MM-DD`) and `amountCents`. A save reads the batch's keys first
 * (strongly consistent BatchGetItem), then writes each absent one by a put conditional on the key
 * still being absent: nothing is ever overwritten, a concurrent writer of the same key makes the
 * put fail and the stored item decides duplicate or conflict, and a redelivered batch reports
 * duplicates.
 *
 * Monthly totals are aggregated on read from the account's transactions (one strongly consistent
 * Query of two small attributes), not kept in per-month counter items: without TransactWriteItems
 * an insert and its counter update are two writes, and a crash between them either loses the
 * amount (the redelivery sees a duplicate) or counts it twice (if the counter goes first). Only a
 * log of applied transaction IDs on the counter would make it exact, which triples the writes and
 * makes every month one hot item. Reading is exact by construction and costs one 1 MB page per
 * ~10,000 transactions, once per account and file.
 *
 * A file report keeps its scalars in the head item and its `rejected` lines and `accounts`, as
 * gzipped JSON, in the head too when small, otherwise in part items of at most {@link PART_BYTES}
 * (a report may list 10,000 lines, beyond DynamoDB's 400 KB item limit). A new report writes its
 * parts under a fresh version, then switches the head to it, then deletes the previous version's
 * parts: a reader never sees a mix of two reports. A save that dies before its switch leaves parts
 * of a version no head names: ignored by reads, never deleted (a few hundred KB per crash).
 */
import { randomUUID } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  BatchWriteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  type QueryCommandInput,
} from '@aws-sdk/lib-dynamodb';
import type { Account, MonthlyTotals, SaveOutcome, Transaction } from '../../core/statements/types.js';
import type { FileReport, StatementsRepository } from '../../ports/statements-repository.js';
import { mapConcurrently } from './map-concurrently.js';

export interface DynamoStatementsRepositoryOptions {
  client: DynamoDBDocumentClient;
  tableName: string;
  /** Conditional puts in flight at once while saving transactions (default 32). */
  concurrency?: number;
}

/** Compressed report bytes per item: well under the 400 KB item limit, with room for the keys. */
export const PART_BYTES = 350_000;

/** What the table holds for one (account, id) after a save, and whether this save put it there. */
interface Stored {
  inserted: boolean;
  date: string;
  amountCents: number;
}

/**
 * The statements repository on a DynamoDB table created from the `statements` spec of `tables.ts`.
 *
 * @example
 * const statements = createDynamoStatementsRepository({
 *   client: DynamoDBDocumentClient.from(new DynamoDBClient({})),
 *   tableName: 'statements-prod',
 * });
 */
export function createDynamoStatementsRepository(
  options: DynamoStatementsRepositoryOptions,
): StatementsRepository {
  const { client, tableName } = options;
  const concurrency = options.concurrency ?? 32;

  const queryAll = async (input: Omit<QueryCommandInput, 'TableName'>) => {
    const items: Record<string, unknown>[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await client.send(
        new QueryCommand({ ...input, TableName: tableName, ...(start ? { ExclusiveStartKey: start } : {}) }),
      );
      items.push(...(page.Items ?? []));
      start = page.LastEvaluatedKey;
    } while (start);
    return items;
  };

  const saveOne = async (t: Transaction): Promise<Stored> => {
    const Key = transactionKey(t);
    try {
      await client.send(
        new PutCommand({
          TableName: tableName,
          Item: { ...Key, date: t.date, amountCents: t.amountCents },
          ConditionExpression: 'attribute_not_exists(pk)',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return { inserted: true, date: t.date, amountCents: t.amountCents };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      // The exception carries the stored item where the service supports it; else read it back.
      const raw = error.Item;
      if (raw?.date?.S !== undefined && raw.amountCents?.N !== undefined)
        return { inserted: false, date: raw.date.S, amountCents: Number(raw.amountCents.N) };
      const { Item } = await client.send(new GetCommand({ TableName: tableName, Key, ConsistentRead: true }));
      // The condition failed, so the item exists, and nothing deletes transactions.
      if (!Item)
        throw new Error(`transaction ${t.accountId}/${t.transactionId} was neither inserted nor found`);
      return { inserted: false, date: String(Item.date), amountCents: Number(Item.amountCents) };
    }
  };

  return {
    async saveTransactions(transactions) {
      // Within the batch the first occurrence of a key is the one saved; later ones are judged
      // against whatever the table holds afterwards, exactly like the SQL repository.
      const slotOf = new Map<string, number>();
      const unique: Transaction[] = [];
      const firstPosition: number[] = [];
      const slots = transactions.map((transaction, position) => {
        const key = keyString(transactionKey(transaction));
        let slot = slotOf.get(key);
        if (slot === undefined) {
          slot = unique.length;
          slotOf.set(key, slot);
          unique.push(transaction);
          firstPosition.push(position);
        }
        return slot;
      });
      // A strongly consistent batch read first finds what is stored (a re-uploaded file costs reads,
      // not failed writes); only the keys absent then are put, each conditionally, since another
      // ingest may write them meanwhile.
      const found = await batchGet(
        client,
        tableName,
        unique.map((t) => transactionKey(t)),
      );
      const stored = await mapConcurrently(unique, concurrency, async (t): Promise<Stored> => {
        const item = found.get(keyString(transactionKey(t)));
        return item
          ? { inserted: false, date: String(item.date), amountCents: Number(item.amountCents) }
          : saveOne(t);
      });
      return transactions.map((transaction, position): SaveOutcome => {
        const slot = slots[position]!;
        const row = stored[slot]!;
        if (row.inserted && firstPosition[slot] === position) return { kind: 'inserted' };
        if (row.date === transaction.date && row.amountCents === transaction.amountCents)
          return { kind: 'duplicate' };
        return { kind: 'conflict', existing: { date: row.date, amountCents: row.amountCents } };
      });
    },

    async monthlyTotals(accountId) {
      const items = await queryAll({
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :tx)',
        ExpressionAttributeValues: { ':pk': accountKey(accountId), ':tx': 'TX#' },
        ExpressionAttributeNames: { '#date': 'date' },
        ProjectionExpression: '#date, amountCents',
        ConsistentRead: true,
      });
      return aggregate(
        items.map((item) => ({ date: String(item.date), amountCents: Number(item.amountCents) })),
      );
    },

    async upsertAccount(account) {
      await client.send(new PutCommand({ TableName: tableName, Item: holderItem(account, 'registry') }));
    },

    async rememberHolder(account) {
      // A holder seen in a file never replaces a registry entry; a newer file may correct an older one.
      try {
        await client.send(
          new PutCommand({
            TableName: tableName,
            Item: holderItem(account, 'file'),
            ConditionExpression: 'attribute_not_exists(pk) OR #source = :file',
            ExpressionAttributeNames: { '#source': 'source' },
            ExpressionAttributeValues: { ':file': 'file' },
          }),
        );
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
      }
    },

    async getAccount(accountId) {
      const { Item } = await client.send(
        new GetCommand({
          TableName: tableName,
          Key: { pk: accountKey(accountId), sk: 'HOLDER' },
          ConsistentRead: true,
        }),
      );
      return Item && toAccount(Item);
    },

    async listAccounts() {
      // The index sorts by UTF-8 bytes (code point order); SQL sorts by the database's collation,
      // which agrees on IDs of digits, letters of one case and punctuation. Eventually consistent:
      // an account written a moment ago may be missing.
      const items = await queryAll({
        IndexName: 'gsi1',
        KeyConditionExpression: 'gsi1pk = :holders',
        ExpressionAttributeValues: { ':holders': 'HOLDERS' },
      });
      return items.map(toAccount);
    },

    async saveFileReport(report) {
      const pk = `REPORT#${report.fileId}`;
      const body = gzipSync(JSON.stringify({ rejected: report.rejected, accounts: report.accounts }));
      const version = randomUUID();
      const parts: Buffer[] = [];
      for (let start = 0; start < body.length; start += PART_BYTES)
        parts.push(body.subarray(start, start + PART_BYTES));
      if (parts.length > 1)
        await batchWrite(
          client,
          tableName,
          parts.map((data, index) => ({ PutRequest: { Item: { pk, sk: partKey(version, index), data } } })),
        );
      const { Attributes: previous } = await client.send(
        new PutCommand({
          TableName: tableName,
          Item: {
            pk,
            sk: 'REPORT',
            ...reportScalars(report),
            version,
            parts: parts.length > 1 ? parts.length : 0,
            ...(parts.length > 1 ? {} : { body }),
          },
          ReturnValues: 'ALL_OLD',
        }),
      );
      const stale = Number(previous?.parts ?? 0);
      if (stale > 0)
        await batchWrite(
          client,
          tableName,
          Array.from({ length: stale }, (_, index) => ({
            DeleteRequest: { Key: { pk, sk: partKey(String(previous?.version), index) } },
          })),
        );
    },

    async getFileReport(fileId) {
      // A save running meanwhile may delete the parts of the head just read: read again then.
      for (let attempt = 0; ; attempt++) {
        const items = await queryAll({
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': `REPORT#${fileId}` },
          ConsistentRead: true,
        });
        const head = items.find((item) => item.sk === 'REPORT');
        if (!head) return undefined;
        const count = Number(head.parts);
        const parts =
          count === 0
            ? [head.body as Uint8Array]
            : Array.from({ length: count }, (_, index) => {
                const sk = partKey(String(head.version), index);
                return items.find((item) => item.sk === sk)?.data as Uint8Array | undefined;
              });
        if (parts.every((part) => part !== undefined)) return toFileReport(head, Buffer.concat(parts));
        if (attempt === 2)
          throw new Error(`file report ${fileId} is missing parts of version ${String(head.version)}`);
      }
    },
  };
}

function accountKey(accountId: string): string {
  return `ACCOUNT#${accountId}`;
}

function transactionKey(t: Pick<Transaction, 'accountId' | 'transactionId'>): ItemKey {
  return { pk: accountKey(t.accountId), sk: `TX#${t.transactionId}` };
}

type ItemKey = { pk: string; sk: string };

/** An item key as one string, for maps (DynamoDB keys may hold any character, NUL included). */
function keyString(key: ItemKey): string {
  return JSON.stringify([key.pk, key.sk]);
}

function partKey(version: string, index: number): string {
  return `PART#${version}#${String(index).padStart(4, '0')}`;
}

function holderItem(account: Account, source: 'registry' | 'file') {
  return {
    pk: accountKey(account.accountId),
    sk: 'HOLDER',
    gsi1pk: 'HOLDERS',
    gsi1sk: `A#${account.accountId}`,
    accountId: account.accountId,
    email: account.email,
    name: account.name,
    source,
    updatedAt: new Date().toISOString(),
  };
}

function toAccount(item: Record<string, unknown>): Account {
  return { accountId: String(item.accountId), email: String(item.email), name: String(item.name) };
}

/** Per calendar month, in month order, like the SQL `GROUP BY to_char(date, 'YYYY-MM')`. */
function aggregate(transactions: readonly { date: string; amountCents: number }[]): MonthlyTotals[] {
  const months = new Map<string, MonthlyTotals & { zeroCount: number }>();
  for (const { date, amountCents } of transactions) {
    const month = date.slice(0, 7);
    let totals = months.get(month);
    if (!totals) {
      totals = { month, creditCount: 0, creditCents: 0, debitCount: 0, debitCents: 0, zeroCount: 0 };
      months.set(month, totals);
    }
    if (amountCents > 0) {
      totals.creditCount++;
      totals.creditCents += amountCents;
    } else if (amountCents < 0) {
      totals.debitCount++;
      totals.debitCents += amountCents;
    } else totals.zeroCount++;
  }
  return [...months.values()].sort((a, b) => (a.month < b.month ? -1 : a.month > b.month ? 1 : 0));
}

function reportScalars(report: FileReport) {
  return {
    fileId: report.fileId,
    bucket: report.bucket,
    key: report.key,
    etag: report.etag,
    status: report.status,
    ...(report.error === undefined ? {} : { error: report.error }),
    accepted: report.accepted,
    inserted: report.inserted,
    duplicates: report.duplicates,
    rejectedCount: report.rejectedCount,
    finishedAt: report.finishedAt.toISOString(),
  };
}

function toFileReport(head: Record<string, unknown>, body: Buffer): FileReport {
  const { rejected, accounts } = JSON.parse(gunzipSync(body).toString('utf8')) as Pick<
    FileReport,
    'rejected' | 'accounts'
  >;
  return {
    fileId: String(head.fileId),
    bucket: String(head.bucket),
    key: String(head.key),
    etag: String(head.etag),
    status: head.status as FileReport['status'],
    ...(head.error === undefined ? {} : { error: String(head.error) }),
    accepted: Number(head.accepted),
    inserted: Number(head.inserted),
    duplicates: Number(head.duplicates),
    rejectedCount: Number(head.rejectedCount),
    rejected,
    accounts,
    finishedAt: new Date(String(head.finishedAt)),
  };
}

type WriteRequest =
  | { PutRequest: { Item: Record<string, unknown> } }
  | { DeleteRequest: { Key: Record<string, unknown> } };

/** BatchWriteItem in groups of 25, resending what the service left unprocessed, with backoff. */
async function batchWrite(
  client: DynamoDBDocumentClient,
  tableName: string,
  requests: readonly WriteRequest[],
) {
  for (let start = 0; start < requests.length; start += 25) {
    let pending = requests.slice(start, start + 25);
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt > 10) throw new Error(`${pending.length} writes to ${tableName} stayed unprocessed`);
      if (attempt > 0) await backoff(attempt);
      const { UnprocessedItems } = await client.send(
        new BatchWriteCommand({ RequestItems: { [tableName]: pending } }),
      );
      pending = (UnprocessedItems?.[tableName] ?? []) as WriteRequest[];
    }
  }
}

/** Strongly consistent BatchGetItem in groups of 100, resending unprocessed keys; found items by key. */
async function batchGet(client: DynamoDBDocumentClient, tableName: string, keys: readonly ItemKey[]) {
  const found = new Map<string, Record<string, unknown>>();
  const groups: ItemKey[][] = [];
  for (let start = 0; start < keys.length; start += 100) groups.push(keys.slice(start, start + 100));
  await mapConcurrently(groups, 4, async (group) => {
    let pending: Record<string, unknown>[] = group;
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt > 10) throw new Error(`${pending.length} reads from ${tableName} stayed unprocessed`);
      if (attempt > 0) await backoff(attempt);
      const { Responses, UnprocessedKeys } = await client.send(
        new BatchGetCommand({ RequestItems: { [tableName]: { Keys: pending, ConsistentRead: true } } }),
      );
      for (const item of Responses?.[tableName] ?? []) found.set(keyString(item as ItemKey), item);
      pending = UnprocessedKeys?.[tableName]?.Keys ?? [];
    }
  });
  return found;
}

function backoff(attempt: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.min(1000, 25 * 2 ** attempt)));
}
