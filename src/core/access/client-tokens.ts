import { createHash, randomBytes } from 'node:crypto';
import type { ClientRegistry } from '../../ports/events-repository.js';

/** Client tokens are kept only as hashes: a leaked table does not leak tokens. */
export function hashClientToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/**
 * Registers an events client with a new token (192 random bits), or with `rotate` replaces the
 * token of an existing one. The token is returned this once; only its hash is stored.
 */
export async function registerClient(
  registry: Pick<ClientRegistry, 'addClient'>,
  name: string,
  options: { rotate?: boolean } = {},
): Promise<{ status: 'created' | 'rotated' | 'exists'; token?: string }> {
  const token = `trc_${randomBytes(24).toString('base64url')}`;
  const status = await registry.addClient(name, hashClientToken(token), options);
  return status === 'exists' ? { status } : { status, token };
}
