import { BatchGetCommand, PutCommand, QueryCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import type { Key, TableRef } from './dynamo-events-items.js';

// Request helpers of the DynamoDB events repository and client registry.

type Item = Record<string, unknown>;

export function isConditionalFailure(error: unknown): boolean {
  return (error as { name?: unknown } | null)?.name === 'ConditionalCheckFailedException';
}

/** A put that only creates: `false` when an item with that key already exists. */
export async function putNew(table: TableRef, item: object): Promise<boolean> {
  try {
    await table.client.send(
      new PutCommand({
        TableName: table.tableName,
        Item: item as Item,
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
    return true;
  } catch (error) {
    if (isConditionalFailure(error)) return false;
    throw error;
  }
}

/** Strongly consistent reads of many items (any number of keys); absent ones are left out. */
export async function getMany<T extends Key>(
  table: TableRef,
  wanted: readonly Key[],
): Promise<Map<string, T>> {
  const found = new Map<string, T>();
  const unique = [...new Map(wanted.map((key) => [keyId(key), key])).values()];
  for (let start = 0; start < unique.length; start += 100) {
    let pending: Key[] = unique.slice(start, start + 100);
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt > 0) await pause(backoff(attempt));
      const { Responses, UnprocessedKeys } = await table.client.send(
        new BatchGetCommand({ RequestItems: { [table.tableName]: { Keys: pending, ConsistentRead: true } } }),
      );
      for (const item of Responses?.[table.tableName] ?? []) found.set(keyId(item as T), item as T);
      pending = (UnprocessedKeys?.[table.tableName]?.Keys ?? []) as Key[];
    }
  }
  return found;
}

export const keyId = (key: Key) => `${key.pk}\n${key.sk}`;

/**
 * Reads a query page after page until `enough` of the accepted items are collected or the
 * partition range is exhausted; `accept` drops items the key condition could not exclude.
 */
export async function queryUntil<T>(
  table: TableRef,
  input: Omit<QueryCommandInput, 'TableName' | 'ExclusiveStartKey'>,
  enough: number,
  accept: (item: Item) => T | undefined,
): Promise<T[]> {
  const accepted: T[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await table.client.send(
      new QueryCommand({
        ...input,
        TableName: table.tableName,
        ...(start ? { ExclusiveStartKey: start } : {}),
      }),
    );
    for (const item of page.Items ?? []) {
      const value = accept(item);
      if (value === undefined) continue;
      accepted.push(value);
      if (accepted.length >= enough) return accepted;
    }
    start = page.LastEvaluatedKey;
  } while (start);
  return accepted;
}

/**
 * Runs `work` over `items` with at most `concurrency` at once, every one to its end even when
 * some fail (so nothing is still in flight when the caller moves on); returns the failures.
 */
export async function runAll<T>(
  items: readonly T[],
  concurrency: number,
  work: (item: T, index: number) => Promise<void>,
): Promise<unknown[]> {
  const failures: unknown[] = [];
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      try {
        await work(items[index]!, index);
      } catch (error) {
        failures.push(error);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  return failures;
}

/** Waits in real time: retries of a contended item must wait even under a test's manual clock. */
export const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Exponential backoff with jitter: ~2 ms doubling up to ~100 ms. */
export const backoff = (attempt: number) => Math.min(100, 2 * 1.6 ** attempt) * (0.5 + Math.random() / 2);
