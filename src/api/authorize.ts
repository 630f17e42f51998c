import type { Context, MiddlewareHandler } from 'hono';
import { z } from 'zod';
import { authorizeBearer, type BearerCheckDeps } from '../core/access/authorize-bearer.js';
import { ApiError } from './errors.js';
import { type Principal, requireAdminOutsideClientRoutes, setPrincipal } from './principal.js';

/** Who a request speaks for, as established before it reached the app (undefined: nobody). */
export type PrincipalSource = (c: Context) => Principal | undefined;

/**
 * How the app learns who a request speaks for: it checks the bearer itself (the local server),
 * takes what an authorizer in front of it decided (API Gateway), or, on loopback with
 * `--no-auth`, treats every request as the operator's.
 */
export type Authentication =
  | { kind: 'bearer'; check: BearerCheckDeps }
  | { kind: 'upstream'; principalFrom: PrincipalSource }
  | { kind: 'none' };

/**
 * The middleware in front of every route but `/health`: 401 without credentials, 403 with a
 * token that belongs to nobody, and 403 for a client token outside `/clients/<client>/…`.
 */
export function authenticate(how: Authentication): MiddlewareHandler {
  return async (c, next) => {
    if (how.kind === 'none') return next();
    const principal =
      how.kind === 'bearer' ? await bearerPrincipal(c, how.check) : upstreamPrincipal(c, how.principalFrom);
    setPrincipal(c, principal);
    requireAdminOutsideClientRoutes(c);
    await next();
  };
}

async function bearerPrincipal(c: Context, check: BearerCheckDeps): Promise<Principal> {
  const outcome = await authorizeBearer(c.req.header('authorization'), check);
  if ('principal' in outcome) return outcome.principal;
  const { reason, message } = outcome.error;
  throw reason === 'missing'
    ? new ApiError(401, 'unauthorized', message)
    : new ApiError(403, 'forbidden', message);
}

function upstreamPrincipal(c: Context, principalFrom: PrincipalSource): Principal {
  const principal = principalFrom(c);
  if (!principal) {
    throw new ApiError(
      401,
      'unauthorized',
      'the request carries no authorizer decision: send Authorization: Bearer <token>',
    );
  }
  return principal;
}

/** The context the API authorizer returns with `isAuthorized: true`: the principal itself. */
const authorizerContext = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('admin') }),
  z.object({ kind: z.literal('client'), client: z.string().min(1) }),
]);

/**
 * The principal the API Gateway Lambda authorizer decided on, for `createApp`'s `principalFrom`
 * on AWS. `hono/aws-lambda` passes the API Gateway (payload 2.0) event as `c.env.event`; a simple
 * authorizer response's `context` arrives at `event.requestContext.authorizer.lambda`.
 */
export const principalFromAuthorizer: PrincipalSource = (c) => {
  const env = c.env as { event?: { requestContext?: { authorizer?: { lambda?: unknown } } } } | undefined;
  const parsed = authorizerContext.safeParse(env?.event?.requestContext?.authorizer?.lambda);
  return parsed.success ? parsed.data : undefined;
};
