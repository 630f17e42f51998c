import { Duration } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import { Schedule, ScheduleExpression, ScheduleTargetInput } from 'aws-cdk-lib/aws-scheduler';
import { StepFunctionsStartExecution } from 'aws-cdk-lib/aws-scheduler-targets';
import { DefinitionBody, LogLevel, StateMachine, StateMachineType } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import {
  isStateMachineTaskTrigger,
  type ScheduleSpec,
  type StateMachineSpec,
  topology,
} from '../../src/topology.js';
import type { DeploymentEnvironment } from '../environment.js';
import type { FunctionName } from '../topology-resources.js';
import { topologyFunctions } from './function-access.js';
import type { ScheduleName, StatelessSettings } from './settings.js';

export type StateMachineName = keyof typeof topology.stateMachines;

/** The state machine whose executions get the auction input, as src/runtime/fabric.ts gives it. */
const AUCTION = 'auction';

/** The `${…}` placeholder of a task function's ARN in a deployed definition. */
export const substitutionKey = (functionName: string) => `FunctionArn_${functionName.replaceAll('-', '_')}`;

/** The functions the topology marks as tasks of a state machine. */
export function taskFunctionsOf(stateMachine: string): FunctionName[] {
  return topologyFunctions()
    .filter(
      ([, spec]) => isStateMachineTaskTrigger(spec.trigger) && spec.trigger.stateMachine === stateMachine,
    )
    .map(([name]) => name);
}

export interface WorkflowsProps {
  environment: DeploymentEnvironment;
  settings: StatelessSettings;
  functions: Record<FunctionName, NodejsFunction>;
}

/**
 * The state machines and their schedules.
 *
 * Each definition is the topology's own ASL (`definition(resourceFor)`, the module the local
 * runner executes), with each Task's resource a `${FunctionArn_<name>}` placeholder that Step
 * Functions substitutes with the function's ARN (`DefinitionSubstitutions`): the definition
 * string is the ASL exactly. Executions log everything, with their data, to their own log group
 * and are traced. The role may invoke the state machine's task functions, by their unqualified
 * ARN, and nothing else (beyond the log delivery and X-Ray calls Step Functions makes).
 *
 * Each schedule is an EventBridge Scheduler schedule (expression from the topology, or context)
 * starting its state machine through a role that may only `states:StartExecution` on it, with the
 * input the local scheduler gives: the auction's `{waitSeconds, maxAttempts}`, else the
 * topology's input or `{}`. A start that fails is retried 3 times within 15 minutes; the next run
 * takes what a lost one would have.
 */
export class Workflows extends Construct {
  readonly stateMachines: Record<StateMachineName, StateMachine>;
  readonly schedules: Record<ScheduleName, Schedule>;

  constructor(scope: Construct, id: string, props: WorkflowsProps) {
    super(scope, id);
    const { environment: env, settings, functions } = props;
    this.stateMachines = {} as Record<StateMachineName, StateMachine>;
    const stateMachines = Object.entries(topology.stateMachines) as [StateMachineName, StateMachineSpec][];
    for (const [name, spec] of stateMachines) {
      const tasks = taskFunctionsOf(name);
      const used = new Set<FunctionName>();
      const definition = spec.definition((functionName) => {
        if (!(tasks as string[]).includes(functionName)) {
          throw new Error(
            `State machine ${name} invokes ${functionName}, which is not one of its task functions (${tasks.join(', ')})`,
          );
        }
        used.add(functionName as FunctionName);
        return `\${${substitutionKey(functionName)}}`;
      });
      const unused = tasks.filter((task) => !used.has(task));
      if (unused.length > 0) throw new Error(`State machine ${name} never invokes ${unused.join(', ')}`);

      const stateMachineName = `${env.prefix}-${name}`;
      const logs = new LogGroup(this, `${name}-logs`, {
        logGroupName: `/aws/vendedlogs/states/${stateMachineName}`,
        retention: env.logRetentionDays,
        removalPolicy: env.removalPolicy,
      });
      const stateMachine = new StateMachine(this, name, {
        stateMachineName,
        comment: spec.description,
        stateMachineType: StateMachineType.STANDARD,
        definitionBody: DefinitionBody.fromString(JSON.stringify(definition)),
        definitionSubstitutions: Object.fromEntries(
          [...used].map((task) => [substitutionKey(task), functions[task].functionArn]),
        ),
        logs: { destination: logs, level: LogLevel.ALL, includeExecutionData: true },
        tracingEnabled: true,
      });
      stateMachine.addToRolePolicy(
        new PolicyStatement({
          actions: ['lambda:InvokeFunction'],
          resources: [...used].map((task) => functions[task].functionArn),
        }),
      );
      this.stateMachines[name] = stateMachine;
    }

    this.schedules = {} as Record<ScheduleName, Schedule>;
    for (const [name, spec] of Object.entries(topology.schedules) as [ScheduleName, ScheduleSpec][]) {
      const target = spec.target;
      const stateMachine = this.stateMachines[target.stateMachine as StateMachineName];
      if (!stateMachine)
        throw new Error(`Schedule ${name} starts "${target.stateMachine}": no such state machine`);
      const input =
        target.stateMachine === AUCTION
          ? { ...settings.auctionInput, ...target.input }
          : (target.input ?? {});
      this.schedules[name] = new Schedule(this, `${name}-schedule`, {
        scheduleName: `${env.prefix}-${name}`,
        description: spec.description,
        schedule: ScheduleExpression.expression(settings.schedules[name]),
        target: new StepFunctionsStartExecution(stateMachine, {
          input: ScheduleTargetInput.fromObject(input),
          // A start that keeps failing is left to the next run rather than retried for a day.
          retryAttempts: 3,
          maxEventAge: Duration.minutes(15),
        }),
      });
    }
  }
}
