import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { metafileOf } from './bundling.js';

/** A bundle must stay under this (the whole asset: `index.mjs` and the files copied beside it). */
export const BUNDLE_LIMIT_BYTES = 1_000_000;

/** What no Lambda bundle may contain: the embedded PostgreSQL (DESIGN.md). */
export const FORBIDDEN_INPUTS = [/(^|\/)node_modules\/@electric-sql\/pglite\//];

export interface BundleReport {
  /** The topology function. */
  name: string;
  /** The asset folder in the cloud assembly (`asset.<hash>`). */
  assetDir: string;
  /** Size of `index.mjs`. */
  bundleBytes: number;
  /** Size of the whole asset folder. */
  assetBytes: number;
  /** Files of the asset besides `index.mjs`. */
  extraFiles: string[];
  /** Every source esbuild put in the bundle (from its metafile; tree-shaken files left out). */
  inputs: string[];
  /** What the bundle exports. */
  exports: string[];
  /** Why the bundle is refused; empty when it is fine. */
  problems: string[];
}

interface FunctionResource {
  Type: string;
  Properties: { Code?: { S3Key?: string }; Environment?: { Variables?: Record<string, unknown> } };
}

interface Metafile {
  inputs: Record<string, unknown>;
  outputs: Record<string, { exports?: string[]; inputs?: Record<string, { bytesInOutput: number }> }>;
}

function filesUnder(dir: string, prefix = ''): { path: string; bytes: number }[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    const relative = prefix ? `${prefix}/${entry.name}` : entry.name;
    return entry.isDirectory()
      ? filesUnder(path, relative)
      : [{ path: relative, bytes: statSync(path).size }];
  });
}

/**
 * The bundle of every function of a synthesized stateless stack: its asset folder (named by the
 * function's code key), sizes, and what esbuild put in it (the metafile bundling.ts leaves in
 * `bundle-reports/`). A bundle is refused when it reaches {@link BUNDLE_LIMIT_BYTES}, contains a
 * forbidden input, exports no `handler`, or was not bundled at all.
 */
export function bundleReports(
  outdir: string,
  template: { Resources?: Record<string, FunctionResource> },
): BundleReport[] {
  const functions = Object.values(template.Resources ?? {}).filter(
    (resource) => resource.Type === 'AWS::Lambda::Function',
  );
  const reports: BundleReport[] = [];
  for (const resource of functions) {
    const name = String(resource.Properties.Environment?.Variables?.POWERTOOLS_SERVICE_NAME ?? '');
    const key = resource.Properties.Code?.S3Key;
    if (!name || !key) continue;
    const assetDir = `asset.${key.replace(/\.zip$/, '')}`;
    const problems: string[] = [];
    const files = existsSync(join(outdir, assetDir)) ? filesUnder(join(outdir, assetDir)) : [];
    const bundle = files.find((file) => file.path === 'index.mjs');
    if (!bundle) problems.push(`no index.mjs in ${assetDir}: was it bundled?`);
    const assetBytes = files.reduce((sum, file) => sum + file.bytes, 0);
    if (assetBytes >= BUNDLE_LIMIT_BYTES)
      problems.push(`${assetBytes} bytes: the limit is ${BUNDLE_LIMIT_BYTES}`);

    let inputs: string[] = [];
    let exports: string[] = [];
    const metafilePath = join(outdir, metafileOf(name));
    if (existsSync(metafilePath)) {
      const metafile = JSON.parse(readFileSync(metafilePath, 'utf8')) as Metafile;
      const outputs = Object.values(metafile.outputs);
      inputs = outputs
        .flatMap((output) => Object.entries(output.inputs ?? {}))
        .filter(([, input]) => input.bytesInOutput > 0)
        .map(([path]) => path)
        .sort();
      exports = outputs.flatMap((output) => output.exports ?? []);
      // Every file esbuild reached, even one tree-shaken away: PGlite must not be reached at all.
      const reached = Object.keys(metafile.inputs);
      const forbidden = reached.filter((input) => FORBIDDEN_INPUTS.some((pattern) => pattern.test(input)));
      if (forbidden.length > 0)
        problems.push(`contains PGlite (${forbidden.length} files, e.g. ${forbidden[0]})`);
      if (!exports.includes('handler')) problems.push('exports no handler');
    } else {
      problems.push(`no esbuild metafile (${metafileOf(name)}): cannot tell what the bundle contains`);
    }
    reports.push({
      name,
      assetDir,
      bundleBytes: bundle?.bytes ?? 0,
      assetBytes,
      extraFiles: files.map((file) => file.path).filter((path) => path !== 'index.mjs'),
      inputs,
      exports,
      problems,
    });
  }
  return reports.sort((a, b) => a.name.localeCompare(b.name));
}
