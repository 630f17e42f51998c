import { fileURLToPath } from 'node:url';
import { type BundlingOptions, LogLevel, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { BundleFiles } from './function-access.js';

/** The repository root: entries, the lock file and the copied folders are relative to it. */
export const REPOSITORY_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Folder of the cloud assembly (beside the asset folders) where bundling leaves each metafile. */
export const BUNDLE_REPORTS_DIR = 'bundle-reports';

/** Where a function's esbuild metafile ends up, relative to the cloud assembly directory. */
export const metafileOf = (functionName: string) => `${BUNDLE_REPORTS_DIR}/${functionName}.meta.json`;

/**
 * Folders copied beside `index.mjs`, where the bundled code looks for them: `migrate` reads
 * `migrations/` next to its module (src/aws/rds.ts), the notify function the shipped
 * `templates/` (src/aws/statement-template.ts).
 */
export const BUNDLE_FILES: Readonly<Record<BundleFiles, { source: string; target: string }>> = {
  migrations: { source: 'src/adapters/sql/migrations', target: 'migrations' },
  'statement-templates': { source: 'src/core/statements/templates', target: 'templates' },
};

/**
 * The Node 22 runtime ships the whole AWS SDK v3. These packages are its fallback credential
 * providers (SSO, shared ini files, credential_process, web identity), which the default chain
 * imports lazily, only when the environment holds no credentials: never on Lambda, whose
 * environment always does. Left to the runtime, they take the STS/SSO clients (~80 KB) out of
 * every bundle. The SDK clients themselves are bundled, at the pinned versions.
 */
export const RUNTIME_PROVIDED_MODULES = [
  '@aws-sdk/credential-provider-ini',
  '@aws-sdk/credential-provider-process',
  '@aws-sdk/credential-provider-sso',
  '@aws-sdk/credential-provider-web-identity',
];

/**
 * `import { z } from 'zod'` gives esbuild a namespace object it cannot tree-shake, and zod's
 * namespace holds every locale (~260 KB of error messages in 40 languages, a quarter of a
 * bundle). The alias gives the bundles zod itself without the locale namespaces; English, the
 * default, is registered by zod's schemas and stays. See zod-lambda.mjs.
 */
const ZOD_WITHOUT_LOCALES = fileURLToPath(new URL('./zod-lambda.mjs', import.meta.url));

/**
 * ESM bundles need `require` for the CommonJS dependencies that load Node built-ins (pg,
 * nodemailer): esbuild turns those calls into `__require`, which reads this one.
 */
const REQUIRE_SHIM =
  "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);";

const quote = (path: string) => `"${path.replaceAll('"', '\\"')}"`;

/**
 * How every function is bundled: ESM for Node 22 (`index.mjs`), minified, no source maps, the
 * ESM builds of dependencies (`module` before `main`: the SDK's tree-shake better), the SDK
 * bundled. After bundling, the esbuild metafile moves out of the asset into
 * `<cloud assembly>/bundle-reports/<function>.meta.json` (scripts/synth.ts checks it: size,
 * no PGlite) and the function's folders are copied beside `index.mjs`.
 */
export function bundlingOptions(functionName: string, files: readonly BundleFiles[] = []): BundlingOptions {
  return {
    format: OutputFormat.ESM,
    target: 'node22',
    minify: true,
    sourceMap: false,
    mainFields: ['module', 'main'],
    banner: REQUIRE_SHIM,
    externalModules: RUNTIME_PROVIDED_MODULES,
    metafile: true,
    logLevel: LogLevel.WARNING,
    esbuildArgs: { '--alias': [`zod=${ZOD_WITHOUT_LOCALES}`] },
    commandHooks: {
      beforeBundling: () => [],
      beforeInstall: () => [],
      afterBundling: (inputDir, outputDir) => {
        const reports = `${outputDir}/../${BUNDLE_REPORTS_DIR}`;
        return [
          `mkdir -p ${quote(reports)}`,
          `mv ${quote(`${outputDir}/index.meta.json`)} ${quote(`${reports}/${functionName}.meta.json`)}`,
          ...files.map((name) => {
            const { source, target } = BUNDLE_FILES[name];
            return `cp -R ${quote(`${inputDir}/${source}`)} ${quote(`${outputDir}/${target}`)}`;
          }),
        ];
      },
    },
  };
}
