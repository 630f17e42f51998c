import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { OpenAPIHono } from '@hono/zod-openapi';
import { createApp } from '../../src/api/app.js';
import { apiServices } from '../../src/runtime/api-services.js';
import { type Fabric, type FabricOptions, openFabric } from '../../src/runtime/fabric.js';

/**
 * An embedded fabric on a new temp data dir (PGlite, outbox mail) and the API app over it, for
 * in-process API tests. `close` stops the fabric and removes the data dir.
 *
 * @example
 * beforeAll(async () => ({ fabric, app, close } = await openTestFabric('events-api', { clock })));
 * afterAll(() => close());
 */
export async function openTestFabric(
  name: string,
  options: Partial<FabricOptions> = {},
): Promise<{ fabric: Fabric; app: OpenAPIHono; dataDir: string; close: () => Promise<void> }> {
  const dataDir = await mkdtemp(join(tmpdir(), `tributary-${name}-`));
  const fabric = await openFabric({
    dataDir,
    databaseUrl: undefined,
    smtpUrl: undefined,
    mailFrom: 'x@y.z',
    ...options,
  });
  return {
    fabric,
    app: createApp(apiServices(fabric)),
    dataDir,
    async close() {
      await fabric.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
