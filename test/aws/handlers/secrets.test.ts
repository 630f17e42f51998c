import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createTable, type Emulator, startDynalite } from '../../support/aws-emulators.js';
import { authorizerEvent, lambdaContext, startJsonServiceStandIn, stubLambdaEnv } from './lambda-events.js';

const SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:tributary-test-admin-token-AbCdEf';

// Secrets Manager has no emulator here: a stand-in answers GetSecretValue (awsJson1_1), so the
// entries' real reading path (SDK client, endpoint override, cache) runs.
let secretString = JSON.stringify({ token: 'trb_from-json' });
let failNext = false;
let dynamo: Emulator;
let secretsManager: Awaited<ReturnType<typeof startJsonServiceStandIn>>;
let secrets: typeof import('../../../src/aws/secrets.js');
let authorize: typeof import('../../../src/aws/functions/api-authorizer.js').handler;
let destroyAwsClients: () => void;

const reads = () => secretsManager.calls.filter((call) => call.target === 'secretsmanager.GetSecretValue');

beforeAll(async () => {
  secretsManager = await startJsonServiceStandIn((target, input) => {
    if (target !== 'secretsmanager.GetSecretValue' || input.SecretId !== SECRET_ARN) return undefined;
    if (failNext) {
      failNext = false;
      return undefined;
    }
    return {
      ARN: SECRET_ARN,
      Name: 'tributary-test-admin-token',
      SecretString: secretString,
      VersionId: 'v1',
    };
  });
  dynamo = await startDynalite();
  stubLambdaEnv({
    EVENTS_TABLE: await createTable(dynamo.endpoint, 'events'),
    AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
    ADMIN_TOKEN_SECRET_ARN: SECRET_ARN,
    AWS_ENDPOINT_URL_SECRETS_MANAGER: secretsManager.url,
  });
  secrets = await import('../../../src/aws/secrets.js');
  ({ handler: authorize } = await import('../../../src/aws/functions/api-authorizer.js'));
  ({ destroyAwsClients } = await import('../../../src/aws/clients.js'));
});

afterAll(async () => {
  vi.unstubAllEnvs();
  destroyAwsClients?.();
  await Promise.all([secretsManager?.close(), dynamo?.stop()]);
});

describe('secrets on AWS', () => {
  it('reads a secret once per container, again after its maximum age, and never keeps a failed read', async () => {
    const start = Date.now();
    const [a, b] = await Promise.all([
      secrets.secretText(SECRET_ARN, start),
      secrets.secretText(SECRET_ARN, start),
    ]);
    expect([a, b]).toEqual([secretString, secretString]);
    expect(reads()).toHaveLength(1);

    secretString = 'trb_rotated';
    expect(await secrets.secretText(SECRET_ARN, start + 1_000)).not.toBe('trb_rotated');
    expect(await secrets.secretText(SECRET_ARN, start + secrets.SECRET_MAX_AGE_MS)).toBe('trb_rotated');
    expect(reads()).toHaveLength(2);

    secrets.forgetSecret(SECRET_ARN);
    failNext = true;
    await expect(secrets.secretText(SECRET_ARN)).rejects.toThrow(
      /no answer for secretsmanager.GetSecretValue/,
    );
    expect(await secrets.secretText(SECRET_ARN)).toBe('trb_rotated');
  });

  it('lets the authorizer admit the admin token kept as plain text or as the token field of JSON', async () => {
    const context = lambdaContext('api-authorizer');
    secretString = 'trb_plain';
    secrets.forgetSecret(SECRET_ARN);
    expect(await authorize(authorizerEvent('Bearer trb_plain'), context)).toEqual({
      isAuthorized: true,
      context: { kind: 'admin' },
    });

    secretString = JSON.stringify({ token: 'trb_from-json' });
    secrets.forgetSecret(SECRET_ARN);
    expect(await authorize(authorizerEvent('Bearer trb_from-json'), context)).toEqual({
      isAuthorized: true,
      context: { kind: 'admin' },
    });
    // The JSON itself is not the token (and belongs to no client either).
    expect((await authorize(authorizerEvent(`Bearer ${secretString}`), context)).isAuthorized).toBe(false);
  });
});
