import { randomBytes } from 'node:crypto';
import { ManualClock } from '../src/runtime/clock.js';
import { StreamStore } from '../src/runtime/stream-store.js';
import { streamProducerContract } from './contracts/stream-producer.js';
import { describeEachDriver } from './support/sql-drivers.js';

describeEachDriver('embedded stream', (getDb) => {
  streamProducerContract('StreamStore', async () => {
    const stream = `producer-${randomBytes(4).toString('hex')}`;
    const shardCount = 3;
    const streams = new StreamStore(getDb(), new ManualClock(), {
      [stream]: { description: 'contract', shardCount, retentionHours: 24 },
    });
    await streams.ensureShards();
    return {
      producer: streams,
      stream,
      shardCount,
      read: async (shardId) =>
        (await streams.read(stream, shardId, '', 10_000)).map(({ partitionKey, data }) => ({
          partitionKey,
          data,
        })),
    };
  });
});
