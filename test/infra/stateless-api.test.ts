import { App } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveEnvironment } from '../../infra/environment.js';
import { resolveStatelessSettings } from '../../infra/stateless/settings.js';
import { type ApiRoute, isApiTrigger, topology } from '../../src/topology.js';
import { arnOf, lambdaOf, logicalIdOf, synthesizeWithoutBundling } from './stateless-support.js';
import { resourcesOf, type Synthesized } from './synthesize.js';

let dev: Synthesized;
beforeAll(() => {
  dev = synthesizeWithoutBundling({ env: 'dev' });
});
afterAll(() => dev?.cleanup());

const apiRoutes = (): [string, ApiRoute][] =>
  Object.entries(topology.functions).flatMap(([name, spec]) =>
    isApiTrigger(spec.trigger) ? spec.trigger.routes.map((route) => [name, route] as [string, ApiRoute]) : [],
  );

describe('HTTP API', () => {
  it('routes every api route of the topology, and only those, to its function', () => {
    const routes = resourcesOf(dev.statelessTemplate, 'AWS::ApiGatewayV2::Route');
    expect(routes.map(([, route]) => route.Properties.RouteKey).sort()).toEqual(
      apiRoutes()
        .map(([, route]) => route)
        .sort(),
    );
    const integrations = dev.statelessTemplate.findResources('AWS::ApiGatewayV2::Integration');
    for (const [name, route] of apiRoutes()) {
      const [, resource] = routes.find(([, candidate]) => candidate.Properties.RouteKey === route)!;
      const target = resource.Properties.Target as { 'Fn::Join': [string, [string, { Ref: string }]] };
      const integration = integrations[target['Fn::Join'][1][1].Ref]!;
      expect(integration.Properties, route).toEqual({
        ApiId: { Ref: logicalIdOf(dev.stateless.httpApi.api) },
        IntegrationType: 'AWS_PROXY',
        IntegrationUri: arnOf(lambdaOf(dev, name)[0]),
        PayloadFormatVersion: '2.0',
      });
    }
  });

  it('puts every route behind the authorizer function, with simple responses on the Authorization header', () => {
    const authorizer = resourcesOf(dev.statelessTemplate, 'AWS::ApiGatewayV2::Authorizer');
    expect(authorizer).toHaveLength(1);
    const [authorizerId, { Properties }] = authorizer[0]!;
    expect(Properties).toMatchObject({
      AuthorizerType: 'REQUEST',
      AuthorizerPayloadFormatVersion: '2.0',
      EnableSimpleResponses: true,
      IdentitySource: ['$request.header.Authorization'],
      AuthorizerResultTtlInSeconds: 60,
    });
    expect(JSON.stringify(Properties.AuthorizerUri)).toContain(lambdaOf(dev, 'api-authorizer')[0]);
    for (const [, route] of resourcesOf(dev.statelessTemplate, 'AWS::ApiGatewayV2::Route')) {
      expect(route.Properties, String(route.Properties.RouteKey)).toMatchObject({
        AuthorizationType: 'CUSTOM',
        AuthorizerId: { Ref: authorizerId },
      });
    }
  });

  it('lets API Gateway invoke each API function only from its own routes, and the authorizer as authorizer', () => {
    const apiId = logicalIdOf(dev.stateless.httpApi.api);
    const permissions = resourcesOf(dev.statelessTemplate, 'AWS::Lambda::Permission');
    // The end of each invoke permission source ARN, after the API id: a route path, or the authorizer.
    const sourcesOf = (name: string) =>
      permissions
        .filter(([, permission]) => lambdaArnIs(permission.Properties.FunctionName, name))
        .map(([, permission]) => {
          const parts = (permission.Properties.SourceArn as { 'Fn::Join': [string, unknown[]] })[
            'Fn::Join'
          ][1];
          return parts.slice(
            parts.findIndex((part) => JSON.stringify(part) === JSON.stringify({ Ref: apiId })) + 1,
          );
        });
    const lambdaArnIs = (value: unknown, name: string) =>
      JSON.stringify(value) === JSON.stringify(arnOf(lambdaOf(dev, name)[0]));

    const apiFunctions = new Set(apiRoutes().map(([name]) => name));
    for (const name of apiFunctions) {
      const paths = apiRoutes()
        .filter(([owner]) => owner === name)
        .map(([, route]) => [`/*/*${route.split(' ')[1]}`]);
      expect(new Set(sourcesOf(name).map((source) => JSON.stringify(source))), name).toEqual(
        new Set(paths.map((path) => JSON.stringify(path))),
      );
    }
    const [authorizerId] = resourcesOf(dev.statelessTemplate, 'AWS::ApiGatewayV2::Authorizer')[0]!;
    expect(sourcesOf('api-authorizer')).toEqual([['/authorizers/', { Ref: authorizerId }]]);
    for (const name of Object.keys(topology.functions)) {
      if (!apiFunctions.has(name) && name !== 'api-authorizer') expect(sourcesOf(name), name).toEqual([]);
    }
    for (const [, permission] of permissions) {
      expect(permission.Properties).toMatchObject({
        Action: 'lambda:InvokeFunction',
        Principal: 'apigateway.amazonaws.com',
      });
    }
  });

  it('deploys a throttled $default stage that writes JSON access logs', () => {
    const [logsId, logs] = resourcesOf(dev.statelessTemplate, 'AWS::Logs::LogGroup').find(
      ([, group]) => group.Properties.LogGroupName === '/aws/apigateway/tributary-dev-api',
    )!;
    expect(logs.Properties.RetentionInDays).toBe(30);
    dev.statelessTemplate.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: { ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 },
      AccessLogSettings: {
        DestinationArn: arnOf(logsId),
        Format: Match.stringLikeRegexp('"\\$context.requestId"'),
      },
    });
    const [, stage] = resourcesOf(dev.statelessTemplate, 'AWS::ApiGatewayV2::Stage')[0]!;
    const format = JSON.parse((stage.Properties.AccessLogSettings as { Format: string }).Format);
    expect(format).toMatchObject({ status: '$context.status', routeKey: '$context.routeKey' });
    expect(dev.statelessTemplate.findOutputs('ApiUrl')).toBeDefined();
  });
});

describe('SES', () => {
  it('creates the sender domain identity with the statements configuration set', () => {
    dev.statelessTemplate.hasResourceProperties('AWS::SES::EmailIdentity', {
      EmailIdentity: 'example.com',
      ConfigurationSetAttributes: {
        ConfigurationSetName: { Ref: logicalIdOf(dev.stateless.mail.configurationSet) },
      },
    });
    dev.statelessTemplate.hasResourceProperties('AWS::SES::ConfigurationSet', {
      Name: 'tributary-dev-statements',
      DeliveryOptions: { TlsPolicy: 'REQUIRE' },
      SuppressionOptions: { SuppressedReasons: ['BOUNCE', 'COMPLAINT'] },
    });
    expect(
      Object.keys(dev.statelessTemplate.findOutputs('*')).filter((id) => id.startsWith('MailDkimRecord')),
    ).toHaveLength(3);
  });

  it('verifies a single address when mailIdentity names it', () => {
    const app = synthesizeWithoutBundling({
      mailFrom: 'statements@example.org',
      mailIdentity: 'statements@example.org',
    });
    try {
      app.statelessTemplate.hasResourceProperties('AWS::SES::EmailIdentity', {
        EmailIdentity: 'statements@example.org',
      });
      expect(
        Object.keys(app.statelessTemplate.findOutputs('*')).filter((id) => id.startsWith('MailDkim')),
      ).toEqual([]);
    } finally {
      app.cleanup();
    }
  });
});

describe('settings from context', () => {
  const settings = (context: Record<string, unknown>) => {
    const app = new App({ context });
    return resolveStatelessSettings(app.node, resolveEnvironment(app.node));
  };

  it('defaults to placeholders, the topology schedules and the local auction input', () => {
    expect(settings({})).toMatchObject({
      mailFrom: 'statements@example.com',
      mailIdentity: { kind: 'domain', value: 'example.com' },
      auctionUrl: 'https://auction.example.com',
      auctionInput: { waitSeconds: 30, maxAttempts: 20 },
      schedules: { auction: 'rate(1 hour)', 'orders-purge': 'rate(1 hour)' },
      tracing: false,
      logLevel: 'INFO',
    });
  });

  it('refuses values the functions would refuse, naming the context key', () => {
    expect(() => settings({ mailFrom: 'nobody' })).toThrow(/Context mailFrom: MAIL_FROM must be an email/);
    expect(() => settings({ auctionUrl: 'ftp://x' })).toThrow(/Context auctionUrl/);
    expect(() => settings({ orderTtlHours: '0' })).toThrow(/Context orderTtlHours/);
    expect(() => settings({ auctionBatchLimit: 'many' })).toThrow(/Context auctionBatchLimit/);
    expect(() => settings({ auctionSchedule: 'rate(1 hours)' })).toThrow(/Context auctionSchedule: .*"hour"/);
    expect(() => settings({ auctionWaitSeconds: '0' })).toThrow(/Context auctionWaitSeconds/);
    expect(() => settings({ loaderRules: '/nonexistent/rules.json' })).toThrow(
      /Context loaderRules: cannot read/,
    );
    expect(() => settings({ xray: 'yes' })).toThrow(/Context xray/);
    expect(() => settings({ logLevel: 'loud' })).toThrow(/Context logLevel/);
  });

  it('refuses an identity that does not cover the sender', () => {
    expect(settings({ mailFrom: 'a@mail.example.org', mailIdentity: 'example.org' }).mailIdentity).toEqual({
      kind: 'domain',
      value: 'example.org',
    });
    expect(() => settings({ mailFrom: 'a@example.org', mailIdentity: 'example.com' })).toThrow(
      /does not cover/,
    );
    expect(() => settings({ mailFrom: 'a@example.org', mailIdentity: 'b@example.org' })).toThrow(
      /not the sender/,
    );
  });
});

describe('admin token', () => {
  it('is a generated secret the authorizer reads', () => {
    dev.statelessTemplate.hasResourceProperties('AWS::SecretsManager::Secret', {
      Name: 'tributary-dev/admin-token',
      GenerateSecretString: Match.objectLike({ GenerateStringKey: 'token', SecretStringTemplate: '{}' }),
    });
    expect(dev.statelessTemplate.findOutputs('AdminTokenSecretName')).toBeDefined();
  });
});
