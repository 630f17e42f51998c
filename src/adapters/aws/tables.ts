/**
 * The DynamoDB tables of the AWS target: one per pipeline, each a single-table design with a
 * string partition key `pk`, a string sort key `sk`, and two general-purpose global secondary
 * indexes (`gsi1`: `gsi1pk`/`gsi1sk`, `gsi2`: `gsi2pk`/`gsi2sk`, all strings, every attribute
 * projected). The CDK app creates them from these specs and the tests create the same tables in
 * the emulator, so the two never drift. An adapter documents which item types it stores and how
 * it uses the keys.
 */
export interface TableSpec {
  /** Logical name; the physical name comes from the environment (`<NAME>_TABLE`). */
  name: 'statements' | 'events' | 'orders';
  description: string;
  /** Attribute holding an epoch-seconds expiry that DynamoDB TTL deletes (lazily: filter on read). */
  ttlAttribute?: string;
}

export const KEY = { pk: 'pk', sk: 'sk' } as const;

export const GSIS = [
  { indexName: 'gsi1', pk: 'gsi1pk', sk: 'gsi1sk' },
  { indexName: 'gsi2', pk: 'gsi2pk', sk: 'gsi2sk' },
] as const;

export const TABLES: readonly TableSpec[] = [
  { name: 'statements', description: 'Transactions, monthly totals, account holders and file reports' },
  { name: 'events', description: 'Events by client, rejected records, consumer groups and client tokens' },
  { name: 'orders', description: 'Orders by record_id with their 24 h expiry', ttlAttribute: 'ttl' },
];

/**
 * The CreateTable input of every table (they share one key layout; on-demand billing), as the
 * tests create them in the emulator. TTL is set apart (UpdateTimeToLive), by the CDK app.
 */
export function createTableInput(tableName: string) {
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST' as const,
    AttributeDefinitions: [KEY.pk, KEY.sk, ...GSIS.flatMap((gsi) => [gsi.pk, gsi.sk])].map((name) => ({
      AttributeName: name,
      AttributeType: 'S' as const,
    })),
    KeySchema: [
      { AttributeName: KEY.pk, KeyType: 'HASH' as const },
      { AttributeName: KEY.sk, KeyType: 'RANGE' as const },
    ],
    GlobalSecondaryIndexes: GSIS.map((gsi) => ({
      IndexName: gsi.indexName,
      KeySchema: [
        { AttributeName: gsi.pk, KeyType: 'HASH' as const },
        { AttributeName: gsi.sk, KeyType: 'RANGE' as const },
      ],
      Projection: { ProjectionType: 'ALL' as const },
    })),
  };
}
