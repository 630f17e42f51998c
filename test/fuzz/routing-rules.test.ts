import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  AUDIT_COLUMNS,
  parseRoutingRules,
  RoutingRulesError,
  routeFile,
  SQL_IDENTIFIER,
} from '../../src/core/loader/routing-rules.js';
import { fuzzParams, fuzzTimeout } from './settings.js';

/** Loader routing: which table a landing file goes to, and the `LOADER_RULES` file that says so. */

/** DESIGN.md's families as globs (`departments*.csv`), in rule order, checked without a RegExp. */
const FAMILIES = ['departments', 'jobs', 'hired_employees'];
const globTable = (name: string) =>
  FAMILIES.find(
    (prefix) => name.length >= prefix.length + 4 && name.startsWith(prefix) && name.endsWith('.csv'),
  );

/** Basenames an object key may end with: no `/`, no control characters, well-formed Unicode. */
const basenameArb = fc
  .tuple(
    fc.constantFrom('', ...FAMILIES, 'Jobs', 'job', ' jobs', 'my_jobs', 'hired_employee'),
    fc.string({
      unit: fc.constantFrom('a', '_', '-', ' ', '.', 'é', '😀', 'csv', '\u2028', '\u2029', '\u0085'),
      maxLength: 6,
    }),
    fc.constantFrom('.csv', '', '.CSV', '.csv.bak', '.cs', 'csv', '.csv '),
  )
  .map((parts) => parts.join(''));

const identifierArb = fc.stringMatching(SQL_IDENTIFIER);

/** A pattern that compiles: an escaped literal or any source RegExp accepts. */
const patternArb = fc.oneof(
  fc.string({ minLength: 1, maxLength: 8 }).map((text) => `^${text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}`),
  fc.string({ minLength: 1, maxLength: 8 }).filter((source) => {
    try {
      new RegExp(source);
      return true;
    } catch {
      return false;
    }
  }),
);

const ruleArb = fc.record(
  {
    pattern: patternArb,
    table: identifierArb,
    columns: fc.uniqueArray(
      fc.record({
        name: identifierArb.filter((name) => !AUDIT_COLUMNS.includes(name)),
        type: fc.constantFrom('int', 'text', 'timestamptz'),
      }),
      { minLength: 1, maxLength: 4, selector: (column) => column.name },
    ),
    header: fc.constantFrom('none', 'optional'),
  },
  { requiredKeys: ['pattern', 'table', 'columns'] },
);

type RuleJson = Record<string, unknown>;

/** One way to break a rule: the change, and the start of the field path the error must name. */
interface Breakage {
  field: string;
  apply: (rule: RuleJson) => void;
}
const breakage = (field: string, apply: (rule: RuleJson) => void): Breakage => ({ field, apply });
const firstColumn = (rule: RuleJson) => (rule.columns as RuleJson[])[0] as RuleJson;

const breakageArb: fc.Arbitrary<Breakage> = fc.oneof(
  fc
    .constantFrom('Jobs', '1x', 'a-b', 'x'.repeat(64), '', 'robert"; drop table x', 'é', 7, null)
    .map((value) =>
      breakage('table', (rule) => {
        rule.table = value;
      }),
    ),
  fc.constantFrom('(', '[', '', '*', '(?<', 7, null, ['^x']).map((value) =>
    breakage('pattern', (rule) => {
      rule.pattern = value;
    }),
  ),
  fc.constantFrom('pattern', 'table', 'columns').map((key) =>
    breakage(key, (rule) => {
      delete rule[key];
    }),
  ),
  fc.constantFrom([], 'id', null).map((value) =>
    breakage('columns', (rule) => {
      rule.columns = value;
    }),
  ),
  fc.constantFrom('float', 'INT', '', null).map((type) =>
    breakage('columns.0.type', (rule) => {
      firstColumn(rule).type = type;
    }),
  ),
  fc.constantFrom('Id', '0id', 'load_file', 'load_ts', 'a b', '').map((name) =>
    breakage('columns.0.name', (rule) => {
      firstColumn(rule).name = name;
    }),
  ),
  fc.constant(
    breakage('columns.1.name', (rule) => {
      rule.columns = [firstColumn(rule), { ...firstColumn(rule) }];
    }),
  ),
  fc.constant(
    breakage('columns.0', (rule) => {
      firstColumn(rule).nullable = true;
    }),
  ),
  fc.constantFrom('always', 'None', true).map((value) =>
    breakage('header', (rule) => {
      rule.header = value;
    }),
  ),
  // A misspelt optional field would otherwise be dropped and its default used in silence.
  fc.constantFrom('heder', 'headers', 'tabel').map((key) =>
    breakage('', (rule) => {
      rule[key] = 'none';
    }),
  ),
);

const thrown = (run: () => unknown): unknown => {
  try {
    run();
  } catch (error) {
    return error;
  }
  return undefined;
};

describe('loader routing rules (fuzz)', () => {
  it(
    'routes a basename by the default rules exactly as the globs departments*.csv, jobs*.csv, hired_employees*.csv',
    () => {
      fc.assert(
        fc.property(basenameArb, (name) => {
          expect(routeFile(name)?.table).toBe(globTable(name));
        }),
        fuzzParams(),
      );
    },
    fuzzTimeout,
  );

  it(
    'routes by the first rule whose pattern matches, whatever the rules',
    () => {
      fc.assert(
        fc.property(fc.array(ruleArb, { maxLength: 5 }), basenameArb, (rules, name) => {
          const parsed = parseRoutingRules(JSON.stringify(rules));
          const first = rules.findIndex((rule) => new RegExp(rule.pattern).test(name));
          expect(routeFile(name, parsed)).toBe(first === -1 ? undefined : parsed[first]);
        }),
        fuzzParams(),
      );
    },
    fuzzTimeout,
  );

  it(
    'reads valid rules back as written, from an array or {"rules": [...]}, header defaulting to optional',
    () => {
      fc.assert(
        fc.property(fc.array(ruleArb, { maxLength: 5 }), fc.boolean(), (rules, wrapped) => {
          const parsed = parseRoutingRules(JSON.stringify(wrapped ? { rules } : rules));
          expect(parsed).toEqual(
            rules.map((rule) => ({
              ...rule,
              header: rule.header ?? 'optional',
              pattern: new RegExp(rule.pattern),
            })),
          );
        }),
        fuzzParams(),
      );
    },
    fuzzTimeout,
  );

  it(
    'refuses rules with one broken field, naming that rule and field and no other rule',
    () => {
      const broken = fc.tuple(fc.array(ruleArb, { minLength: 1, maxLength: 4 }), fc.nat(), breakageArb);
      fc.assert(
        fc.property(broken, ([rules, pick, breakage]) => {
          const victim = pick % rules.length;
          const json = JSON.parse(JSON.stringify(rules)) as RuleJson[];
          breakage.apply(json[victim] as RuleJson);
          const error = thrown(() => parseRoutingRules(JSON.stringify({ rules: json })));
          expect(error).toBeInstanceOf(RoutingRulesError);
          const message = (error as Error).message;
          expect(message).toContain(`rule ${victim}${breakage.field === '' ? ':' : ` ${breakage.field}`}`);
          for (const other of rules.keys())
            if (other !== victim) expect(message).not.toMatch(new RegExp(`rule ${other}\\b`));
        }),
        fuzzParams(),
      );
    },
    fuzzTimeout,
  );

  it(
    'never fails on any text but with a RoutingRulesError',
    () => {
      const text = fc.oneof(
        fc.string({ maxLength: 40 }),
        fc.json({ maxDepth: 4 }),
        fc.jsonValue({ maxDepth: 3 }).map((value) => JSON.stringify({ rules: [value] })),
      );
      fc.assert(
        fc.property(text, (json) => {
          const error = thrown(() => parseRoutingRules(json));
          if (error !== undefined) expect(error).toBeInstanceOf(RoutingRulesError);
        }),
        fuzzParams(),
      );
    },
    fuzzTimeout,
  );

  it('routes a name holding U+2028 or U+2029 like any other (found by this fuzzer)', () => {
    expect(routeFile('jobs\u2028q1.csv')?.table).toBe('jobs');
    expect(routeFile('departments\u2029.csv')?.table).toBe('departments');
  });

  it('refuses a misspelt rule field instead of dropping it (found by this fuzzer)', () => {
    const rule = { pattern: '^x', table: 'x', columns: [{ name: 'id', type: 'int' }], heder: 'none' };
    expect(() => parseRoutingRules(JSON.stringify([rule]))).toThrow(/rule 0: .*"heder"/);
  });
});
