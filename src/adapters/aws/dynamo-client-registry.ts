/**
 * The events clients and their token hashes over DynamoDB, in the `events` table (beside the
 * events repository's items), with the semantics of the SQL registry: adding an existing client
 * without `rotate` changes nothing, even with another hash; rotating to the hash it already has is
 * `exists` too; a hash belongs to one client only, and giving it to a second one throws.
 *
 * | item    | pk               | sk        | gsi1pk / gsi1sk        |
 * |---------|------------------|-----------|------------------------|
 * | client  | `CLIENT#<name>`  | `PROFILE` | `CLIENTS` / `<name>`   |
 * | token   | `TOKEN#<hash>`   | `TOKEN`   |                        |
 *
 * The client item holds the current hash; the token item makes a hash unique (a put conditional
 * on its absence) and finds its client. Without transactions the two are written one after the
 * other, hash first: a token item is trusted only when its client's item names the same hash, so
 * one left behind by a crash is inert (it still reserves the hash for its client, which a random
 * token makes harmless, and a retry of the same call completes). Look-ups read the table itself (strongly consistent): a rotated token stops
 * working at once. `listClients` reads a global secondary index, eventually consistent on AWS.
 *
 * @example
 * const clients = createDynamoClientRegistry({ client: documentClient, tableName: 'events-prod', clock: systemClock });
 * await clients.addClient('acme', sha256(token));
 */
import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { Clock } from '../../ports/clock.js';
import type { ClientRegistry } from '../../ports/events-repository.js';
import { part } from './dynamo-events-items.js';
import { isConditionalFailure, putNew, queryUntil } from './dynamo-events-requests.js';

export interface DynamoClientRegistryOptions {
  client: DynamoDBDocumentClient;
  tableName: string;
  clock: Clock;
}

interface ClientItem {
  name: string;
  tokenHash: string;
  createdAt: number;
}

const clientKey = (name: string) => ({ pk: `CLIENT#${part(name)}`, sk: 'PROFILE' });
const tokenKey = (hash: string) => ({ pk: `TOKEN#${part(hash)}`, sk: 'TOKEN' });

/** Races lost to concurrent changes of the same client before giving up. */
const MAX_ATTEMPTS = 10;

export function createDynamoClientRegistry(options: DynamoClientRegistryOptions): ClientRegistry {
  const { client, tableName, clock } = options;
  const table = { client, tableName };

  const readClient = async (name: string) =>
    (await client.send(new GetCommand({ TableName: tableName, Key: clientKey(name), ConsistentRead: true })))
      .Item as ClientItem | undefined;

  const conditional = async (write: () => Promise<unknown>): Promise<boolean> => {
    try {
      await write();
      return true;
    } catch (error) {
      if (isConditionalFailure(error)) return false;
      throw error;
    }
  };

  /** Gives `hash` to `name` (kept if it already has it); throws if another client holds it. */
  const claimHash = async (name: string, hash: string) => {
    const claimed = await conditional(() =>
      client.send(
        new PutCommand({
          TableName: tableName,
          Item: { ...tokenKey(hash), client: name },
          ConditionExpression: 'attribute_not_exists(pk) OR #client = :name',
          ExpressionAttributeNames: { '#client': 'client' },
          ExpressionAttributeValues: { ':name': name },
        }),
      ),
    );
    if (!claimed)
      throw new Error(`cannot give client "${name}" a token hash that another client already has`);
  };

  /** Drops the token item of `hash` if it is `name`'s and `name` no longer has that hash. */
  const releaseHash = async (name: string, hash: string) => {
    if ((await readClient(name))?.tokenHash === hash) return;
    await conditional(() =>
      client.send(
        new DeleteCommand({
          TableName: tableName,
          Key: tokenKey(hash),
          ConditionExpression: '#client = :name',
          ExpressionAttributeNames: { '#client': 'client' },
          ExpressionAttributeValues: { ':name': name },
        }),
      ),
    );
  };

  const tokenItemClient = async (hash: string) =>
    (await client.send(new GetCommand({ TableName: tableName, Key: tokenKey(hash), ConsistentRead: true })))
      .Item?.client as string | undefined;

  /** The client whose current hash is `hash`. */
  const tokenHolder = async (hash: string) => {
    const name = await tokenItemClient(hash);
    if (name === undefined) return undefined;
    return (await readClient(name))?.tokenHash === hash ? name : undefined;
  };

  return {
    async addClient(name, tokenHash, { rotate = false } = {}) {
      for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
        const current = await readClient(name);
        if (current && (!rotate || current.tokenHash === tokenHash)) return 'exists';
        await claimHash(name, tokenHash);
        const now = clock.now().getTime();
        if (!current) {
          const item = {
            ...clientKey(name),
            gsi1pk: 'CLIENTS',
            gsi1sk: name,
            name,
            tokenHash,
            createdAt: now,
          };
          if (await putNew(table, item)) return 'created';
        } else {
          const rotated = await conditional(() =>
            client.send(
              new UpdateCommand({
                TableName: tableName,
                Key: clientKey(name),
                UpdateExpression: 'SET tokenHash = :hash, rotatedAt = :now',
                ConditionExpression: 'tokenHash = :was',
                ExpressionAttributeValues: { ':hash': tokenHash, ':now': now, ':was': current.tokenHash },
              }),
            ),
          );
          if (rotated) {
            await releaseHash(name, current.tokenHash);
            return 'rotated';
          }
        }
        // Another call changed this client between our read and our write: undo and look again.
        await releaseHash(name, tokenHash);
      }
      throw new Error(`client "${name}" changed under ${MAX_ATTEMPTS} attempts in a row`);
    },

    clientForTokenHash: tokenHolder,

    async listClients() {
      const items = await queryUntil(
        table,
        {
          IndexName: 'gsi1',
          KeyConditionExpression: 'gsi1pk = :clients',
          ExpressionAttributeValues: { ':clients': 'CLIENTS' },
        },
        Number.POSITIVE_INFINITY,
        (item) => item as unknown as ClientItem,
      );
      return items.map((item) => ({ name: item.name, createdAt: new Date(item.createdAt) }));
    },
  };
}
