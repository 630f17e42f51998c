import { describe, expect, it } from 'vitest';
import { defaultRoutingRules, parseRoutingRules, RoutingRulesError, routeFile } from './routing-rules.js';

describe('routeFile', () => {
  it('routes the default file families by basename and leaves others unmatched', () => {
    expect(routeFile('departments.csv')?.table).toBe('departments');
    expect(routeFile('departments_2024-01.csv')?.table).toBe('departments');
    expect(routeFile('jobs.csv')?.table).toBe('jobs');
    expect(routeFile('hired_employees.csv')?.columns.map((c) => c.name)).toEqual([
      'id',
      'name',
      'datetime',
      'department_id',
      'job_id',
    ]);
    expect(routeFile('hired_employees.csv.bak')).toBeUndefined();
    expect(routeFile('my_jobs.csv')).toBeUndefined();
    expect(routeFile('Jobs.csv')).toBeUndefined();
  });

  it('takes the first matching rule', () => {
    const rules = parseRoutingRules(
      JSON.stringify([
        { pattern: '^jobs_special', table: 'special_jobs', columns: [{ name: 'id', type: 'int' }] },
        ...defaultRoutingRules.map((rule) => ({ ...rule, pattern: rule.pattern.source })),
      ]),
    );
    expect(routeFile('jobs_special.csv', rules)?.table).toBe('special_jobs');
    expect(routeFile('jobs.csv', rules)?.table).toBe('jobs');
  });
});

describe('parseRoutingRules', () => {
  it('reads an array or {rules}, defaulting the header policy to optional', () => {
    const rule = { pattern: '^x.*\\.csv$', table: 'x', columns: [{ name: 'a', type: 'text' }] };
    const [fromArray] = parseRoutingRules(JSON.stringify([rule]));
    const [fromObject] = parseRoutingRules(JSON.stringify({ rules: [{ ...rule, header: 'none' }] }));
    expect(fromArray).toEqual({ ...rule, pattern: /^x.*\.csv$/, header: 'optional' });
    expect(fromObject?.header).toBe('none');
  });

  it('names the rule index and field of every problem', () => {
    const bad = [
      { pattern: '^ok$', table: 'ok', columns: [{ name: 'id', type: 'int' }] },
      { pattern: '([', table: 'Robert"; DROP TABLE x', columns: [{ name: 'load_file', type: 'int' }] },
      { pattern: '^y$', table: 'y', columns: [{ name: 'id', type: 'float' }] },
    ];
    const error = (() => {
      try {
        parseRoutingRules(JSON.stringify(bad));
      } catch (caught) {
        return caught;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(RoutingRulesError);
    const message = (error as Error).message;
    expect(message).toMatch(/rule 1 pattern: does not compile/);
    expect(message).toMatch(/rule 1 table: must be a lower-case SQL identifier/);
    expect(message).toMatch(/rule 1 columns\.0\.name: "load_file" is an audit column/);
    expect(message).toMatch(/rule 2 columns\.0\.type:/);
    expect(message).not.toMatch(/rule 0/);
  });

  it('refuses text that is not JSON or not a list of rules', () => {
    expect(() => parseRoutingRules('{')).toThrow(/not valid JSON/);
    expect(() => parseRoutingRules('{"pattern": "x"}')).toThrow(RoutingRulesError);
    expect(() => parseRoutingRules('[{"pattern":"x","table":"t","columns":[]}]')).toThrow(/rule 0 columns/);
  });
});
