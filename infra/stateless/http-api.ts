import { CfnOutput, Duration, Stack } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import {
  HttpApi,
  type HttpApi as HttpApiType,
  HttpMethod,
  HttpNoneAuthorizer,
  type HttpStage,
  LogGroupLogDestination,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaAuthorizer, HttpLambdaResponseType } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { type ApiRoute, isApiTrigger, isAuthorizerTrigger } from '../../src/topology.js';
import type { DeploymentEnvironment } from '../environment.js';
import type { FunctionName } from '../topology-resources.js';
import { topologyFunctions } from './function-access.js';
import type { StatelessSettings } from './settings.js';

/** Routes anyone may call: API Gateway lets them through without asking the authorizer. */
export const PUBLIC_PATHS: readonly string[] = ['/health'];

/** `GET /orders/{record_id}` → method and path. */
export function parseRoute(route: ApiRoute): { method: HttpMethod; path: string } {
  const [method = '', path = ''] = route.split(' ');
  if (!(method in HttpMethod) || !path.startsWith('/'))
    throw new Error(`Route "${route}" is not "METHOD /path"`);
  return { method: HttpMethod[method as keyof typeof HttpMethod], path };
}

/**
 * Access log line: one JSON object per request, with the fields an operator looks for (who, what
 * route, status, latency, and why the authorizer or the integration failed).
 */
const ACCESS_LOG_FORMAT = AccessLogFormat.custom(
  JSON.stringify({
    requestId: '$context.requestId',
    time: '$context.requestTime',
    ip: '$context.identity.sourceIp',
    userAgent: '$context.identity.userAgent',
    routeKey: '$context.routeKey',
    status: '$context.status',
    protocol: '$context.protocol',
    responseLength: '$context.responseLength',
    latencyMs: '$context.responseLatency',
    integrationLatencyMs: '$context.integrationLatency',
    authorizerError: '$context.authorizer.error',
    integrationError: '$context.integrationErrorMessage',
  }),
);

export interface TributaryHttpApiProps {
  environment: DeploymentEnvironment;
  settings: StatelessSettings;
  functions: Record<FunctionName, NodejsFunction>;
}

/**
 * The HTTP API (API Gateway v2): every route of every `api` trigger, integrated with its
 * function (payload 2.0, the Hono app through `hono/aws-lambda`), behind the `authorizer`
 * function as a Lambda authorizer with simple responses on the Authorization header. Its
 * decision is cached for a minute per token, so a removed client loses access within a minute.
 * Routes under {@link PUBLIC_PATHS} skip it. The `$default` stage auto-deploys, throttles, and
 * writes JSON access logs to its own log group.
 */
export class TributaryHttpApi extends Construct {
  readonly api: HttpApiType;
  readonly stage: HttpStage;

  constructor(scope: Construct, id: string, props: TributaryHttpApiProps) {
    super(scope, id);
    const { environment: env, settings, functions } = props;
    const entries = topologyFunctions();
    const authorizers = entries.filter(([, spec]) => isAuthorizerTrigger(spec.trigger));
    if (authorizers.length !== 1) {
      throw new Error(
        `The HTTP API needs exactly one authorizer function, the topology has ${authorizers.length}`,
      );
    }
    const [authorizerName] = authorizers[0]!;
    const authorizer = new HttpLambdaAuthorizer('TokenAuthorizer', functions[authorizerName], {
      authorizerName: `${env.prefix}-token`,
      responseTypes: [HttpLambdaResponseType.SIMPLE],
      identitySource: ['$request.header.Authorization'],
      resultsCacheTtl: Duration.minutes(1),
    });

    this.api = new HttpApi(this, 'Api', {
      apiName: `${env.prefix}-api`,
      description: `Tributary ${env.name}: events, orders, loader reports`,
      createDefaultStage: false,
      defaultAuthorizer: authorizer,
    });
    const accessLogs = new LogGroup(this, 'AccessLogs', {
      logGroupName: `/aws/apigateway/${env.prefix}-api`,
      retention: env.logRetentionDays,
      removalPolicy: env.removalPolicy,
    });
    this.stage = this.api.addStage('DefaultStage', {
      stageName: '$default',
      autoDeploy: true,
      throttle: settings.apiThrottle,
      accessLogSettings: { destination: new LogGroupLogDestination(accessLogs), format: ACCESS_LOG_FORMAT },
    });

    const seen = new Map<string, FunctionName>();
    for (const [name, spec] of entries) {
      if (!isApiTrigger(spec.trigger)) continue;
      const integration = new HttpLambdaIntegration(`${name}-integration`, functions[name]);
      for (const route of spec.trigger.routes) {
        const earlier = seen.get(route);
        if (earlier) throw new Error(`Route "${route}" belongs to both ${earlier} and ${name}`);
        seen.set(route, name);
        const { method, path } = parseRoute(route);
        this.api.addRoutes({
          path,
          methods: [method],
          integration,
          ...(PUBLIC_PATHS.includes(path) && { authorizer: new HttpNoneAuthorizer() }),
        });
      }
    }

    new CfnOutput(Stack.of(this), 'ApiUrl', {
      description: 'Base URL of the HTTP API',
      value: this.stage.url,
    });
  }
}
