import { randomBytes } from 'node:crypto';
import { expect, it } from 'vitest';
import { ManualClock } from '../src/runtime/clock.js';
import { parseSequenceNumber } from '../src/runtime/stream-shards.js';
import { StreamStore } from '../src/runtime/stream-store.js';
import { describeEachDriver } from './support/sql-drivers.js';

const PRODUCERS = 8;
const PUTS_PER_PRODUCER = 6;
const KEYS = ['k0', 'k1', 'k2', 'k3', 'k4', 'k5', 'k6', 'k7'];

describeEachDriver('stream store with concurrent producers', (getDb, driver) => {
  it('keeps each shard dense and in commit order, so a reader following it never skips a record', async () => {
    const db = getDb();
    const stream = `contract-${randomBytes(4).toString('hex')}`;
    const streams = new StreamStore(db, new ManualClock(), {
      [stream]: { description: 'contract', shardCount: 3, retentionHours: 24 },
    });
    await streams.ensureShards();
    const shardIds = streams.shards(stream).map((shard) => shard.shardId);

    // Each put holds its shards a little before committing, so that on a server the producers
    // really overlap; sequence numbers must still appear to readers in order, without holes.
    const producer = async (p: number) => {
      for (let n = 0; n < PUTS_PER_PRODUCER; n++) {
        const records = KEYS.map((partitionKey, i) => ({
          partitionKey,
          data: new TextEncoder().encode(`${p}.${n}.${i}`),
        }));
        await db.transaction(async (tx) => {
          await streams.putRecords(stream, records, tx);
          if (driver === 'postgres') await tx.query('SELECT pg_sleep($1)', [Math.random() * 0.01]);
        });
      }
    };

    // A reader that checkpoints what it saw, as a consumer does.
    const checkpoints = new Map(shardIds.map((id) => [id, 0]));
    const delivered = new Map<string, string[]>(shardIds.map((id) => [id, []]));
    const follow = async () => {
      for (const shardId of shardIds) {
        const after = checkpoints.get(shardId) ?? 0;
        const records = await streams.read(stream, shardId, String(after), 1000);
        records.forEach((record, i) => {
          expect(parseSequenceNumber(record.sequenceNumber), `${shardId} after ${after}`).toBe(after + i + 1);
        });
        if (records.length > 0) checkpoints.set(shardId, after + records.length);
        delivered.get(shardId)?.push(...records.map((record) => new TextDecoder().decode(record.data)));
      }
    };

    let producing = true;
    const reading = (async () => {
      while (producing) await follow();
    })();
    await Promise.all(Array.from({ length: PRODUCERS }, (_, p) => producer(p)));
    producing = false;
    await reading;
    await follow();

    const all = [...delivered.values()].flat();
    expect(all).toHaveLength(PRODUCERS * PUTS_PER_PRODUCER * KEYS.length);
    expect(new Set(all).size).toBe(all.length);
    for (const [shardId, data] of delivered) {
      // Within a shard, each producer's records keep the order it put them in.
      for (let p = 0; p < PRODUCERS; p++) {
        const mine = data.filter((d) => d.startsWith(`${p}.`));
        const order = (d: string) => d.split('.').slice(1).map(Number);
        const sorted = [...mine].sort((x, y) => {
          const [a, b] = [order(x), order(y)];
          return (a[0] ?? 0) - (b[0] ?? 0) || (a[1] ?? 0) - (b[1] ?? 0);
        });
        expect(mine, `${shardId}, producer ${p}`).toEqual(sorted);
      }
    }
  });
});
