import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../src/runtime/clock.js';
import { readDataDirOwner } from '../src/runtime/data-dir-lock.js';
import { type Fabric, openFabric } from '../src/runtime/fabric.js';
import { isLoopback, startLocalServer, UnsafeListenError } from '../src/runtime/server.js';

describe('local server', () => {
  let dataDir: string;
  let fabric: Fabric;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'tributary-server-'));
    fabric = await openFabric({
      dataDir,
      databaseUrl: undefined,
      smtpUrl: undefined,
      mailFrom: 'x@test.local',
      clock: new ManualClock(),
    });
  });
  afterAll(async () => {
    await fabric.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('refuses to listen beyond loopback without tokens', async () => {
    await expect(startLocalServer(fabric, { host: '0.0.0.0', port: 0, auth: false })).rejects.toThrow(
      UnsafeListenError,
    );
    expect(isLoopback('127.0.0.1')).toBe(true);
    expect(isLoopback('::1')).toBe(true);
    expect(isLoopback('192.168.1.2')).toBe(false);
  });

  it('serves on a free loopback port, records its URL in the lock, and requires the token', async () => {
    const server = await startLocalServer(fabric, { host: '127.0.0.1', port: 0 });
    try {
      expect((await readDataDirOwner(dataDir))?.url).toBe(server.url);
      expect((await fetch(`${server.url}/health`)).status).toBe(200);
      const anonymous = await fetch(`${server.url}/accounts`);
      expect(anonymous.status).toBe(401);
      expect(((await anonymous.json()) as { error: { code: string } }).error.code).toBe('unauthorized');
      const authorized = await fetch(`${server.url}/accounts`, {
        headers: { authorization: `Bearer ${fabric.adminToken}` },
      });
      expect(authorized.status).toBe(200);
    } finally {
      await server.close();
    }
  });

  it('keeps the admin token in the data dir, readable only by its owner', async () => {
    const { stat } = await import('node:fs/promises');
    const info = await stat(join(dataDir, 'admin-token'));
    expect(info.mode & 0o777).toBe(0o600);
    expect(fabric.adminToken).toMatch(/^trb_[\w-]{43}$/);
  });
});
