import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import type { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { buildApp, type TributaryApp } from '../../infra/tributary-app.js';

/** The parts of the synth's validation-report.json the tests read. */
export interface ValidationReport {
  pluginReports: {
    pluginName: string;
    conclusion: string;
    violations: { ruleName: string; severity: string; violatingConstructs: { constructPath: string }[] }[];
    suppressedViolations?: {
      ruleName: string;
      reason: string;
      acknowledgedId: string;
      acknowledgedAt: string;
      violatingConstructs: { constructPath: string }[];
    }[];
  }[];
}

export interface Synthesized extends TributaryApp {
  assembly: CloudAssembly;
  statefulTemplate: Template;
  statelessTemplate: Template;
  report: ValidationReport;
  /** Removes the cloud assembly directory. */
  cleanup(): void;
}

/**
 * Builds and synthesizes the app once (cdk-nag included: a finding nobody acknowledged makes
 * this throw) into a temporary directory. Templates come from that one synth.
 */
export function synthesize(context: Record<string, unknown> = {}): Synthesized {
  const outdir = mkdtempSync(join(tmpdir(), 'tributary-cdk-'));
  try {
    // Assertions read templates, not bundles: skip esbuild unless a test asks for it
    // (stateless-bundles.test.ts bundles for real).
    const built = buildApp({ outdir, context: { 'aws:cdk:bundling-stacks': [], ...context } });
    const assembly = built.app.synth();
    return {
      ...built,
      assembly,
      statefulTemplate: Template.fromStack(built.stateful),
      statelessTemplate: Template.fromStack(built.stateless),
      report: JSON.parse(readFileSync(join(outdir, 'validation-report.json'), 'utf8')) as ValidationReport,
      cleanup: () => rmSync(outdir, { recursive: true, force: true }),
    };
  } catch (error) {
    rmSync(outdir, { recursive: true, force: true });
    throw error;
  }
}

export interface Resource {
  Type: string;
  Properties: Record<string, unknown>;
  DeletionPolicy?: string;
  UpdateReplacePolicy?: string;
}

/** The resources of a type, as `[logicalId, resource]` pairs (`Properties` always present). */
export function resourcesOf(template: Template, type: string): [string, Resource][] {
  return Object.entries(template.findResources(type)).map(([id, resource]) => [
    id,
    { ...resource, Properties: resource.Properties ?? {} } as Resource,
  ]);
}

/**
 * The literal start of a physical name: a plain string, or the first part of an `Fn::Join`
 * (bucket names end with the account, a token).
 */
export function namePrefix(name: unknown): string {
  if (typeof name === 'string') return name;
  const join = (name as { 'Fn::Join'?: [string, unknown[]] })['Fn::Join'];
  const first = join?.[1][0];
  return typeof first === 'string' ? first : '';
}
