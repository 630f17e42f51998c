import { timingSafeEqual } from 'node:crypto';
import type { ClientRegistry } from '../../ports/events-repository.js';
import { hashClientToken } from './client-tokens.js';

/** Who a request speaks for: the operator (admin token) or one events client (its own token). */
export type Principal = { kind: 'admin' } | { kind: 'client'; client: string };

/** What checking a bearer token needs: the operator's token and the registry of client tokens. */
export interface BearerCheckDeps {
  adminToken: string;
  clients: Pick<ClientRegistry, 'clientForTokenHash'>;
}

/**
 * Why a bearer was refused: `missing` when there is no `Bearer <token>` to check (HTTP 401),
 * `invalid` when the token belongs to nobody (HTTP 403).
 */
export interface BearerRefusal {
  reason: 'missing' | 'invalid';
  message: string;
}

export type BearerOutcome = { principal: Principal } | { error: BearerRefusal };

const BEARER = /^Bearer\s+(\S+)$/i;

/**
 * Authenticates an `Authorization` header: the admin token (compared in constant time) or a
 * client's token (looked up by its hash). The local server and the API Gateway authorizer both
 * decide with this, so a token means the same thing everywhere.
 *
 * @example
 * const outcome = await authorizeBearer(request.headers.get('authorization') ?? undefined, deps);
 * if ('error' in outcome) return outcome.error.reason === 'missing' ? 401 : 403;
 */
export async function authorizeBearer(
  header: string | undefined,
  deps: BearerCheckDeps,
): Promise<BearerOutcome> {
  const token = BEARER.exec(header ?? '')?.[1];
  if (!token) {
    return {
      error: {
        reason: 'missing',
        message: 'missing bearer token: send Authorization: Bearer <admin token> (see `tributary token`)',
      },
    };
  }
  if (sameToken(token, deps.adminToken)) return { principal: { kind: 'admin' } };
  const client = await deps.clients.clientForTokenHash(hashClientToken(token));
  if (!client) return { error: { reason: 'invalid', message: 'the token is not valid' } };
  return { principal: { kind: 'client', client } };
}

function sameToken(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  // An empty admin token (not configured) must never match an empty-looking bearer.
  return b.length > 0 && a.length === b.length && timingSafeEqual(a, b);
}
