import { CfnResource, Stack, Validations } from 'aws-cdk-lib';
import { CfnPolicy, CfnRole } from 'aws-cdk-lib/aws-iam';
import { flattenCfnReference } from 'cdk-nag/lib/utils/flatten-cfn-reference.js';
import type { IConstruct } from 'constructs';

/**
 * A kind of wildcard an IAM policy may hold, and why it may. `finding` matches cdk-nag's
 * AwsSolutions-IAM5 finding (`Action::s3:GetObject*`, `Resource::<arn>/index/*`); `actions`, when
 * given, must match every action of the statement the wildcard is in.
 */
export interface WildcardAllowance {
  finding: RegExp;
  actions?: RegExp;
  reason: string;
}

interface Finding {
  id: string;
  actions: string[];
}

type PolicyDocumentJson = { Statement?: { Effect?: string; Action?: unknown; Resource?: unknown }[] };

const list = (value: unknown): string[] =>
  (Array.isArray(value) ? value : value === undefined ? [] : [value]).map((item) =>
    typeof item === 'string' ? item : flattenCfnReference(item),
  );

/** The IAM5 findings of a policy document, as cdk-nag words them, with their statements' actions. */
function wildcardFindings(document: PolicyDocumentJson): Finding[] {
  const findings: Finding[] = [];
  for (const statement of document.Statement ?? []) {
    if (statement.Effect !== 'Allow') continue;
    const actions = list(statement.Action);
    for (const action of actions.filter((a) => a.includes('*')))
      findings.push({ id: `Action::${action}`, actions });
    for (const resource of list(statement.Resource).filter((r) => r.includes('*'))) {
      findings.push({ id: `Resource::${resource}`, actions });
    }
  }
  return findings;
}

function policyDocuments(resource: CfnResource): PolicyDocumentJson[] {
  const stack = Stack.of(resource);
  if (resource instanceof CfnPolicy) return [stack.resolve(resource.policyDocument)];
  if (resource instanceof CfnRole) {
    const policies = (stack.resolve(resource.policies) ?? []) as { policyDocument: unknown }[];
    return policies.map((policy) => stack.resolve(policy.policyDocument));
  }
  return [];
}

/**
 * Acknowledges, on each IAM policy and role under `scope`, the AwsSolutions-IAM5 findings that an
 * allowance covers, with the allowance's reason. A finding no allowance covers stays a finding
 * and fails the synth. A finding is covered when every statement it comes from is (see
 * `reasonsFor`).
 *
 * This runs as a construct validation, after the synth has turned cross-stack references into
 * imports: cdk-nag words a finding from the template as deployed, so its id is only known then.
 */
export function acknowledgeWildcards(scope: IConstruct, allowances: readonly WildcardAllowance[]): void {
  const acknowledged = new Set<string>();
  scope.node.addValidation({
    validate: () => {
      for (const construct of scope.node.findAll()) {
        if (!(construct instanceof CfnPolicy || construct instanceof CfnRole)) continue;
        const byId = new Map<string, Finding[]>();
        for (const finding of policyDocuments(construct).flatMap(wildcardFindings)) {
          byId.set(finding.id, [...(byId.get(finding.id) ?? []), finding]);
        }
        for (const [id, findings] of byId) {
          const covered = findings.map((finding) => reasonsFor(finding, allowances));
          if (covered.some((reasons) => reasons === undefined)) continue;
          const key = `${construct.node.path} ${id}`;
          if (acknowledged.has(key)) continue;
          acknowledged.add(key);
          Validations.of(construct).acknowledge({
            id: `AwsSolutions::AwsSolutions-IAM5[${id}]`,
            reason: [...new Set(covered.flat())].join(' '),
          });
        }
      }
      return [];
    },
  });
}

/**
 * The reasons that cover one finding, or undefined when it is not covered: an allowance matching
 * the finding without an `actions` pattern covers it alone; otherwise each action of its
 * statement needs a matching allowance (a statement may join, say, log delivery and X-Ray calls).
 */
function reasonsFor(finding: Finding, allowances: readonly WildcardAllowance[]): string[] | undefined {
  const candidates = allowances.filter((allowance) => allowance.finding.test(finding.id));
  const unconditional = candidates.find((allowance) => !allowance.actions);
  if (unconditional) return [unconditional.reason];
  const reasons = new Set<string>();
  for (const action of finding.actions) {
    const allowance = candidates.find((candidate) => candidate.actions!.test(action));
    if (!allowance) return undefined;
    reasons.add(allowance.reason);
  }
  return [...reasons];
}

/** Acknowledges one cdk-nag AwsSolutions rule on one resource (its CloudFormation resource). */
export function acknowledgeRule(construct: IConstruct, rule: string, reason: string): void {
  const resource = construct instanceof CfnResource ? construct : construct.node.defaultChild;
  if (!resource)
    throw new Error(`${construct.node.path} has no CloudFormation resource to acknowledge ${rule} on`);
  Validations.of(resource).acknowledge({ id: `AwsSolutions::AwsSolutions-${rule}`, reason });
}
