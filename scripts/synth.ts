/**
 * `npm run synth [-- --env prod --region eu-central-1 --outdir cdk.out]`: synthesizes the CDK app
 * in-process into cdk.out, offline and without AWS credentials (the app does no lookups and sets
 * no account), then prints each stack with its resource counts and the acknowledged cdk-nag
 * findings. cdk-nag runs as part of the synth: an unacknowledged finding fails it (exit 1).
 * `npx cdk deploy --app cdk.out` can deploy the result as is.
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
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
const { environment, assembly } = synthesize();

function synthesize() {
  try {
    const { app, environment } = buildApp({ outdir, context });
    return { environment, assembly: app.synth() };
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
  const acknowledged = report.pluginReports.flatMap((plugin) =>
    (plugin.suppressedViolations ?? []).map((finding) => `${plugin.pluginName} ${finding.ruleName}`),
  );
  console.log(`\nAcknowledged findings (reasons in ${reportFile}): ${acknowledged.length}`);
  for (const line of acknowledged) console.log(`  ${line}`);
}
