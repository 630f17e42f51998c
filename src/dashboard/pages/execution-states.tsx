import type { FC } from 'hono/jsx';
import { Status, Time } from '../components.js';
import type { GraphNode } from './execution-graph.js';
import { stateAnchor } from './execution-graph-svg.js';
import type { StateActivity, StateRun } from './execution-runs.js';
import { durationText } from './orders-common.js';

/** Runs shown per state: a Map over thousands of orders runs its states thousands of times. */
const MAX_RUNS = 25;
/** JSON longer than this is cut: FetchResults' output lists every pending order. */
const MAX_JSON_CHARS = 6000;
/** A value whose one-line form fits this many characters stays on one line. */
const LINE = 72;

/** JSON on one line, with a space after each `:` and `,` (easier to read than `JSON.stringify`'s). */
function flat(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(flat).join(', ')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).map(([k, v]) => `${JSON.stringify(k)}: ${flat(v)}`);
    return `{${entries.join(', ')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/**
 * JSON indented only where a value does not fit on a line, so a list of small objects (the
 * auction's orders) takes a line each instead of five.
 */
export function compactJson(value: unknown, indent = ''): string {
  const line = flat(value);
  if (value === null || typeof value !== 'object' || indent.length + line.length <= LINE) return line;
  const inner = `${indent}  `;
  if (Array.isArray(value))
    return `[\n${value.map((v) => inner + compactJson(v, inner)).join(',\n')}\n${indent}]`;
  const entries = Object.entries(value).map(
    ([k, v]) => `${inner}${JSON.stringify(k)}: ${compactJson(v, inner)}`,
  );
  return `{\n${entries.join(',\n')}\n${indent}}`;
}

/** Longer JSON than this goes in a <details> (the page's <pre>s wrap, never scroll). */
const INLINE_LINES = 12;
const INLINE_CHARS = 800;

/** `{config, orders: 5 items, attempt}`: what a long value holds, for its <summary>. */
function outline(value: unknown): string {
  const describe = (v: unknown) =>
    Array.isArray(v) ? `${v.length} ${v.length === 1 ? 'item' : 'items'}` : '';
  if (Array.isArray(value)) return `[${describe(value)}]`;
  if (value === null || typeof value !== 'object') return typeof value;
  const keys = Object.entries(value).map(([k, v]) => (Array.isArray(v) ? `${k}: ${describe(v)}` : k));
  const text = keys.join(', ');
  return `{${text.length > 80 ? `${text.slice(0, 79)}…` : text}}`;
}

/**
 * A value as compact JSON: short ones as they are, long ones folded in a <details> whose summary
 * outlines them, cut to a readable length with a note of how much was left out.
 */
export const ClippedJson: FC<{ value: unknown }> = ({ value }) => {
  if (value === null || value === undefined) return <span class="muted">—</span>;
  let text = compactJson(value);
  if (text.length > MAX_JSON_CHARS) {
    const more = (text.length - MAX_JSON_CHARS).toLocaleString('en-US');
    text = `${text.slice(0, MAX_JSON_CHARS)}\n… ${more} more characters`;
  }
  const lines = text.split('\n').length;
  if (lines <= INLINE_LINES && text.length <= INLINE_CHARS) return <pre class="json">{text}</pre>;
  return (
    <details>
      <summary>{`${outline(value)}, ${lines} lines`}</summary>
      <pre class="json">{text}</pre>
    </details>
  );
};

const runStatus = (run: StateRun) =>
  run.caught ? 'CAUGHT' : run.errors.length > 0 && run.open ? 'FAILED' : run.open ? 'RUNNING' : 'SUCCEEDED';

const runName = (run: StateRun) =>
  run.mapIndex === null
    ? `Visit ${run.visit}`
    : `Iteration ${run.mapIndex}${run.visit > 1 ? `, visit ${run.visit}` : ''}`;

/** Failed runs first (they are what a reader looks for), then in the order they ran. */
function pick(runs: readonly StateRun[]): StateRun[] {
  const failed = runs.filter((r) => r.errors.length > 0);
  const others = runs.filter((r) => r.errors.length === 0);
  return [...failed, ...others].slice(0, MAX_RUNS);
}

/** One run: when, how it ended, its error, and what it got and gave side by side. */
const Run: FC<{ run: StateRun }> = ({ run }) => (
  <div data-run={runName(run)}>
    <h4>
      {runName(run)} <Status value={runStatus(run)} />
    </h4>
    <p class="muted">
      Entered <Time value={run.enteredAt} />
      {run.exitedAt ? `; took ${durationText(run.exitedAt.getTime() - run.enteredAt.getTime())}.` : '.'}
      {run.retries > 0 && ` Retried ${run.retries} ${run.retries === 1 ? 'time' : 'times'}.`}
    </p>
    {run.errors.map((e) => (
      <p>
        <code>{e.error ?? 'unknown error'}</code> {e.cause}
        {run.caught ? " (caught by the state's Catch)" : ''}
      </p>
    ))}
    <div class="grid-2">
      <div>
        <h5>Input</h5>
        <ClippedJson value={run.input} />
      </div>
      <div>
        <h5>Output</h5>
        <ClippedJson value={run.output} />
      </div>
    </div>
  </div>
);

const State: FC<{ node: GraphNode; activity: StateActivity }> = ({ node, activity }) => {
  const shown = pick(activity.runs);
  const counts = activity.iterations;
  const anchor = stateAnchor(node.name);
  const ran = activity.runs.length;
  const summary = [
    node.parent ? `Inside ${node.parent}.` : '',
    `Ran ${ran} ${ran === 1 ? 'time' : 'times'}${node.failed ? ' and failed' : ''}${node.current ? '; running now' : ''}.`,
    counts
      ? `Iterations: ${counts.started} started, ${counts.succeeded} succeeded, ${counts.failed} failed.`
      : '',
    shown.length < ran ? `Showing ${shown.length} of ${ran} runs, failed ones first.` : '',
  ];
  return (
    <section class="card" id={anchor} aria-labelledby={`${anchor}-h`} data-state={node.name}>
      <h3 id={`${anchor}-h`}>
        {node.name} <span class="muted">{node.resource ? `${node.type} · ${node.resource}` : node.type}</span>
      </h3>
      <p class="help">{summary.filter(Boolean).join(' ')}</p>
      {shown.map((run) => (
        <Run run={run} />
      ))}
    </section>
  );
};

/**
 * Each state of the execution, in the order of the graph: every run of a visited state with
 * what it got and gave (a Map's inner states once per iteration), and a line for each state
 * never visited, so that every node of the graph links somewhere.
 */
export const ExecutionStates: FC<{ nodes: GraphNode[]; activity: Map<string, StateActivity> }> = ({
  nodes,
  activity,
}) => {
  const ran = (node: GraphNode) => (activity.get(node.name)?.runs.length ?? 0) > 0;
  const unvisited = nodes.filter((n) => !ran(n));
  return (
    <>
      <div class="grid-2">
        {nodes.filter(ran).map((node) => (
          <State node={node} activity={activity.get(node.name) as StateActivity} />
        ))}
      </div>
      {unvisited.length > 0 && (
        <>
          <h3>Not visited</h3>
          <ul class="plain">
            {unvisited.map((node) => (
              <li id={stateAnchor(node.name)}>
                {node.name} <span class="muted">{node.type}</span>
              </li>
            ))}
          </ul>
        </>
      )}
    </>
  );
};
