import { Match } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { substitutionKey, taskFunctionsOf } from '../../infra/stateless/workflows.js';
import { topology } from '../../src/topology.js';
import { auctionDefinition } from '../../src/workflows/auction.js';
import {
  arnOf,
  asList,
  lambdaOf,
  logicalIdOf,
  statementsOfRole,
  synthesizeWithoutBundling,
} from './stateless-support.js';
import { resourcesOf, type Synthesized } from './synthesize.js';

let dev: Synthesized;
beforeAll(() => {
  dev = synthesizeWithoutBundling({ env: 'dev' });
});
afterAll(() => dev?.cleanup());

describe('state machines', () => {
  /** The logical id of each topology function's Lambda. */
  const functionIds = () =>
    new Map(Object.keys(topology.functions).map((name) => [lambdaOf(dev, name)[0], name] as const));

  it('deploys the ASL the local runner executes, with the task functions ARNs substituted', () => {
    expect(Object.keys(topology.stateMachines)).toContain('auction');
    expect(topology.stateMachines.auction.definition).toBe(auctionDefinition);
    const ids = functionIds();
    for (const [name, spec] of Object.entries(topology.stateMachines)) {
      const [, machine] = resourcesOf(dev.statelessTemplate, 'AWS::StepFunctions::StateMachine').find(
        ([, resource]) => resource.Properties.StateMachineName === `tributary-dev-${name}`,
      )!;
      const substitutions = machine.Properties.DefinitionSubstitutions as Record<
        string,
        { 'Fn::GetAtt': [string] }
      >;
      let deployed = machine.Properties.DefinitionString as string;
      expect(typeof deployed).toBe('string');
      for (const [key, value] of Object.entries(substitutions)) {
        const fn = ids.get(value['Fn::GetAtt'][0]);
        expect(value, key).toEqual(arnOf(value['Fn::GetAtt'][0]));
        expect(key).toBe(substitutionKey(fn!));
        deployed = deployed.replaceAll(`\${${key}}`, `arn-of:${fn}`);
      }
      expect(JSON.parse(deployed)).toEqual(spec.definition((fn) => `arn-of:${fn}`));
      expect(Object.keys(substitutions).sort()).toEqual(taskFunctionsOf(name).map(substitutionKey).sort());
    }
  });

  it('logs every execution with its data to its own log group, and traces it', () => {
    for (const name of Object.keys(topology.stateMachines)) {
      const machine = dev.stateless.workflows.stateMachines[name as 'auction'];
      const logs = resourcesOf(dev.statelessTemplate, 'AWS::Logs::LogGroup').find(
        ([, group]) => group.Properties.LogGroupName === `/aws/vendedlogs/states/tributary-dev-${name}`,
      )!;
      dev.statelessTemplate.hasResourceProperties('AWS::StepFunctions::StateMachine', {
        StateMachineName: `tributary-dev-${name}`,
        StateMachineType: 'STANDARD',
        LoggingConfiguration: {
          Destinations: [{ CloudWatchLogsLogGroup: { LogGroupArn: arnOf(logs[0]) } }],
          IncludeExecutionData: true,
          Level: 'ALL',
        },
        TracingConfiguration: { Enabled: true },
      });
      expect(logs[1].Properties.RetentionInDays).toBe(30);
      expect(machine.stateMachineName).toBeDefined();
    }
  });

  it('may invoke its task functions, by their unqualified ARN, and no other function', () => {
    for (const name of Object.keys(topology.stateMachines)) {
      const machine = dev.stateless.workflows.stateMachines[name as 'auction'];
      const statements = statementsOfRole(dev.statelessTemplate, logicalIdOf(machine.role));
      const invokes = statements.filter((statement) =>
        asList(statement.Action).some((a) => a.startsWith('lambda:')),
      );
      expect(invokes).toHaveLength(1);
      expect(invokes[0]).toMatchObject({ Effect: 'Allow', Action: 'lambda:InvokeFunction' });
      expect(asList(invokes[0]!.Resource)).toEqual(
        expect.arrayContaining(taskFunctionsOf(name).map((task) => arnOf(lambdaOf(dev, task)[0]))),
      );
      expect(asList(invokes[0]!.Resource)).toHaveLength(taskFunctionsOf(name).length);
      const others = statements.filter((statement) => statement !== invokes[0]);
      for (const statement of others) {
        expect(statement.Resource).toBe('*');
        for (const action of asList(statement.Action)) expect(action).toMatch(/^(logs|xray):/);
      }
    }
  });
});

describe('schedules', () => {
  it('starts each state machine on the topology expression with the local scheduler input', () => {
    for (const [name, spec] of Object.entries(topology.schedules)) {
      const machine = dev.stateless.workflows.stateMachines[spec.target.stateMachine];
      const input = spec.target.stateMachine === 'auction' ? { waitSeconds: 30, maxAttempts: 20 } : {};
      dev.statelessTemplate.hasResourceProperties('AWS::Scheduler::Schedule', {
        Name: `tributary-dev-${name}`,
        ScheduleExpression: spec.expression,
        ScheduleExpressionTimezone: 'Etc/UTC',
        State: 'ENABLED',
        Target: {
          Arn: { Ref: logicalIdOf(machine) },
          Input: JSON.stringify(input),
          RoleArn: Match.anyValue(),
          RetryPolicy: { MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 900 },
        },
      });
    }
    expect(resourcesOf(dev.statelessTemplate, 'AWS::Scheduler::Schedule')).toHaveLength(
      Object.keys(topology.schedules).length,
    );
  });

  it('starts through a role that may only start that state machine', () => {
    for (const [, schedule] of resourcesOf(dev.statelessTemplate, 'AWS::Scheduler::Schedule')) {
      const target = schedule.Properties.Target as { Arn: unknown; RoleArn: { 'Fn::GetAtt': [string] } };
      const roleId = target.RoleArn['Fn::GetAtt'][0];
      expect(statementsOfRole(dev.statelessTemplate, roleId)).toEqual([
        { Effect: 'Allow', Action: 'states:StartExecution', Resource: target.Arn },
      ]);
      const role = dev.statelessTemplate.findResources('AWS::IAM::Role')[roleId]!;
      expect(role.Properties.AssumeRolePolicyDocument.Statement).toEqual([
        expect.objectContaining({
          Principal: { Service: 'scheduler.amazonaws.com' },
          Action: 'sts:AssumeRole',
        }),
      ]);
    }
  });

  it('takes the expressions and the auction input from context', () => {
    const custom = synthesizeWithoutBundling({
      auctionSchedule: 'cron(0/15 * * * ? *)',
      ordersPurgeSchedule: 'rate(6 hours)',
      auctionWaitSeconds: '10',
      auctionMaxAttempts: '3',
    });
    try {
      custom.statelessTemplate.hasResourceProperties('AWS::Scheduler::Schedule', {
        Name: 'tributary-dev-auction',
        ScheduleExpression: 'cron(0/15 * * * ? *)',
        Target: Match.objectLike({ Input: JSON.stringify({ waitSeconds: 10, maxAttempts: 3 }) }),
      });
      custom.statelessTemplate.hasResourceProperties('AWS::Scheduler::Schedule', {
        Name: 'tributary-dev-orders-purge',
        ScheduleExpression: 'rate(6 hours)',
      });
    } finally {
      custom.cleanup();
    }
  });
});
