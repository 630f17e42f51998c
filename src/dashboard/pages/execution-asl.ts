import { z } from 'zod';

/** How control leaves a state: its `Next`, a Choice rule, a Choice's `Default`, or a `Catch`. */
export type TransitionKind = 'next' | 'choice' | 'default' | 'catch';

export interface Transition {
  to: string;
  kind: TransitionKind;
  /** What a reader needs to tell the edges apart: the Choice rule, or the errors caught. */
  label?: string;
}

/** One state of a definition, wherever it is nested. */
export interface AslStateView {
  name: string;
  type: string;
  /** The (sub-)machine the state belongs to: `''` for the top level, else `<container>/<branch>`. */
  scope: string;
  /** The function a Task runs, as the definition names it. */
  resource?: string;
  transitions: Transition[];
  /** For a Map or Parallel: the scopes of its ItemProcessor (one) or Branches (several). */
  children: string[];
}

/** A definition flattened: every state by name, and each scope's states in definition order. */
export interface AslView {
  states: Map<string, AslStateView>;
  scopes: Map<string, { startAt: string; container: string | null; states: string[] }>;
}

const catcher = z.object({ ErrorEquals: z.array(z.string()), Next: z.string() });
const state = z.looseObject({
  Type: z.string(),
  Next: z.string().optional(),
  Default: z.string().optional(),
  Resource: z.string().optional(),
  Choices: z.array(z.looseObject({ Next: z.string() })).optional(),
  Catch: z.array(catcher).optional(),
  ItemProcessor: z.unknown().optional(),
  Iterator: z.unknown().optional(),
  Branches: z.array(z.unknown()).optional(),
});
const machine = z.looseObject({ StartAt: z.string(), States: z.record(z.string(), state) });

/**
 * Reads an Amazon States Language definition into the states and transitions the graph draws.
 * State names are unique across a whole state machine (ASL requires it), so a name identifies
 * a state even inside a Map. Throws when the definition is not ASL: it comes from the topology,
 * so that is a bug, not bad input.
 */
export function readAsl(definition: unknown): AslView {
  const view: AslView = { states: new Map(), scopes: new Map() };
  const visit = (raw: unknown, scope: string, container: string | null) => {
    const parsed = machine.parse(raw);
    view.scopes.set(scope, { startAt: parsed.StartAt, container, states: Object.keys(parsed.States) });
    for (const [name, s] of Object.entries(parsed.States)) {
      const transitions: Transition[] = [];
      for (const rule of s.Choices ?? []) {
        transitions.push({ to: rule.Next, kind: 'choice', label: describeRule(rule) });
      }
      if (s.Default) transitions.push({ to: s.Default, kind: 'default', label: 'default' });
      if (s.Next) transitions.push({ to: s.Next, kind: 'next' });
      for (const c of s.Catch ?? []) {
        transitions.push({ to: c.Next, kind: 'catch', label: `catch ${c.ErrorEquals.join(', ')}` });
      }
      const inner = s.ItemProcessor ?? s.Iterator;
      const branches = inner === undefined ? (s.Branches ?? []) : [inner];
      const children = branches.map((_, i) => `${name}/${i}`);
      view.states.set(name, {
        name,
        type: s.Type,
        scope,
        transitions,
        children,
        ...(s.Resource ? { resource: s.Resource } : {}),
      });
      branches.forEach((branch, i) => {
        visit(branch, children[i] as string, name);
      });
    }
  };
  visit(definition, '', null);
  return view;
}

const operators: Record<string, string> = {
  Equals: '=',
  LessThan: '<',
  GreaterThan: '>',
  LessThanEquals: '≤',
  GreaterThanEquals: '≥',
  Matches: 'matches',
};

const path = (value: unknown) => (typeof value === 'string' ? value.replace(/^\$\.?/, '') || '$' : '');

/** A Choice rule in a few words: `results = true`, `attempt ≥ config.maxAttempts`. */
export function describeRule(rule: Record<string, unknown>): string {
  if (Array.isArray(rule.And)) return `all of ${rule.And.length} rules`;
  if (Array.isArray(rule.Or)) return `any of ${rule.Or.length} rules`;
  if (rule.Not && typeof rule.Not === 'object')
    return `not (${describeRule(rule.Not as Record<string, unknown>)})`;
  if (typeof rule.Condition === 'string') return rule.Condition;
  for (const [key, value] of Object.entries(rule)) {
    const compare =
      /^(?:String|Numeric|Boolean|Timestamp)(Equals|LessThan|GreaterThan|LessThanEquals|GreaterThanEquals|Matches)(Path)?$/.exec(
        key,
      );
    if (compare) {
      const operand = compare[2] ? path(value) : JSON.stringify(value);
      return `${path(rule.Variable)} ${operators[compare[1] as string]} ${operand}`;
    }
    const test = /^Is(Null|Present|Numeric|String|Boolean|Timestamp)$/.exec(key);
    if (test) return `${path(rule.Variable)} ${value === false ? 'is not' : 'is'} ${test[1]?.toLowerCase()}`;
  }
  return 'rule';
}
