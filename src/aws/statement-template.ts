import { readFile } from 'node:fs/promises';

/** The shipped statement template and its logo, for when bucket `email-templates` has none. */
export interface StatementTemplate {
  html: string;
  logo: Buffer;
}

/**
 * Where the shipped template may be: `templates/` beside the bundle's `index.mjs` (the CDK
 * bundling copies `src/core/statements/templates` there), else the source tree, where this module
 * sits in `src/aws/` (tests, `tsx`).
 */
const candidates = [
  new URL('./templates/', import.meta.url),
  new URL('../core/statements/templates/', import.meta.url),
];

let loaded: Promise<StatementTemplate> | undefined;

/** Reads the shipped template once per container. */
export function shippedStatementTemplate(): Promise<StatementTemplate> {
  loaded ??= read().catch((error: unknown) => {
    loaded = undefined;
    throw error;
  });
  return loaded;
}

async function read(): Promise<StatementTemplate> {
  const problems: string[] = [];
  for (const directory of candidates) {
    try {
      const [html, logo] = await Promise.all([
        readFile(new URL('statement.html', directory), 'utf8'),
        readFile(new URL('logo.png', directory)),
      ]);
      return { html, logo };
    } catch (error) {
      problems.push(`${directory.pathname}: ${(error as Error).message}`);
    }
  }
  throw new Error(`the shipped statement template is missing (${problems.join('; ')})`);
}
