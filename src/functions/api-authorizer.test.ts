import type { APIGatewayRequestAuthorizerEventV2 } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { hashClientToken } from '../core/access/client-tokens.js';
import { createApiAuthorizerHandler } from './api-authorizer.js';

const adminToken = 'trb_the-admin-token';
const clientToken = 'trc_barclays-token';
const clients = {
  clientForTokenHash: async (hash: string) =>
    hash === hashClientToken(clientToken) ? 'barclays' : undefined,
};

/** An HTTP API (payload 2.0) REQUEST authorizer event, identity source `$request.header.Authorization`. */
function authorizerEvent(authorization: string | undefined, path = '/clients/barclays/events') {
  return {
    version: '2.0',
    type: 'REQUEST',
    routeArn: `arn:aws:execute-api:eu-west-1:123456789012:abcdef123/$default/GET${path}`,
    identitySource: authorization === undefined ? [] : [authorization],
    routeKey: `GET ${path.replace('/barclays/', '/{client}/')}`,
    rawPath: path,
    rawQueryString: 'limit=10',
    cookies: [],
    headers: {
      accept: '*/*',
      host: 'abcdef123.execute-api.eu-west-1.amazonaws.com',
      ...(authorization === undefined ? {} : { authorization }),
    },
    queryStringParameters: { limit: '10' },
    requestContext: {
      accountId: '123456789012',
      apiId: 'abcdef123',
      domainName: 'abcdef123.execute-api.eu-west-1.amazonaws.com',
      domainPrefix: 'abcdef123',
      http: { method: 'GET', path, protocol: 'HTTP/1.1', sourceIp: '203.0.113.7', userAgent: 'curl/8' },
      requestId: 'JKJaXmPLvHcESHA=',
      routeKey: `GET ${path}`,
      stage: '$default',
      time: '01/Sep/2024:00:00:00 +0000',
      timeEpoch: 1_725_148_800_000,
    },
    pathParameters: { client: 'barclays' },
  } satisfies APIGatewayRequestAuthorizerEventV2;
}

describe('api-authorizer', () => {
  const authorize = createApiAuthorizerHandler({ adminToken, clients });

  it('lets the admin token through as the operator', async () => {
    expect(await authorize(authorizerEvent(`Bearer ${adminToken}`))).toEqual({
      isAuthorized: true,
      context: { kind: 'admin' },
    });
  });

  it("lets a client's token through as that client", async () => {
    expect(await authorize(authorizerEvent(`Bearer ${clientToken}`))).toEqual({
      isAuthorized: true,
      context: { kind: 'client', client: 'barclays' },
    });
  });

  it('refuses an unknown token, a malformed header and no header', async () => {
    for (const header of ['Bearer trc_not-a-token', `Basic ${adminToken}`, undefined]) {
      expect(await authorize(authorizerEvent(header)), String(header)).toEqual({ isAuthorized: false });
    }
  });

  it('decides on the token alone, whatever the route, so API Gateway may cache the decision per token', async () => {
    const event = authorizerEvent(`Bearer ${clientToken}`, '/orders');
    expect(await authorize(event)).toEqual({
      isAuthorized: true,
      context: { kind: 'client', client: 'barclays' },
    });
  });

  it('reads the admin token through a getter, so a rotated secret is picked up', async () => {
    let current = adminToken;
    const handler = createApiAuthorizerHandler({ adminToken: async () => current, clients });
    expect((await handler(authorizerEvent(`Bearer ${adminToken}`))).isAuthorized).toBe(true);
    current = 'trb_rotated';
    expect((await handler(authorizerEvent(`Bearer ${adminToken}`))).isAuthorized).toBe(false);
    expect((await handler(authorizerEvent('Bearer trb_rotated'))).isAuthorized).toBe(true);
  });
});
