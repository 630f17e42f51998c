import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FUNCTION_ACCESS } from '../../infra/stateless/function-access.js';
import { LambdaEnvError, type LambdaVariable, lambdaEnv } from '../../src/aws/env.js';
import { topology } from '../../src/topology.js';
import {
  arnOf,
  FUNCTION_NAMES,
  imported,
  lambdaOf,
  logicalIdOf,
  synthesizeWithoutBundling,
} from './stateless-support.js';
import { resourcesOf, type Synthesized } from './synthesize.js';

let dev: Synthesized;
beforeAll(() => {
  dev = synthesizeWithoutBundling({ env: 'dev' });
});
afterAll(() => dev?.cleanup());

/** Variables the runtime or Powertools read, not the entry's `lambdaEnv`. */
const RUNTIME_VARIABLES = ['POWERTOOLS_SERVICE_NAME', 'POWERTOOLS_LOG_LEVEL', 'NODE_EXTRA_CA_CERTS'];

/** The variables an entry parses: the names in its `lambdaEnv([...])` call. */
function variablesReadBy(entry: string): LambdaVariable[] {
  const source = readFileSync(entry, 'utf8');
  const call = /lambdaEnv\(\s*\[([^\]]*)\]/.exec(source);
  if (!call) return [];
  return [...call[1]!.matchAll(/'([A-Z_]+)'/g)].map((match) => match[1] as LambdaVariable);
}

/** Whether a variable has no default: `lambdaEnv` refuses an environment without it. */
function isRequired(variable: LambdaVariable): boolean {
  try {
    lambdaEnv([variable], {});
    return false;
  } catch (error) {
    if (error instanceof LambdaEnvError) return true;
    throw error;
  }
}

describe('functions', () => {
  it('deploys every topology function, and nothing else, as tributary-dev-<name>', () => {
    const deployed = resourcesOf(dev.statelessTemplate, 'AWS::Lambda::Function').map(
      ([, fn]) => fn.Properties.FunctionName,
    );
    expect(deployed.sort()).toEqual(FUNCTION_NAMES.map((name) => `tributary-dev-${name}`).sort());
    expect(Object.keys(FUNCTION_ACCESS).sort()).toEqual([...FUNCTION_NAMES].sort());
  });

  it('bundles a Lambda entry point that exports handler, for each function', () => {
    for (const [name, spec] of Object.entries(topology.functions)) {
      expect(spec.entry, name).toBe(`src/aws/functions/${name}.ts`);
      expect(existsSync(spec.entry), spec.entry).toBe(true);
      expect(readFileSync(spec.entry, 'utf8'), spec.entry).toMatch(/export (const|async function) handler\b/);
    }
  });

  it('runs Node 22 on arm64 with the topology timeout and memory, from index.mjs', () => {
    for (const [name, spec] of Object.entries(topology.functions)) {
      const [, fn] = lambdaOf(dev, name);
      expect(fn.Properties, name).toMatchObject({
        Runtime: 'nodejs22.x',
        Architectures: ['arm64'],
        Handler: 'index.handler',
        Timeout: spec.timeoutSeconds,
        MemorySize: spec.memoryMb,
        Description: spec.description,
      });
      expect(fn.Properties.TracingConfig, name).toBeUndefined();
    }
  });

  it('logs to its own log group, kept for the environment retention', () => {
    for (const name of FUNCTION_NAMES) {
      const [, fn] = lambdaOf(dev, name);
      const logGroupId = logicalIdOf(dev.stateless.functions.byName[name].logGroup);
      expect(fn.Properties.LoggingConfig, name).toEqual({ LogGroup: { Ref: logGroupId } });
      dev.statelessTemplate.hasResourceProperties('AWS::Logs::LogGroup', {
        LogGroupName: `/aws/lambda/tributary-dev-${name}`,
        RetentionInDays: 30,
      });
    }
  });

  it('runs under a role of its own', () => {
    const roles = FUNCTION_NAMES.map((name) => lambdaOf(dev, name)[1].Properties.Role);
    expect(new Set(roles.map((role) => JSON.stringify(role))).size).toBe(FUNCTION_NAMES.length);
  });

  it('sets every variable its entry requires and none it does not read', () => {
    for (const [name, spec] of Object.entries(topology.functions)) {
      const [, fn] = lambdaOf(dev, name);
      const variables = (fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
      const read = variablesReadBy(spec.entry);
      const set = Object.keys(variables).filter((variable) => !RUNTIME_VARIABLES.includes(variable));
      expect(
        set.filter((variable) => !(read as string[]).includes(variable)),
        `${name} sets unread`,
      ).toEqual([]);
      expect(
        read.filter((variable) => isRequired(variable) && !set.includes(variable)),
        `${name} lacks required`,
      ).toEqual([]);
      expect(variables).toMatchObject({ POWERTOOLS_SERVICE_NAME: name, POWERTOOLS_LOG_LEVEL: 'INFO' });
    }
  });

  it('names the physical resources in the variables', () => {
    const { stateful } = dev;
    const variables = (name: string) =>
      (lambdaOf(dev, name)[1].Properties.Environment as { Variables: Record<string, unknown> }).Variables;
    expect(variables('statements-ingest')).toMatchObject({
      STATEMENTS_TABLE: imported(dev, stateful.tables.statements.tableName),
      EVENT_BUS_NAME: 'default',
      BUCKETS: dev.stateless.resolve(
        dev.stateless.toJsonString({ transactions: stateful.buckets.transactions.bucketName }),
      ),
    });
    expect(variables('events-api')).toMatchObject({
      EVENTS_TABLE: imported(dev, stateful.tables.events.tableName),
      STREAMS: dev.stateless.resolve(
        dev.stateless.toJsonString({ events: stateful.streams.events.streamName }),
      ),
    });
    expect(variables('auction-notify').ALERTS_TOPIC_ARN).toEqual(
      imported(dev, stateful.alertsTopic.topicArn),
    );
    expect(variables('statements-notify')).toMatchObject({
      MAIL_FROM: 'statements@example.com',
      SES_CONFIGURATION_SET: 'tributary-dev-statements',
    });
    expect(variables('api-authorizer').ADMIN_TOKEN_SECRET_ARN).toEqual({
      Ref: logicalIdOf(dev.stateless.adminToken),
    });
    expect(variables('auction-fetch-results').AUCTION_URL).toBe('https://auction.example.com');
    for (const name of ['loader-ingest', 'reports-api']) {
      expect(variables(name)).toMatchObject({
        DB_SECRET_ARN: imported(dev, stateful.databaseSecret.secretArn),
        NODE_EXTRA_CA_CERTS: '/var/runtime/ca-cert.pem',
      });
    }
  });

  it('runs the database functions in the functions subnets with the database-clients group, and only them', () => {
    const functionSubnets = dev.stateful.vpc.selectSubnets({ subnetGroupName: 'functions' }).subnetIds;
    for (const name of FUNCTION_NAMES) {
      const [, fn] = lambdaOf(dev, name);
      if (!FUNCTION_ACCESS[name].database) {
        expect(fn.Properties.VpcConfig, name).toBeUndefined();
        continue;
      }
      expect(fn.Properties.VpcConfig, name).toEqual({
        SubnetIds: functionSubnets.map((id) => imported(dev, id)),
        SecurityGroupIds: [imported(dev, dev.stateful.databaseClientSecurityGroup.securityGroupId)],
      });
    }
  });

  it('keeps no managed policy on a function role', () => {
    for (const name of FUNCTION_NAMES) {
      const roleId = (lambdaOf(dev, name)[1].Properties.Role as { 'Fn::GetAtt': [string] })['Fn::GetAtt'][0];
      const role = dev.statelessTemplate.findResources('AWS::IAM::Role')[roleId];
      expect(role?.Properties.ManagedPolicyArns, name).toBeUndefined();
      expect(role?.Properties.AssumeRolePolicyDocument.Statement).toEqual([
        { Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' } },
      ]);
      expect(arnOf(roleId)).toEqual(lambdaOf(dev, name)[1].Properties.Role);
    }
  });
});

describe('functions in prod with settings from context', () => {
  let prod: Synthesized;
  const rulesDir = mkdtempSync(join(tmpdir(), 'tributary-rules-'));
  const rulesFile = join(rulesDir, 'rules.json');
  const rules = `${JSON.stringify({
    rules: [{ pattern: '^teams.*\\.csv$', table: 'teams', columns: [{ name: 'id', type: 'int' }] }],
  })}\n`;
  beforeAll(() => {
    writeFileSync(rulesFile, rules);
    prod = synthesizeWithoutBundling({
      env: 'prod',
      xray: 'true',
      logLevel: 'warn',
      mailFrom: 'statements@mail.example.org',
      auctionUrl: 'https://auction.example.org/api',
      auctionBatchLimit: '200',
      orderTtlHours: '48',
      loaderRules: rulesFile,
    });
  });
  afterAll(() => {
    prod?.cleanup();
    rmSync(rulesDir, { recursive: true, force: true });
  });

  it('traces every function when xray=true', () => {
    for (const name of FUNCTION_NAMES) {
      expect(lambdaOf(prod, name)[1].Properties.TracingConfig, name).toEqual({ Mode: 'Active' });
    }
  });

  it('passes the configured values to the functions that read them', () => {
    const variables = (name: string) =>
      (lambdaOf(prod, name)[1].Properties.Environment as { Variables: Record<string, unknown> }).Variables;
    expect(variables('statements-notify')).toMatchObject({
      MAIL_FROM: 'statements@mail.example.org',
      POWERTOOLS_LOG_LEVEL: 'WARN',
    });
    expect(variables('auction-fetch-results')).toMatchObject({
      AUCTION_URL: 'https://auction.example.org/api',
      AUCTION_BATCH_LIMIT: '200',
    });
    expect(variables('orders-api').ORDER_TTL_HOURS).toBe('48');
    expect(variables('loader-ingest').LOADER_RULES).toBe(rules);
    expect(variables('reports-api').LOADER_RULES).toBe(rules);
  });

  it('keeps logs for a year', () => {
    for (const name of FUNCTION_NAMES) {
      prod.statelessTemplate.hasResourceProperties('AWS::Logs::LogGroup', {
        LogGroupName: `/aws/lambda/tributary-prod-${name}`,
        RetentionInDays: 365,
      });
    }
  });
});
