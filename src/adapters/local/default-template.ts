import { readFile } from 'node:fs/promises';

const templatesDir = new URL('../../core/statements/templates/', import.meta.url);

/** The statement template and logo that ship with the code (used when bucket `email-templates` has none). */
export interface DefaultStatementTemplate {
  /** Mustache HTML template, see `renderStatement`. */
  html: string;
  /** PNG referenced by the template as `cid:logo@tributary`. */
  logo: Buffer;
}

/** Reads the shipped default statement template and its logo. */
export async function readDefaultStatementTemplate(): Promise<DefaultStatementTemplate> {
  const [html, logo] = await Promise.all([
    readFile(new URL('statement.html', templatesDir), 'utf8'),
    readFile(new URL('logo.png', templatesDir)),
  ]);
  return { html, logo };
}
