import { App, Tags, Validations } from 'aws-cdk-lib';
import { CURRENTLY_RECOMMENDED_FLAGS } from 'aws-cdk-lib/cx-api';
import { AwsSolutionsChecks } from 'cdk-nag';
import { type DeploymentEnvironment, resolveEnvironment } from './environment.js';
import { StatefulStack } from './stateful-stack.js';
import { StatelessStack } from './stateless-stack.js';

export interface BuildAppOptions {
  /** Context as `-c key=value` gives it (`env`, `region`); the CLI's own context wins over it. */
  context?: Record<string, unknown>;
  /** Where `app.synth()` writes the cloud assembly (default: the CLI's, else a temp directory). */
  outdir?: string;
}

export interface TributaryApp {
  app: App;
  environment: DeploymentEnvironment;
  stateful: StatefulStack;
  stateless: StatelessStack;
}

/**
 * Feature flags live here, not in cdk.json, so that tests, `scripts/synth.ts` and the CLI build
 * the same templates: the flags `cdk init` would write for this aws-cdk-lib, except cross-stack
 * references, kept strong (Export/ImportValue) so the stateful stack cannot be deleted, or lose
 * an output, while the stateless stack uses it.
 */
const FEATURE_FLAGS = {
  ...CURRENTLY_RECOMMENDED_FLAGS,
  '@aws-cdk/core:defaultCrossStackReferences': 'strong',
};

/** The Tributary CDK app: both stacks of the selected environment, checked by cdk-nag. */
export function buildApp(options: BuildAppOptions = {}): TributaryApp {
  const app = new App({ outdir: options.outdir, context: { ...FEATURE_FLAGS, ...options.context } });
  const environment = resolveEnvironment(app.node);
  // No account: it is the deploying credentials' one, and synth never needs it (no lookups).
  const env = { region: environment.region };
  Tags.of(app).add('project', 'tributary');
  Tags.of(app).add('environment', environment.name);

  const stateful = new StatefulStack(app, 'Stateful', {
    stackName: `${environment.prefix}-stateful`,
    description: `Tributary ${environment.name}: buckets, tables, queues, streams, alerts topic, loader database`,
    env,
    environment,
    terminationProtection: environment.production,
  });
  const stateless = new StatelessStack(app, 'Stateless', {
    stackName: `${environment.prefix}-stateless`,
    description: `Tributary ${environment.name}: functions, event sources, rules, workflows, schedules, HTTP API`,
    env,
    environment,
    stateful,
  });

  // cdk-nag 3 is a validation plugin: the `Aspects.of(app).add(...)` form of cdk-nag 2 crashes.
  // A finding that is neither fixed nor acknowledged (with its reason) fails the synth.
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { app, environment, stateful, stateless };
}
