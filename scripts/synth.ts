/**
 * `npm run synth [-- --env prod --region eu-central-1 --outdir cdk.out]`: synthesizes the CDK app
 * in-process into cdk.out, offline and without AWS credentials (the app does no lookups and sets
 * no account), then prints each stack with its resource counts, the acknowledged cdk-nag
 * findings, and each function's bundle: its size and the files beside it. cdk-nag runs as part
 * of the synth: an unacknowledged finding fails it (exit 1). So does a bundle of 1 MB or more,
 * one containing PGlite, or one without a `handler` export (exit 1, after the table).
 * `npx cdk deploy --app cdk.out` can deploy the result as is.
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { BUNDLE_LIMIT_BYTES, bundleReports } from '../infra/stateless/bundle-report.js';
import { buildApp } from '../infra/tributary-app.js';

const { values } = parseArgs({
  options: {
    env: { type: 'string' },
    region: { type: 'string' },
    outdir: { type: 'string', default: 'cdk.out' },
  },
});

const outdir = resolve(values.outdir);
rmSync(outdir, { recursive: true, force: true });
const context: Record<string, string> = {};
if (values.env) context.env = values.env;
if (values.region) context.region = values.region;

const started = Date.now();
const { environment, assembly, stateless } = synthesize();

function synthesize() {
  try {
    const { app, environment, stateless } = buildApp({ outdir, context });
    return { environment, assembly: app.synth(), stateless };
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  }
}

console.log(
  `Synthesized ${environment.name} (${environment.region}) into ${outdir} in ${Date.now() - started} ms`,
);
for (const stack of assembly.stacks) {
  const resources = Object.values(stack.template.Resources ?? {}) as { Type: string }[];
  const byType = new Map<string, number>();
  for (const { Type } of resources) byType.set(Type, (byType.get(Type) ?? 0) + 1);
  const sorted = [...byType].sort(([a], [b]) => a.localeCompare(b));
  console.log(`\n${stack.stackName}: ${resources.length} resources`);
  for (const [type, count] of sorted) console.log(`  ${String(count).padStart(3)}  ${type}`);
}

interface ValidationReport {
  pluginReports: { pluginName: string; suppressedViolations?: { ruleName: string; reason: string }[] }[];
}
const reportFile = join(outdir, 'validation-report.json');
if (existsSync(reportFile)) {
  const report = JSON.parse(readFileSync(reportFile, 'utf8')) as ValidationReport;
  // One line per rule: IAM5 findings carry the wildcard in their name (`AwsSolutions-IAM5[…]`).
  const byRule = new Map<string, number>();
  for (const plugin of report.pluginReports) {
    for (const finding of plugin.suppressedViolations ?? []) {
      const rule = `${plugin.pluginName} ${finding.ruleName.replace(/\[.*$/, '')}`;
      byRule.set(rule, (byRule.get(rule) ?? 0) + 1);
    }
  }
  const total = [...byRule.values()].reduce((sum, count) => sum + count, 0);
  console.log(`\nAcknowledged findings (reasons in ${reportFile}): ${total}`);
  for (const [rule, count] of byRule) console.log(`  ${String(count).padStart(3)}  ${rule}`);
}

const kB = (bytes: number) => `${(bytes / 1000).toFixed(1)} kB`;
const bundles = bundleReports(outdir, assembly.getStackArtifact(stateless.artifactId).template);
const width = Math.max(...bundles.map((bundle) => bundle.name.length), 'function'.length);
console.log(`\nFunction bundles (limit ${kB(BUNDLE_LIMIT_BYTES)} per asset, no PGlite):`);
console.log(`  ${'function'.padEnd(width)}  ${'index.mjs'.padStart(10)}  ${'asset'.padStart(10)}  beside it`);
for (const bundle of bundles) {
  const beside = [...new Set(bundle.extraFiles.map((file) => file.split('/')[0]))].join(', ');
  const mark = bundle.problems.length > 0 ? '  <- refused' : '';
  console.log(
    `  ${bundle.name.padEnd(width)}  ${kB(bundle.bundleBytes).padStart(10)}  ${kB(bundle.assetBytes).padStart(10)}  ${beside || '-'}${mark}`,
  );
}
const refused = bundles.filter((bundle) => bundle.problems.length > 0);
// No function at all means the stateless stack was not built from the topology.
if (bundles.length === 0) {
  console.error('\nNo function bundle found in the stateless stack.');
  process.exit(1);
}
if (refused.length > 0) {
  console.error(`\n${refused.length} bundle(s) refused:`);
  for (const bundle of refused) console.error(`  ${bundle.name}: ${bundle.problems.join('; ')}`);
  process.exit(1);
}
