import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as zod from 'zod';
import { BUNDLE_LIMIT_BYTES, type BundleReport, bundleReports } from '../../infra/stateless/bundle-report.js';
import { metafileOf, RUNTIME_PROVIDED_MODULES } from '../../infra/stateless/bundling.js';
import * as zodForLambda from '../../infra/stateless/zod-lambda.mjs';
import { FUNCTION_NAMES, lambdaOf } from './stateless-support.js';
import { type Synthesized, synthesize } from './synthesize.js';

const run = promisify(execFile);

/**
 * Optional dependencies a bundled package requires inside a try block, which esbuild leaves as
 * they are when they are not installed: pg's native binding, used only through `pg.native`.
 */
const OPTIONAL_REQUIRES = ['pg-native'];

/**
 * The one test file that bundles for real (about 15 s): every other infra test synthesizes with
 * bundling skipped. `npm run synth` makes the same checks on cdk.out.
 */
let dev: Synthesized;
let reports: BundleReport[];
beforeAll(() => {
  // The one file that bundles for real (synthesize() skips esbuild by default).
  dev = synthesize({ env: 'dev', 'aws:cdk:bundling-stacks': ['**'] });
  reports = bundleReports(
    dev.assembly.directory,
    dev.assembly.getStackArtifact(dev.stateless.artifactId).template,
  );
}, 240_000);
afterAll(() => dev?.cleanup());

const reportOf = (name: string) => reports.find((report) => report.name === name)!;
const bundlePath = (name: string) => join(dev.assembly.directory, reportOf(name).assetDir, 'index.mjs');

/** What esbuild left as imports of the bundle: resolved at run time, by Node or the Lambda runtime. */
function externalImportsOf(name: string): string[] {
  const metafile = JSON.parse(readFileSync(join(dev.assembly.directory, metafileOf(name)), 'utf8')) as {
    outputs: Record<string, { imports: { path: string; external?: boolean }[] }>;
  };
  return Object.values(metafile.outputs).flatMap((output) =>
    output.imports.filter((entry) => entry.external).map((entry) => entry.path),
  );
}

/**
 * The environment the stack gives a function, runnable on this machine: references to other
 * resources (imports, ARNs) become placeholders of the same shape, so JSON maps keep their keys.
 */
function environmentOf(name: string): Record<string, string> {
  const [, fn] = lambdaOf(dev, name);
  const variables = (fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
  const flatten = (value: unknown): string => {
    if (typeof value === 'string') return value;
    const join = (value as { 'Fn::Join'?: [string, unknown[]] })['Fn::Join'];
    return join ? join[1].map(flatten).join(join[0]) : 'placeholder';
  };
  const environment: Record<string, string> = {};
  for (const [variable, value] of Object.entries(variables)) {
    if (variable === 'NODE_EXTRA_CA_CERTS') continue; // a file of the Lambda runtime
    environment[variable] =
      variable.endsWith('TOPIC_ARN') && typeof value !== 'string'
        ? 'arn:aws:sns:eu-west-1:123456789012:tributary-dev-alerts'
        : flatten(value);
  }
  return environment;
}

describe('function bundles', () => {
  it('bundles every topology function', () => {
    expect(reports.map((report) => report.name).sort()).toEqual([...FUNCTION_NAMES].sort());
  });

  it('keeps every bundle under 1 MB, free of PGlite, exporting handler', () => {
    for (const report of reports) {
      expect({ name: report.name, problems: report.problems }).toEqual({ name: report.name, problems: [] });
      expect(report.assetBytes, report.name).toBeLessThan(BUNDLE_LIMIT_BYTES);
      expect(
        report.inputs.filter((input) => input.includes('@electric-sql/pglite')),
        report.name,
      ).toEqual([]);
      expect(report.exports, report.name).toContain('handler');
    }
  });

  it('bundles the SDK and leaves only Node built-ins and the fallback credential providers to the runtime', () => {
    const builtins = new Set([...builtinModules, ...builtinModules.map((module) => `node:${module}`)]);
    for (const name of FUNCTION_NAMES) {
      const external = externalImportsOf(name).filter(
        (path) => !builtins.has(path) && !OPTIONAL_REQUIRES.includes(path),
      );
      for (const path of external)
        expect(RUNTIME_PROVIDED_MODULES, `${name} imports ${path}`).toContain(path);
      expect(
        reportOf(name).inputs.some((input) => input.includes('node_modules/@aws-sdk/')),
        name,
      ).toBe(name !== 'auction-summarize');
    }
  });

  it('puts the migrations beside every bundle that migrates, and the statement template beside the one that renders it', () => {
    const migrations = readdirSync('src/adapters/sql/migrations').map((file) => `migrations/${file}`);
    const templates = readdirSync('src/core/statements/templates').map((file) => `templates/${file}`);
    for (const report of reports) {
      const migrates = report.inputs.includes('src/adapters/sql/migrate.ts');
      const renders = report.inputs.includes('src/aws/statement-template.ts');
      const expected = [...(migrates ? migrations : []), ...(renders ? templates : [])];
      expect(report.extraFiles.sort(), report.name).toEqual(expected.sort());
    }
    expect(reportOf('loader-ingest').extraFiles).toEqual(expect.arrayContaining(migrations));
    expect(reportOf('reports-api').extraFiles).toEqual(expect.arrayContaining(migrations));
    expect(reportOf('statements-notify').extraFiles).toEqual(expect.arrayContaining(templates));
  });

  it('bundles zod without its locales, English aside', () => {
    for (const report of reports) {
      const locales = report.inputs.filter((input) => input.includes('node_modules/zod/v4/locales/'));
      expect(locales, report.name).toEqual(locales.length ? ['node_modules/zod/v4/locales/en.js'] : []);
    }
  });

  it('starts each bundle on Node with the environment the stack gives its function', async () => {
    const load =
      'const m = await import(process.argv[1]); if (typeof m.handler !== "function") process.exit(3);';
    await Promise.all(
      FUNCTION_NAMES.map(async (name) => {
        const env = { PATH: process.env.PATH, AWS_REGION: 'eu-west-1', ...environmentOf(name) };
        await expect(
          run(process.execPath, ['--input-type=module', '-e', load, pathToFileURL(bundlePath(name)).href], {
            env,
          }),
          name,
        ).resolves.toBeDefined();
      }),
    );
  });

  it('runs a task handler from its bundle, with zod messages in English', async () => {
    const script = `
      const { handler } = await import(process.argv[1]);
      const context = { functionName: 'auction-summarize', awsRequestId: 'test', invokedFunctionArn: 'arn' };
      const output = await handler({ stored: [{ status: 'accepted', alerted: false }] }, context);
      let message = '';
      try { await handler({ stored: 'none' }, context); } catch (error) { message = error.message; }
      console.log(JSON.stringify({ output, message }));`;
    const { stdout } = await run(
      process.execPath,
      ['--input-type=module', '-e', script, pathToFileURL(bundlePath('auction-summarize')).href],
      { env: { PATH: process.env.PATH, AWS_REGION: 'eu-west-1', POWERTOOLS_LOG_LEVEL: 'SILENT' } },
    );
    const { output, message } = JSON.parse(stdout.trim().split('\n').at(-1)!);
    expect(output).toEqual(expect.any(Object));
    expect(message).toMatch(/expected array, received string/);
  });
});

describe('zod for Lambda', () => {
  it('exports everything zod does, the locales aside, as the same values', () => {
    const names = (namespace: object) => Object.keys(namespace).sort();
    expect(names(zodForLambda.z)).toEqual(names(zod.z));
    expect(names(zodForLambda.z.core)).toEqual(names(zod.z.core));
    for (const name of names(zod.z).filter((key) => !['locales', 'core'].includes(key))) {
      expect(zodForLambda.z[name as keyof typeof zod.z], name).toBe(zod.z[name as keyof typeof zod.z]);
    }
    expect(Object.keys(zodForLambda.z.locales)).toEqual([]);
    expect(zodForLambda.z.string().safeParse(1).error?.issues[0]?.message).toBe(
      'Invalid input: expected string, received number',
    );
  });
});
