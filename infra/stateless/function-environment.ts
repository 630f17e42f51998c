import { Stack } from 'aws-cdk-lib';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import type { StatefulStack } from '../stateful-stack.js';
import type { FunctionName, TableName } from '../topology-resources.js';
import { type FunctionAccess, triggerDeadLetterQueue } from './function-access.js';
import type { StatelessSettings } from './settings.js';

/** The default EventBridge bus: where S3 sends its events and the statements pipeline publishes. */
export const DEFAULT_EVENT_BUS = 'default';

/**
 * Lambda's Node 20+ runtimes no longer trust the RDS certificate authorities by default; this
 * file (shipped by the runtime) holds them, so `sslmode=verify-full` can check the database.
 */
export const RDS_CA_BUNDLE = '/var/runtime/ca-cert.pem';

export interface EnvironmentSources {
  stateful: StatefulStack;
  settings: StatelessSettings;
  adminToken: ISecret;
  mail: { configurationSetName: string };
}

/** `statements` → `STATEMENTS_TABLE`. */
export const tableVariable = (table: TableName) => `${table.toUpperCase()}_TABLE`;

/**
 * The environment of one function: Powertools' service name and log level, and exactly the
 * variables its access implies (names as src/aws/env.ts reads them, values from the stateful
 * stack and the settings). Optional settings are left out when not configured, so the
 * function's own default applies.
 */
export function functionEnvironment(
  scope: Construct,
  name: FunctionName,
  access: FunctionAccess,
  sources: EnvironmentSources,
): Record<string, string> {
  const { stateful, settings } = sources;
  const stack = Stack.of(scope);
  const environment: Record<string, string> = {
    POWERTOOLS_SERVICE_NAME: name,
    POWERTOOLS_LOG_LEVEL: settings.logLevel,
  };
  const set = (variable: string, value: string | number | undefined) => {
    if (value !== undefined) environment[variable] = String(value);
  };

  for (const table of Object.keys(access.tables ?? {}) as TableName[]) {
    set(tableVariable(table), stateful.tables[table].tableName);
  }
  const buckets = Object.keys(access.buckets ?? {}) as (keyof StatefulStack['buckets'])[];
  if (buckets.length > 0) {
    set('BUCKETS', stack.toJsonString(physical(buckets, (bucket) => stateful.buckets[bucket].bucketName)));
  }
  if (access.streams?.length) {
    set('STREAMS', stack.toJsonString(physical(access.streams, (s) => stateful.streams[s].streamName)));
  }
  if (access.eventBus) set('EVENT_BUS_NAME', DEFAULT_EVENT_BUS);
  if (access.alerts) set('ALERTS_TOPIC_ARN', stateful.alertsTopic.topicArn);
  if (access.mail) {
    set('MAIL_FROM', settings.mailFrom);
    set('SES_CONFIGURATION_SET', sources.mail.configurationSetName);
  }
  if (access.database) {
    set('DB_SECRET_ARN', stateful.databaseSecret.secretArn);
    set('NODE_EXTRA_CA_CERTS', RDS_CA_BUNDLE);
    set('LOADER_RULES', settings.loaderRules);
  }
  if (access.adminToken) set('ADMIN_TOKEN_SECRET_ARN', sources.adminToken.secretArn);
  if (access.auctionPlatform) {
    set('AUCTION_URL', settings.auctionUrl);
    set('AUCTION_BATCH_LIMIT', settings.auctionBatchLimit);
  }
  if (access.orderTtl) set('ORDER_TTL_HOURS', settings.orderTtlHours);
  if (access.deadLetters) {
    set('DEAD_LETTER_QUEUE_URL', stateful.queues[triggerDeadLetterQueue(name)].queueUrl);
  }
  return environment;
}

function physical<N extends string>(
  names: readonly N[],
  nameOf: (name: N) => string,
): Record<string, string> {
  return Object.fromEntries(names.map((name) => [name, nameOf(name)]));
}
