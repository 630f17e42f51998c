import type { CfnResource } from 'aws-cdk-lib';
import type { Template } from 'aws-cdk-lib/assertions';
import { expect } from 'vitest';
import { topology } from '../../src/topology.js';
import { type Resource, resourcesOf, type Synthesized, synthesize } from './synthesize.js';

export type FunctionName = keyof typeof topology.functions;
export const FUNCTION_NAMES = Object.keys(topology.functions) as FunctionName[];

/**
 * Synthesizes both stacks without bundling (`aws:cdk:bundling-stacks: []`: the functions keep a
 * placeholder asset), which is what the template assertions need; stateless-bundles.test.ts
 * bundles for real.
 */
export function synthesizeWithoutBundling(context: Record<string, unknown> = {}): Synthesized {
  return synthesize({ 'aws:cdk:bundling-stacks': [], ...context });
}

/** The Lambda function of a topology function, found by its physical name `tributary-<env>-<name>`. */
export function lambdaOf(app: Synthesized, name: string): [string, Resource] {
  const matches = resourcesOf(app.statelessTemplate, 'AWS::Lambda::Function').filter(
    ([, fn]) => fn.Properties.FunctionName === `${app.environment.prefix}-${name}`,
  );
  expect(matches, `function ${name}`).toHaveLength(1);
  return matches[0]!;
}

/** The logical id of a construct's CloudFormation resource in its stack. */
export function logicalIdOf(construct: { node: { defaultChild?: unknown } }): string {
  const resource = (construct.node.defaultChild ?? construct) as CfnResource;
  return resource.stack.getLogicalId(resource);
}

/** `{ "Fn::GetAtt": [id, "Arn"] }` of the logical id. */
export const arnOf = (logicalId: string) => ({ 'Fn::GetAtt': [logicalId, 'Arn'] });

/**
 * What the stateless stack imports for a value of the stateful stack (a strong cross-stack
 * reference: `Fn::ImportValue` of the stateful stack's export).
 */
export function imported(app: Synthesized, value: string): unknown {
  return app.stateless.resolve(value);
}

/** Every statement of the IAM policies attached to a role (inline and `AWS::IAM::Policy`). */
export function statementsOfRole(template: Template, roleLogicalId: string): Statement[] {
  const role = template.findResources('AWS::IAM::Role')[roleLogicalId];
  expect(role, `role ${roleLogicalId}`).toBeDefined();
  const inline = (
    (role?.Properties?.Policies ?? []) as { PolicyDocument: { Statement: Statement[] } }[]
  ).flatMap((policy) => policy.PolicyDocument.Statement);
  const attached = Object.values(template.findResources('AWS::IAM::Policy'))
    .filter((policy) =>
      (policy.Properties.Roles as { Ref: string }[]).some((reference) => reference.Ref === roleLogicalId),
    )
    .flatMap((policy) => policy.Properties.PolicyDocument.Statement as Statement[]);
  return [...inline, ...attached];
}

export interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Principal?: unknown;
  Condition?: unknown;
}

export const asList = <T>(value: T | T[] | undefined): T[] =>
  value === undefined ? [] : Array.isArray(value) ? value : [value];
