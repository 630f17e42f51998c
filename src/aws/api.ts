import type { Logger } from '@aws-lambda-powertools/logger';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { handle, type LambdaEvent } from 'hono/aws-lambda';
import { createApp } from '../api/app.js';
import { principalFromAuthorizer } from '../api/authorize.js';
import type { ApiServices, RouteGroup } from '../api/services.js';
import { withLogging } from './lambda.js';

/**
 * An API function: the one Hono app, built with only `services` and serving only `routes`, behind
 * API Gateway (HTTP API, payload 2.0). The authorizer in front already decided who the request
 * speaks for; the app reads that decision from the request context (`principalFromAuthorizer`)
 * and applies the same route checks as locally (a client token reaches only its own client).
 * Unexpected errors are answered 500 by the app and logged through the function's logger.
 */
export function apiHandler(logger: Logger, services: Partial<ApiServices>, routes: readonly RouteGroup[]) {
  const app = createApp(services, {
    routes,
    principalFrom: principalFromAuthorizer,
    logger: { error: (message, attributes) => logger.error(message, attributes ?? {}) },
  });
  const serve = handle(app);
  // Hono types the payload 2.0 event its own way (`body: string | null`); the event is the same.
  return withLogging(logger, (event: APIGatewayProxyEventV2, context: Context) =>
    serve(event as unknown as LambdaEvent, context),
  );
}
