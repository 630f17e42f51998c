import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultRoutingRules, SYSTEM_TABLES } from '../src/core/loader/routing-rules.js';
import { ConfigError } from '../src/runtime/config.js';
import { openFabric } from '../src/runtime/fabric.js';

/** A bad LOADER_RULES file stops the fabric before it opens anything, naming the file and the fault. */
describe('LOADER_RULES', () => {
  let folder: string;
  beforeAll(async () => {
    folder = await mkdtemp(join(tmpdir(), 'tributary-rules-'));
  });
  afterAll(() => rm(folder, { recursive: true, force: true }));

  const open = (loaderRulesFile: string) =>
    openFabric({
      dataDir: join(folder, 'data'),
      databaseUrl: undefined,
      smtpUrl: undefined,
      mailFrom: 'x@y.z',
      loaderRulesFile,
    });

  it.each([
    ['a missing file', 'missing.json', undefined, /LOADER_RULES cannot read .*missing\.json/],
    [
      'text that is not JSON',
      'broken.json',
      '{"rules": [',
      /LOADER_RULES .*broken\.json: routing rules are not valid JSON/,
    ],
    [
      'a rule with a bad table name',
      'bad-table.json',
      JSON.stringify([
        { pattern: '^x.*\\.csv$', table: 'Drop Table', columns: [{ name: 'id', type: 'int' }] },
      ]),
      /rule 0 table: must be a lower-case SQL identifier/,
    ],
    [
      'a column of an unknown type',
      'bad-type.json',
      JSON.stringify({ rules: [{ pattern: '^x', table: 'x', columns: [{ name: 'id', type: 'float' }] }] }),
      /rule 0 columns\.0\.type/,
    ],
    [
      "a rule that loads into one of Tributary's own tables",
      'system-table.json',
      JSON.stringify([
        { pattern: '^orders.*\\.csv$', table: 'orders', columns: [{ name: 'id', type: 'int' }] },
      ]),
      /rule 0 table: "orders" is one of Tributary's own tables/,
    ],
  ])('refuses %s with a ConfigError', async (_, name, content, message) => {
    const path = join(folder, name);
    if (content !== undefined) await writeFile(path, content);
    const error = await open(path).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(message);
    // Nothing was opened: no data dir, no lock, no database.
    expect((await readdir(folder)).includes('data')).toBe(false);
  });
});

describe('SYSTEM_TABLES', () => {
  it('names every table the migrations create, but the ones the default rules load into', async () => {
    const migrations = fileURLToPath(new URL('../src/adapters/sql/migrations/', import.meta.url));
    const created: string[] = [];
    for (const file of await readdir(migrations)) {
      const sql = await readFile(join(migrations, file), 'utf8');
      for (const match of sql.matchAll(/CREATE TABLE (?:IF NOT EXISTS )?([a-z_]+)/g))
        created.push(match[1] as string);
    }
    const loaded = defaultRoutingRules.map((rule) => rule.table);
    expect([...SYSTEM_TABLES].sort()).toEqual(
      [...created.filter((table) => !loaded.includes(table)), 'schema_migrations'].sort(),
    );
  });
});
