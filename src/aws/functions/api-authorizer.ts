import { createDynamoClientRegistry } from '../../adapters/aws/dynamo-client-registry.js';
import { createApiAuthorizerHandler } from '../../functions/api-authorizer.js';
import { documentClient } from '../clients.js';
import { systemClock } from '../clock.js';
import { lambdaEnv } from '../env.js';
import { functionLogger, withLogging } from '../lambda.js';
import { secretText } from '../secrets.js';

/**
 * `api-authorizer` (the HTTP API's Lambda authorizer, simple responses): admits the admin token
 * (from Secrets Manager) or a registered client's token (by its hash, in the events table).
 *
 * The secret holds the token as its whole text, or as the `token` field of a JSON object (what
 * `generateSecretString({ secretStringTemplate: '{}', generateStringKey: 'token' })` makes). It is
 * read at the first request and again after a few minutes, so a rotated token takes effect
 * without a deployment.
 */
const env = lambdaEnv(['EVENTS_TABLE', 'ADMIN_TOKEN_SECRET_ARN']);

export async function adminToken(): Promise<string> {
  const text = (await secretText(env.ADMIN_TOKEN_SECRET_ARN)).trim();
  if (!text.startsWith('{')) return text;
  try {
    const { token } = JSON.parse(text) as { token?: unknown };
    if (typeof token === 'string' && token.length > 0) return token;
  } catch {
    // Not JSON after all: the whole text is the token.
    return text;
  }
  throw new Error(
    `admin token secret "${env.ADMIN_TOKEN_SECRET_ARN}" is a JSON object without a "token" string`,
  );
}

export const handler = withLogging(
  functionLogger('api-authorizer'),
  createApiAuthorizerHandler({
    adminToken,
    clients: createDynamoClientRegistry({
      client: documentClient(),
      tableName: env.EVENTS_TABLE,
      clock: systemClock,
    }),
  }),
);
