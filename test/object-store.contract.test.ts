import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFsObjectStore } from '../src/adapters/local/fs-object-store.js';
import type { BusEventInput } from '../src/ports/bus.js';
import { ManualClock } from '../src/runtime/clock.js';
import { objectStoreContract } from './contracts/object-store.js';
import { describeEachDriver } from './support/sql-drivers.js';

/** Every folder (with a trailing `/`) and file below `dir`, relative to it. */
async function tree(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.map((entry) => {
    const path = join(entry.parentPath, entry.name).slice(dir.length + 1);
    return entry.isDirectory() ? `${path}/` : path;
  });
}

describeEachDriver('ObjectStore contract', (getDb) => {
  objectStoreContract('filesystem object store', async () => {
    const db = getDb();
    await db.query('DELETE FROM objects');
    // The root sits in a sandbox of its own, so a write that escaped the root would show up too.
    const sandbox = await mkdtemp(join(tmpdir(), 'tributary-object-store-'));
    const root = join(sandbox, 'root');
    const clock = new ManualClock('2024-09-01T12:00:00Z');
    const published: BusEventInput[] = [];
    const store = createFsObjectStore({
      root,
      buckets: ['transactions', 'email-templates'],
      db,
      clock,
      publishIn: async (_tx, events) => published.push(...events),
    });
    return {
      store,
      now: () => clock.now(),
      clockSlackMs: 0,
      async stored() {
        const { rows } = await db.query<{ bucket: string; key: string }>(
          'SELECT bucket, key FROM objects ORDER BY bucket, key',
        );
        const events = published.map((event) => {
          const detail = event.detail as { bucket: { name: string }; object: { key: string } };
          return `event ${detail.bucket.name}/${detail.object.key}`;
        });
        const files = (await tree(sandbox)).map((path) => `file ${path}`);
        return [...rows.map((row) => `row ${row.bucket}/${row.key}`), ...events, ...files].sort();
      },
      cleanup: () => rm(sandbox, { recursive: true, force: true }),
    };
  });
});
