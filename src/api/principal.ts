import type { Context } from 'hono';
import type { Principal } from '../core/access/authorize-bearer.js';
import { ApiError } from './errors.js';

export type { Principal };

const principals = new WeakMap<Request, Principal>();

export function setPrincipal(c: Context, principal: Principal): void {
  principals.set(c.req.raw, principal);
}

/** Without authentication (loopback `--no-auth`) every request is the operator's. */
export function principalOf(c: Context): Principal {
  return principals.get(c.req.raw) ?? { kind: 'admin' };
}

/** A client token reads only its own client's routes; the admin token reads every client. */
export function requireClientAccess(c: Context, client: string): void {
  const principal = principalOf(c);
  if (principal.kind === 'client' && principal.client !== client) {
    throw new ApiError(
      403,
      'forbidden',
      `this token belongs to client "${principal.client}" and cannot read client "${client}"`,
    );
  }
}

/** Client tokens reach only `/clients/<their name>/…`; everything else needs the admin token. */
export function requireAdminOutsideClientRoutes(c: Context): void {
  const principal = principalOf(c);
  if (principal.kind === 'client' && !new URL(c.req.url).pathname.startsWith('/clients/')) {
    throw new ApiError(
      403,
      'forbidden',
      `a client token can only read /clients/${principal.client}/…; this route needs the admin token`,
    );
  }
}
