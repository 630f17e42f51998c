import type {
  APIGatewayRequestAuthorizerEventV2,
  APIGatewaySimpleAuthorizerResult,
  APIGatewaySimpleAuthorizerWithContextResult,
} from 'aws-lambda';
import { authorizeBearer, type Principal } from '../core/access/authorize-bearer.js';
import type { ClientRegistry } from '../ports/events-repository.js';

export interface ApiAuthorizerDeps {
  /**
   * The operator's token, or how to read it (on AWS from Secrets Manager; read on each cold start
   * and whenever the getter decides, so a rotated secret takes effect without a deployment).
   */
  adminToken: string | (() => Promise<string>);
  clients: Pick<ClientRegistry, 'clientForTokenHash'>;
}

/** The `context` of an allowed request: the principal, read back by `principalFromAuthorizer`. */
export type ApiAuthorizerContext = Principal;

export type ApiAuthorizerResult =
  | APIGatewaySimpleAuthorizerResult
  | APIGatewaySimpleAuthorizerWithContextResult<ApiAuthorizerContext>;

export type ApiAuthorizerHandler = (
  event: APIGatewayRequestAuthorizerEventV2,
) => Promise<ApiAuthorizerResult>;

/**
 * The HTTP API's Lambda authorizer (payload 2.0, simple responses): it lets a request through
 * with the admin token or a registered client's token, with the principal as `context`, and
 * refuses anything else (API Gateway answers 403). It decides on the token alone, so API Gateway
 * may cache the decision per token; which routes a client token reaches is the app's check.
 */
export function createApiAuthorizerHandler(deps: ApiAuthorizerDeps): ApiAuthorizerHandler {
  return async (event) => {
    const adminToken = typeof deps.adminToken === 'string' ? deps.adminToken : await deps.adminToken();
    const outcome = await authorizeBearer(authorizationOf(event), { adminToken, clients: deps.clients });
    return 'principal' in outcome
      ? { isAuthorized: true, context: outcome.principal }
      : { isAuthorized: false };
  };
}

/** HTTP APIs lower-case header names; the identity source holds the same value. */
function authorizationOf(event: APIGatewayRequestAuthorizerEventV2): string | undefined {
  const headers = event.headers ?? {};
  const name = Object.keys(headers).find((key) => key.toLowerCase() === 'authorization');
  return (name ? headers[name] : undefined) ?? event.identitySource?.[0];
}
