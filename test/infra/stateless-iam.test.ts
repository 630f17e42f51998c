import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NETWORK_INTERFACE_ACTIONS } from '../../infra/stateless/functions.js';
import { type FunctionSpec, isQueueTrigger, type QueueSpec, topology } from '../../src/topology.js';
import {
  asList,
  FUNCTION_NAMES,
  type FunctionName,
  imported,
  lambdaOf,
  logicalIdOf,
  type Statement,
  statementsOfRole,
  synthesizeWithoutBundling,
} from './stateless-support.js';
import type { Synthesized } from './synthesize.js';

/**
 * What each function's role may reach, written out by hand from what the function does (its
 * entry in src/aws/functions/ and the ports it builds), so any widened grant fails here:
 * - `read`: only Get/List/Describe/Query/Scan-type actions; `write`: anything more;
 * - `consume`: receive and delete from its trigger queue; `send`: put messages in a queue (a
 *   stream's on-failure queue, or the DLQ of the trigger queue for messages that cannot succeed).
 * Every function writes to its own log group (`logs:<name>`), and nothing else of the kind.
 */
const EXPECTED: Record<FunctionName, Record<string, 'read' | 'write' | 'consume' | 'send'>> = {
  'statements-ingest': {
    'table:statements': 'write',
    'table:statements/index': 'write',
    'bucket:transactions': 'read',
    'bucket:transactions/objects': 'read',
    'bus:default': 'write',
    'queue:statements-ingest': 'consume',
    'queue:statements-ingest-dlq': 'send',
  },
  'statements-notify': {
    'table:statements': 'write',
    'table:statements/index': 'write',
    'bucket:email-templates': 'read',
    'bucket:email-templates/objects': 'read',
    'ses:identity': 'write',
    'ses:configuration-set': 'write',
    'queue:statements-notify': 'consume',
    'queue:statements-notify-dlq': 'send',
  },
  'events-consume': {
    'table:events': 'write',
    'table:events/index': 'write',
    'stream:events': 'read',
    'queue:events-consume-dlq': 'send',
  },
  'loader-ingest': {
    'bucket:landing': 'write',
    'bucket:landing/objects': 'write',
    'secret:database': 'read',
    'queue:loader': 'consume',
    'queue:loader-dlq': 'send',
    '*': 'write',
  },
  'auction-fetch-results': { 'table:orders': 'read', 'table:orders/index': 'read' },
  'auction-store-result': {
    'table:orders': 'write',
    'table:orders/index': 'write',
    'bucket:order-results/objects': 'write',
  },
  'auction-notify': {
    'table:orders': 'write',
    'table:orders/index': 'write',
    'bucket:order-results/objects': 'write',
    'topic:alerts': 'write',
    'key:alerts': 'write',
  },
  'auction-summarize': {},
  'orders-purge': { 'table:orders': 'write', 'table:orders/index': 'write' },
  'events-api': { 'table:events': 'write', 'table:events/index': 'write', 'stream:events': 'write' },
  'orders-api': { 'table:orders': 'write', 'table:orders/index': 'write' },
  'reports-api': { 'secret:database': 'read', '*': 'write' },
  'api-authorizer': { 'table:events': 'read', 'table:events/index': 'read', 'secret:admin-token': 'read' },
};

const READ_ACTION = /^[a-z0-9-]+:(Get|List|Describe|Query|Scan|BatchGet|ConditionCheck|Subscribe)/;

let dev: Synthesized;
let labelOf: (resource: unknown) => string;
beforeAll(() => {
  dev = synthesizeWithoutBundling({ env: 'dev' });
  labelOf = resourceLabeler(dev);
});
afterAll(() => dev?.cleanup());

/**
 * Names each resource a policy references after the resource it is: a stateful resource through
 * the export the stateless stack imports (`table:orders`, `bucket:landing/objects` for its
 * objects, `table:orders/index` for its indexes), a stateless one by its logical id, and an ARN
 * built from names by what it names (`bus:default`, `ses:configuration-set`).
 */
function resourceLabeler(app: Synthesized): (resource: unknown) => string {
  const { stateful, stateless } = app;
  const statefulLabels = new Map<string, string>();
  const add = (map: Map<string, string>, construct: { node: { defaultChild?: unknown } }, label: string) =>
    map.set(logicalIdOf(construct), label);
  for (const [name, table] of Object.entries(stateful.tables)) add(statefulLabels, table, `table:${name}`);
  for (const [name, bucket] of Object.entries(stateful.buckets))
    add(statefulLabels, bucket, `bucket:${name}`);
  for (const [name, queue] of Object.entries(stateful.queues)) add(statefulLabels, queue, `queue:${name}`);
  for (const [name, stream] of Object.entries(stateful.streams))
    add(statefulLabels, stream, `stream:${name}`);
  add(statefulLabels, stateful.alertsTopic, 'topic:alerts');
  add(statefulLabels, stateful.alertsKey, 'key:alerts');
  add(
    statefulLabels,
    stateful.databaseSecret as unknown as { node: { defaultChild?: unknown } },
    'secret:database',
  );
  const exports = new Map<string, string>();
  for (const output of Object.values(app.statefulTemplate.toJSON().Outputs ?? {}) as {
    Value: { Ref?: string; 'Fn::GetAtt'?: [string] };
    Export?: { Name: string };
  }[]) {
    const id = output.Value.Ref ?? output.Value['Fn::GetAtt']?.[0];
    const label = id && statefulLabels.get(id);
    if (output.Export && label) exports.set(output.Export.Name, label);
  }

  const localLabels = new Map<string, string>();
  for (const name of FUNCTION_NAMES)
    add(localLabels, stateless.functions.byName[name].logGroup, `logs:${name}`);
  add(localLabels, stateless.adminToken, 'secret:admin-token');
  add(localLabels, stateless.mail.identity, 'ses:identity');

  const flatten = (value: unknown): string => {
    if (typeof value === 'string') return value;
    const node = value as Record<string, unknown>;
    if (node['Fn::ImportValue']) return `{import:${node['Fn::ImportValue']}}`;
    if (node['Fn::GetAtt']) return `{local:${(node['Fn::GetAtt'] as string[])[0]}}`;
    if (typeof node.Ref === 'string')
      return node.Ref.startsWith('AWS::') ? `<${node.Ref}>` : `{local:${node.Ref}}`;
    if (node['Fn::Join']) {
      const [separator, parts] = node['Fn::Join'] as [string, unknown[]];
      return parts.map(flatten).join(separator);
    }
    return JSON.stringify(value);
  };
  const suffix = (rest: string) => (rest === '/index/*' ? '/index' : rest === '/*' ? '/objects' : rest);
  return (resource) => {
    const text = flatten(resource);
    let match = /^\{import:([^}]+)\}(.*)$/.exec(text);
    if (match) return `${exports.get(match[1]!) ?? `import:${match[1]}`}${suffix(match[2]!)}`;
    match = /^\{local:([^}]+)\}(.*)$/.exec(text);
    if (match) return `${localLabels.get(match[1]!) ?? `local:${match[1]}`}${suffix(match[2]!)}`;
    match = /:identity\/\{local:([^}]+)\}$/.exec(text);
    if (match) return localLabels.get(match[1]!) ?? text;
    if (/^arn:aws:events:eu-west-1:<AWS::AccountId>:event-bus\/default$/.test(text)) return 'bus:default';
    if (/^arn:aws:ses:eu-west-1:<AWS::AccountId>:configuration-set\/tributary-dev-statements$/.test(text)) {
      return 'ses:configuration-set';
    }
    return text;
  };
}

function accessOf(actions: string[]): 'read' | 'write' | 'consume' | 'send' {
  if (actions.includes('sqs:ReceiveMessage')) return 'consume';
  if (actions.includes('sqs:SendMessage')) return 'send';
  return actions.every((action) => READ_ACTION.test(action)) ? 'read' : 'write';
}

/** Each resource a role's policies reach, with the access the actions on it add up to. */
function reachOf(statements: Statement[]): Record<string, string> {
  const actionsByLabel = new Map<string, string[]>();
  for (const statement of statements) {
    expect(statement.Effect).toBe('Allow');
    for (const resource of asList(statement.Resource)) {
      const label = labelOf(resource);
      actionsByLabel.set(label, [...(actionsByLabel.get(label) ?? []), ...asList(statement.Action)]);
    }
  }
  return Object.fromEntries([...actionsByLabel].map(([label, actions]) => [label, accessOf(actions)]));
}

const roleOf = (name: FunctionName) =>
  (lambdaOf(dev, name)[1].Properties.Role as { 'Fn::GetAtt': [string] })['Fn::GetAtt'][0];

describe('least privilege', () => {
  it('lists every topology function in the expected map', () => {
    expect(Object.keys(EXPECTED).sort()).toEqual([...FUNCTION_NAMES].sort());
  });

  it.each(FUNCTION_NAMES)('lets %s reach only its own resources', (name) => {
    const reach = reachOf(statementsOfRole(dev.statelessTemplate, roleOf(name)));
    expect(reach).toEqual({ [`logs:${name}`]: 'write', ...EXPECTED[name] });
  });

  it('writes logs with CreateLogStream and PutLogEvents only', () => {
    for (const name of FUNCTION_NAMES) {
      const logs = statementsOfRole(dev.statelessTemplate, roleOf(name)).filter(
        (statement) => labelOf(statement.Resource) === `logs:${name}`,
      );
      expect(logs.flatMap((statement) => asList(statement.Action)).sort()).toEqual([
        'logs:CreateLogStream',
        'logs:PutLogEvents',
      ]);
    }
  });

  it('allows every resource only for the network interfaces of the VPC functions', () => {
    for (const name of FUNCTION_NAMES) {
      for (const statement of statementsOfRole(dev.statelessTemplate, roleOf(name))) {
        if (!asList(statement.Resource).includes('*')) continue;
        expect(asList(statement.Resource), name).toEqual(['*']);
        expect(asList(statement.Action).sort(), name).toEqual([...NETWORK_INTERFACE_ACTIONS].sort());
      }
    }
  });

  it('sends email only as the sender identity, through the statements configuration set', () => {
    const mail = statementsOfRole(dev.statelessTemplate, roleOf('statements-notify')).filter((statement) =>
      asList(statement.Action).some((action) => action.startsWith('ses:')),
    );
    expect(new Set(mail.flatMap((statement) => asList(statement.Action)))).toEqual(
      new Set(['ses:SendEmail', 'ses:SendRawEmail']),
    );
    expect(new Set(mail.flatMap((statement) => asList(statement.Resource).map(labelOf)))).toEqual(
      new Set(['ses:identity', 'ses:configuration-set']),
    );
  });

  it('sends dead letters, with SendMessage alone, only to the DLQ of its trigger queue', () => {
    const queues: Readonly<Record<string, QueueSpec>> = topology.queues;
    for (const [name, spec] of Object.entries(topology.functions) as [FunctionName, FunctionSpec][]) {
      const sends = statementsOfRole(dev.statelessTemplate, roleOf(name)).filter((statement) =>
        asList(statement.Action).includes('sqs:SendMessage'),
      );
      const variables = (
        lambdaOf(dev, name)[1].Properties.Environment as { Variables: Record<string, unknown> }
      ).Variables;
      const deadLetter = isQueueTrigger(spec.trigger) ? queues[spec.trigger.queue]?.deadLetter : undefined;
      if (!deadLetter) {
        // A stream consumer's sends are its event source's, to its on-failure queue (see above).
        expect(variables.DEAD_LETTER_QUEUE_URL, name).toBeUndefined();
        continue;
      }
      expect(
        sends.map((statement) => asList(statement.Action)),
        name,
      ).toEqual([['sqs:SendMessage']]);
      expect(
        sends.flatMap((statement) => asList(statement.Resource).map(labelOf)),
        name,
      ).toEqual([`queue:${deadLetter.queue}`]);
      const queue = dev.stateful.queues[deadLetter.queue as keyof typeof dev.stateful.queues];
      expect(variables.DEAD_LETTER_QUEUE_URL, name).toEqual(imported(dev, queue.queueUrl));
    }
  });

  it('adds X-Ray on every resource, and nothing else, when tracing is on', () => {
    const traced = synthesizeWithoutBundling({ xray: 'true' });
    try {
      for (const name of FUNCTION_NAMES) {
        const roleId = (lambdaOf(traced, name)[1].Properties.Role as { 'Fn::GetAtt': [string] })[
          'Fn::GetAtt'
        ][0];
        const wildcard = statementsOfRole(traced.statelessTemplate, roleId).filter((statement) =>
          asList(statement.Resource).includes('*'),
        );
        const actions = wildcard.flatMap((statement) => asList(statement.Action));
        expect(actions.filter((action) => !NETWORK_INTERFACE_ACTIONS.includes(action)).sort(), name).toEqual([
          'xray:PutTelemetryRecords',
          'xray:PutTraceSegments',
        ]);
      }
    } finally {
      traced.cleanup();
    }
  });
});
