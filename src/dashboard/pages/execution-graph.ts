import { Graph, layout } from '@dagrejs/dagre';
import type { ExecutionHistoryEvent } from '../../api/services.js';
import { type AslView, readAsl, type TransitionKind } from './execution-asl.js';

export interface Point {
  x: number;
  y: number;
}

/** A state placed on the graph; `x`, `y` is its top-left corner. */
export interface GraphNode {
  name: string;
  type: string;
  /** The function a Task state runs, as the definition names it. */
  resource?: string;
  /** The Map or Parallel state drawn around this one, if any. */
  parent: string | null;
  /** A Map or Parallel: a box around its inner states, its name in a header. */
  container: boolean;
  x: number;
  y: number;
  width: number;
  height: number;
  /** How many times the state was entered (a Map's inner states: once per iteration). */
  entered: number;
  visited: boolean;
  /** The execution stopped with this state failed (an error no Catch took) or still in it. */
  failed: boolean;
  /** The execution is running in this state now. */
  current: boolean;
}

export interface GraphEdge {
  from: string;
  to: string;
  kind: TransitionKind;
  label?: string;
  /** Whether the execution went this way at least once. */
  taken: boolean;
  points: Point[];
  /** Where the label's centre goes. */
  labelAt?: Point;
}

export interface ExecutionGraph {
  nodes: GraphNode[];
  edges: GraphEdge[];
  width: number;
  height: number;
}

/** Sizes in SVG user units (1 px at 100 %); node text is 13 px (dashboard.css). */
const NODE_HEIGHT = 46;
const HEADER = 28;
const PADDING = 12;
const LABEL_HEIGHT = 16;
const textWidth = (text: string, px: number) => Math.ceil(text.length * px * 0.58);

const round = (n: number) => Math.round(n * 10) / 10;

interface Marks {
  entered: Map<string, number>;
  failed: Set<string>;
  current: Set<string>;
  /** `from`, `to` and how (`catch` or `flow`), joined by newlines. */
  taken: Set<string>;
}

const takenKey = (from: string, to: string, via: 'catch' | 'flow') => `${from}\n${to}\n${via}`;

/**
 * What the history says about each state. Events are followed per thread: the top level, or one
 * iteration (`mapIndex`) of a Map, so concurrent iterations do not mix; within a thread, entering
 * B after A means the edge A→B was taken, by a Catch when a StateCaught came after A was entered.
 */
function markPath(view: AslView, history: readonly ExecutionHistoryEvent[]): Marks {
  const marks: Marks = { entered: new Map(), failed: new Set(), current: new Set(), taken: new Set() };
  const lastInThread = new Map<string, string>();
  // Per state and iteration: the last event, and whether a Catch took it since it was entered.
  const lastEvent = new Map<string, { state: string; type: string; caught: boolean }>();
  let stopped = false;
  for (const event of history) {
    if (event.type.startsWith('Execution') && event.type !== 'ExecutionStarted') stopped = true;
    const state = event.stateName ? view.states.get(event.stateName) : undefined;
    // MapIteration* events name the Map; its own StateEntered/Exited say what it did.
    if (!state || !event.type.startsWith('State')) continue;
    const index = event.mapIndex ?? '';
    if (event.type === 'StateEntered') {
      marks.entered.set(state.name, (marks.entered.get(state.name) ?? 0) + 1);
      const thread = `${state.scope}#${index}`;
      const previous = lastInThread.get(thread);
      if (previous !== undefined) {
        const caught = lastEvent.get(`${previous}#${index}`)?.caught ?? false;
        marks.taken.add(takenKey(previous, state.name, caught ? 'catch' : 'flow'));
      }
      lastInThread.set(thread, state.name);
    }
    const key = `${state.name}#${index}`;
    const caught =
      event.type === 'StateCaught' || (event.type !== 'StateEntered' && !!lastEvent.get(key)?.caught);
    lastEvent.set(key, { state: state.name, type: event.type, caught });
  }
  // A state left open, or failed with nothing after: still at work (or awaiting a retry) while
  // the execution runs; where it failed once it stopped.
  for (const { state, type } of lastEvent.values()) {
    if (type === 'StateExited' || type === 'StateCaught') continue;
    (stopped ? marks.failed : marks.current).add(state);
  }
  return marks;
}

interface Box {
  width: number;
  height: number;
  nodes: GraphNode[];
  edges: GraphEdge[];
}

/** Lays out the states of some scopes (a machine, or a Map's branches), inner boxes first. */
function layoutScopes(view: AslView, scopes: readonly string[], marks: Marks): Box {
  const g = new Graph({ multigraph: true });
  g.setGraph({ rankdir: 'TB', nodesep: 24, ranksep: 34, edgesep: 12, marginx: 8, marginy: 8 });
  const inner = new Map<string, Box>();
  const names = scopes.flatMap((scope) => view.scopes.get(scope)?.states ?? []);
  for (const name of names) {
    const state = view.states.get(name);
    if (!state) continue;
    let width = Math.min(280, Math.max(110, textWidth(name, 13), textWidth(state.type, 11)) + 28);
    let height = NODE_HEIGHT;
    if (state.children.length > 0) {
      const box = layoutScopes(view, state.children, marks);
      inner.set(name, box);
      width = Math.max(textWidth(`${name} ${state.type}`, 13) + 2 * PADDING, box.width + 2 * PADDING);
      height = HEADER + box.height + PADDING;
    }
    g.setNode(name, { width, height });
  }
  for (const name of names) {
    view.states.get(name)?.transitions.forEach((t, i) => {
      // A transition out of its scope is not ASL; the interpreter would refuse it too.
      if (!g.hasNode(t.to)) return;
      const label = t.label
        ? { width: textWidth(t.label, 11) + 8, height: LABEL_HEIGHT, labelpos: 'r', labeloffset: 6 }
        : {};
      g.setEdge(name, t.to, { ...label, kind: t.kind, text: t.label }, String(i));
    });
  }
  layout(g);

  const box: Box = { width: g.graph().width ?? 0, height: g.graph().height ?? 0, nodes: [], edges: [] };
  for (const name of names) {
    const state = view.states.get(name);
    const placed = g.node(name);
    if (!state || !placed) continue;
    const x = (placed.x ?? 0) - placed.width / 2;
    const y = (placed.y ?? 0) - placed.height / 2;
    box.nodes.push({
      name,
      type: state.type,
      ...(state.resource ? { resource: state.resource } : {}),
      parent: view.scopes.get(state.scope)?.container ?? null,
      container: inner.has(name),
      x,
      y,
      width: placed.width,
      height: placed.height,
      entered: marks.entered.get(name) ?? 0,
      visited: marks.entered.has(name),
      failed: marks.failed.has(name),
      current: marks.current.has(name),
    });
    const nested = inner.get(name);
    if (nested) {
      const dx = x + (placed.width - nested.width) / 2;
      const dy = y + HEADER;
      box.nodes.push(...nested.nodes.map((n) => ({ ...n, x: n.x + dx, y: n.y + dy })));
      box.edges.push(...nested.edges.map((e) => shift(e, dx, dy)));
    }
  }
  for (const e of g.edges()) {
    const placed = g.edge(e);
    const kind = placed.kind as TransitionKind;
    const label = placed.text as string | undefined;
    const via = kind === 'catch' ? 'catch' : 'flow';
    box.edges.push({
      from: e.v,
      to: e.w,
      kind,
      ...(label ? { label, labelAt: { x: placed.x ?? 0, y: placed.y ?? 0 } } : {}),
      taken: marks.taken.has(takenKey(e.v, e.w, via)),
      points: placed.points ?? [],
    });
  }
  return box;
}

function shift(edge: GraphEdge, dx: number, dy: number): GraphEdge {
  const move = (p: Point) => ({ x: p.x + dx, y: p.y + dy });
  return { ...edge, points: edge.points.map(move), ...(edge.labelAt ? { labelAt: move(edge.labelAt) } : {}) };
}

/**
 * The graph of a state machine with one execution's path on it: every state of the ASL
 * `definition` laid out top to bottom by dagre (a Map's ItemProcessor, or a Parallel's branches,
 * laid out on their own and drawn inside the Map's box), each marked visited, failed or current
 * from the execution's `history`, and each edge marked taken when the execution went that way.
 * Pure: the same definition and history give the same graph.
 *
 * @example
 * const graph = buildExecutionGraph(auctionDefinition((name) => name), history);
 * graph.nodes.find((n) => n.name === 'FetchResults')?.visited; // true
 */
export function buildExecutionGraph(
  definition: unknown,
  history: readonly ExecutionHistoryEvent[],
): ExecutionGraph {
  const view = readAsl(definition);
  const box = layoutScopes(view, [''], markPath(view, history));
  const at = (p: Point) => ({ x: round(p.x), y: round(p.y) });
  return {
    nodes: box.nodes.map((n) => ({ ...n, ...at(n), width: round(n.width), height: round(n.height) })),
    edges: box.edges.map((e) => ({
      ...e,
      points: e.points.map(at),
      ...(e.labelAt ? { labelAt: at(e.labelAt) } : {}),
    })),
    width: Math.ceil(box.width),
    height: Math.ceil(box.height),
  };
}
