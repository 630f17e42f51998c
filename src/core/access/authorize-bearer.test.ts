import { describe, expect, it } from 'vitest';
import { authorizeBearer, type BearerCheckDeps } from './authorize-bearer.js';
import { hashClientToken, registerClient } from './client-tokens.js';

/** A client registry in memory, keyed as the real ones are: by token hash. */
function memoryClients() {
  const byHash = new Map<string, string>();
  return {
    byHash,
    async addClient(name: string, tokenHash: string, options: { rotate?: boolean } = {}) {
      const existing = [...byHash].find(([, client]) => client === name);
      if (existing && !options.rotate) return 'exists' as const;
      if (existing) byHash.delete(existing[0]);
      byHash.set(tokenHash, name);
      return existing ? ('rotated' as const) : ('created' as const);
    },
    async clientForTokenHash(tokenHash: string) {
      return byHash.get(tokenHash);
    },
  };
}

const adminToken = 'trb_the-admin-token';

describe('authorizeBearer', () => {
  it('admits the admin token as the operator', async () => {
    const deps: BearerCheckDeps = { adminToken, clients: memoryClients() };
    expect(await authorizeBearer(`Bearer ${adminToken}`, deps)).toEqual({ principal: { kind: 'admin' } });
    expect(await authorizeBearer(`bearer   ${adminToken}`, deps)).toEqual({ principal: { kind: 'admin' } });
  });

  it("admits a registered client's token as that client, looked up by its hash", async () => {
    const clients = memoryClients();
    const { token } = await registerClient(clients, 'barclays');
    expect(token).toMatch(/^trc_[\w-]{32}$/);
    expect([...clients.byHash.keys()]).toEqual([hashClientToken(token as string)]);
    expect(await authorizeBearer(`Bearer ${token}`, { adminToken, clients })).toEqual({
      principal: { kind: 'client', client: 'barclays' },
    });
  });

  it('refuses a missing or malformed header as missing (401) and an unknown token as invalid (403)', async () => {
    const deps = { adminToken, clients: memoryClients() };
    for (const header of [undefined, '', 'Bearer', 'Bearer ', `Basic ${adminToken}`, `Bearer a b`]) {
      const outcome = await authorizeBearer(header, deps);
      expect(outcome, String(header)).toMatchObject({ error: { reason: 'missing' } });
    }
    expect(await authorizeBearer('Bearer trb_not-the-token', deps)).toEqual({
      error: { reason: 'invalid', message: 'the token is not valid' },
    });
    expect(await authorizeBearer(`Bearer ${adminToken}x`, deps)).toMatchObject({
      error: { reason: 'invalid' },
    });
  });

  it('never admits anyone with an empty admin token', async () => {
    const deps = { adminToken: '', clients: memoryClients() };
    expect(await authorizeBearer('Bearer x', deps)).toMatchObject({ error: { reason: 'invalid' } });
  });
});

describe('registerClient', () => {
  it('gives the token once: an existing client keeps its token unless rotated', async () => {
    const clients = memoryClients();
    const first = await registerClient(clients, 'monzo');
    expect(await registerClient(clients, 'monzo')).toEqual({ status: 'exists' });
    const rotated = await registerClient(clients, 'monzo', { rotate: true });
    expect(rotated.status).toBe('rotated');
    expect(rotated.token).not.toBe(first.token);
    const deps = { adminToken, clients };
    expect(await authorizeBearer(`Bearer ${first.token}`, deps)).toMatchObject({
      error: { reason: 'invalid' },
    });
    expect(await authorizeBearer(`Bearer ${rotated.token}`, deps)).toMatchObject({
      principal: { client: 'monzo' },
    });
  });
});
