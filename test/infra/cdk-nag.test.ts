import { Validations } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Synthesized, synthesize } from './synthesize.js';

const NAG = 'AwsSolutions';

describe.each([
  { name: 'dev', context: { env: 'dev' } },
  { name: 'prod', context: { env: 'prod' } },
  // X-Ray on every function adds one more wildcard (trace segments) that must be acknowledged.
  { name: 'prod with X-Ray', context: { env: 'prod', xray: 'true' } },
])('cdk-nag AwsSolutions on $name', ({ context }) => {
  let app: Synthesized;
  beforeAll(() => {
    // The synth itself runs cdk-nag and throws on an unacknowledged error. Bundles do not change
    // a finding: stateless-bundles.test.ts builds them.
    app = synthesize({ ...context, 'aws:cdk:bundling-stacks': [] });
  });
  afterAll(() => app?.cleanup());

  const nagReport = () => app.report.pluginReports.find((plugin) => plugin.pluginName === NAG);

  it('reports no unacknowledged finding, error or warning, from any validation plugin', () => {
    expect(nagReport()).toBeDefined();
    for (const plugin of app.report.pluginReports) {
      expect({ plugin: plugin.pluginName, violations: plugin.violations }).toEqual({
        plugin: plugin.pluginName,
        violations: [],
      });
    }
  });

  it('gives every acknowledged finding a written reason', () => {
    for (const finding of nagReport()?.suppressedViolations ?? []) {
      expect(finding.reason.length, finding.acknowledgedId).toBeGreaterThan(40);
    }
  });

  it('acknowledges exactly what cdk-nag finds, on the resource it finds it on', () => {
    const found = new AwsSolutionsChecks()
      .validateScope(app.app)
      .violations.flatMap((violation) =>
        violation.violatingResources.map((resource) => `${violation.ruleName} ${resource.constructPath}`),
      );
    const acknowledged = (nagReport()?.suppressedViolations ?? []).flatMap((finding) =>
      finding.violatingConstructs.map((construct) => `${finding.ruleName} ${construct.constructPath}`),
    );
    expect(found.sort()).toEqual(acknowledged.sort());
    // Each acknowledgement sits on the resource itself, not on a stack or a whole construct tree.
    for (const finding of nagReport()?.suppressedViolations ?? []) {
      for (const construct of finding.violatingConstructs) {
        expect(construct.constructPath).toBe(`${finding.acknowledgedAt}`);
      }
    }
  });

  it('leaves no acknowledgement that matches no finding', () => {
    const used = new Set(
      (nagReport()?.suppressedViolations ?? []).map(
        (finding) => `${finding.acknowledgedId} ${finding.acknowledgedAt}`,
      ),
    );
    for (const construct of app.app.node.findAll()) {
      for (const entry of construct.node.metadata) {
        if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY) continue;
        for (const id of Object.keys(entry.data as Record<string, string>)) {
          if (id.startsWith(`${NAG}::`)) expect(used).toContain(`${id} ${construct.node.path}`);
        }
      }
    }
  });

  it('leaves no error or warning annotation on either stack', () => {
    for (const stack of [app.stateful, app.stateless]) {
      const annotations = Annotations.fromStack(stack);
      expect(annotations.findError('*', Match.anyValue())).toEqual([]);
      expect(annotations.findWarning('*', Match.anyValue())).toEqual([]);
    }
  });
});
