import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import type { DeploymentEnvironment } from './environment.js';
import type { StatefulStack } from './stateful-stack.js';
import { DeadLetterAlarms } from './stateless/alarms.js';
import { addEventSources } from './stateless/event-sources.js';
import { TopologyFunctions } from './stateless/functions.js';
import { TributaryHttpApi } from './stateless/http-api.js';
import { StatementsMail } from './stateless/mail.js';
import { acknowledgeRule, acknowledgeWildcards } from './stateless/nag.js';
import { TopologyRules } from './stateless/rules.js';
import { resolveStatelessSettings, type StatelessSettings } from './stateless/settings.js';
import { WILDCARD_ALLOWANCES } from './stateless/wildcards.js';
import { Workflows } from './stateless/workflows.js';

export interface StatelessStackProps extends StackProps {
  environment: DeploymentEnvironment;
  /** Buckets, tables, queues, streams, alerts topic and database, by topology name. */
  stateful: StatefulStack;
}

/**
 * Functions and their wiring, which can be replaced at will because they hold no data, built by
 * iterating the topology: one NodejsFunction per topology function (entries in
 * `src/aws/functions/`, access in stateless/function-access.ts), the event sources of their
 * queue and stream triggers, the bus rules, the state machines and their schedules, the HTTP API
 * with its authorizer, the SES identity the statements are sent from, and an alarm on every
 * dead-letter queue. Settings come from context (stateless/settings.ts).
 */
export class StatelessStack extends Stack {
  readonly deployment: DeploymentEnvironment;
  readonly stateful: StatefulStack;
  readonly settings: StatelessSettings;
  readonly functions: TopologyFunctions;
  readonly rules: TopologyRules;
  readonly workflows: Workflows;
  readonly httpApi: TributaryHttpApi;
  readonly mail: StatementsMail;
  readonly adminToken: Secret;
  readonly alarms: DeadLetterAlarms;

  constructor(scope: Construct, id: string, props: StatelessStackProps) {
    super(scope, id, props);
    const environment = props.environment;
    const stateful = props.stateful;
    this.deployment = environment;
    this.stateful = stateful;
    this.addStackDependency(stateful, 'functions read and write the stateful resources');
    this.settings = resolveStatelessSettings(this.node, environment);

    // The operator's bearer token for the HTTP API (the authorizer admits it, and client tokens).
    this.adminToken = new Secret(this, 'AdminToken', {
      secretName: `${environment.prefix}/admin-token`,
      description: 'Bearer token of the Tributary operator (JSON {"token": …})',
      generateSecretString: {
        secretStringTemplate: '{}',
        generateStringKey: 'token',
        passwordLength: 48,
        excludePunctuation: true,
      },
      removalPolicy: environment.removalPolicy,
    });
    new CfnOutput(this, 'AdminTokenSecretName', {
      description: 'Secrets Manager secret holding the admin bearer token (field "token")',
      value: this.adminToken.secretName,
    });
    acknowledgeRule(
      this.adminToken,
      'SMG4',
      'A bearer token held by the operator and their tools: rotating it is a deliberate operator action ' +
        '(update the secret, then the clients), not a schedule; the authorizer rereads it within minutes.',
    );

    this.mail = new StatementsMail(this, 'Mail', { environment, identity: this.settings.mailIdentity });
    this.functions = new TopologyFunctions(this, 'Functions', {
      environment,
      stateful,
      settings: this.settings,
      adminToken: this.adminToken,
      mail: {
        identity: this.mail.identity,
        configurationSetName: this.mail.configurationSetName,
        configurationSetArn: this.mail.configurationSetArn,
      },
    });
    const functions = this.functions.byName;
    for (const fn of Object.values(functions)) {
      acknowledgeRule(
        fn,
        'L1',
        'Node 22 on purpose: the code runs on Node 20 and 22 (DESIGN.md, TOOLING.md) and the bundles target ' +
          'node22; a newer runtime is adopted by changing it here once tested.',
      );
    }
    addEventSources(functions, stateful);
    this.rules = new TopologyRules(this, 'Rules', { environment, stateful });
    this.workflows = new Workflows(this, 'Workflows', { environment, settings: this.settings, functions });
    this.httpApi = new TributaryHttpApi(this, 'HttpApi', { environment, settings: this.settings, functions });
    this.alarms = new DeadLetterAlarms(this, 'DeadLetterAlarms', { environment, stateful });

    acknowledgeWildcards(this, WILDCARD_ALLOWANCES);
  }
}
