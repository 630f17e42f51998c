import { describe, expect, it } from 'vitest';
import type { ExecutionHistoryEvent } from '../../api/services.js';
import { auctionDefinition } from '../../workflows/auction.js';
import { buildExecutionGraph, type ExecutionGraph } from './execution-graph.js';

const definition = auctionDefinition((name) => name);

/** A history as the runner records it: numbered events, a state's `mapIndex` inside a Map. */
function history(...events: [type: string, state?: string, mapIndex?: number][]): ExecutionHistoryEvent[] {
  return events.map(([type, stateName, mapIndex], i) => ({
    sequence: i + 1,
    timestamp: new Date(Date.UTC(2024, 8, 1, 0, 0, i)),
    type,
    stateName: stateName ?? null,
    mapIndex: mapIndex ?? null,
  }));
}
const through = (...states: string[]) =>
  states.flatMap((s): [string, string][] => [
    ['StateEntered', s],
    ['StateExited', s],
  ]);

const node = (graph: ExecutionGraph, name: string) => {
  const found = graph.nodes.find((n) => n.name === name);
  if (!found) throw new Error(`no node ${name}`);
  return found;
};
const taken = (graph: ExecutionGraph) =>
  graph.edges.filter((e) => e.taken).map((e) => `${e.from} -${e.kind}-> ${e.to}`);
const visited = (graph: ExecutionGraph) => graph.nodes.filter((n) => n.visited).map((n) => n.name);

describe('buildExecutionGraph', () => {
  it('marks the states and edges of a run whose rejected order was caught, and nothing failed', () => {
    const graph = buildExecutionGraph(
      definition,
      history(
        ['ExecutionStarted'],
        ...through('Prepare', 'FetchResults', 'ResultsReady'),
        ['StateEntered', 'StoreResults'],
        ['MapIterationStarted', 'StoreResults', 0],
        ['MapIterationStarted', 'StoreResults', 1],
        // Iterations interleave: iteration 1 entering StoreResult is no edge from iteration 0's.
        ['StateEntered', 'StoreResult', 0],
        ['StateEntered', 'StoreResult', 1],
        ['StateFailed', 'StoreResult', 1],
        ['StateCaught', 'StoreResult', 1],
        ['StateExited', 'StoreResult', 1],
        ['StateEntered', 'NotifyRejected', 1],
        ['StateExited', 'NotifyRejected', 1],
        ['StateExited', 'StoreResult', 0],
        ['StateExited', 'StoreResults'],
        ...through('Summarize'),
        ['ExecutionSucceeded'],
      ),
    );
    expect(visited(graph).sort()).toEqual(
      [
        'FetchResults',
        'NotifyRejected',
        'Prepare',
        'ResultsReady',
        'StoreResult',
        'StoreResults',
        'Summarize',
      ].sort(),
    );
    expect(taken(graph).sort()).toEqual(
      [
        'Prepare -next-> FetchResults',
        'FetchResults -next-> ResultsReady',
        'ResultsReady -choice-> StoreResults',
        'StoreResult -catch-> NotifyRejected',
        'StoreResults -next-> Summarize',
      ].sort(),
    );
    expect(graph.nodes.filter((n) => n.failed || n.current)).toEqual([]);
    expect(node(graph, 'StoreResult').entered).toBe(2);
    expect(graph.edges.find((e) => e.from === 'ResultsReady' && e.to === 'StoreResults')?.label).toBe(
      'results = true',
    );
  });

  it('marks the failing state, and the Catch edge that led to it', () => {
    const graph = buildExecutionGraph(
      definition,
      history(
        ['ExecutionStarted'],
        ...through('Prepare'),
        ['StateEntered', 'FetchResults'],
        ['StateFailed', 'FetchResults'],
        ['StateCaught', 'FetchResults'],
        ['StateExited', 'FetchResults'],
        ...through('NotifyFailure'),
        ['StateEntered', 'PlatformFailed'],
        ['StateFailed', 'PlatformFailed'],
        ['ExecutionFailed'],
      ),
    );
    expect(graph.nodes.filter((n) => n.failed).map((n) => n.name)).toEqual(['PlatformFailed']);
    expect(taken(graph)).toEqual(
      expect.arrayContaining(['FetchResults -catch-> NotifyFailure', 'NotifyFailure -next-> PlatformFailed']),
    );
    expect(taken(graph)).not.toContain('FetchResults -next-> ResultsReady');
    expect(node(graph, 'ResultsReady').visited).toBe(false);
  });

  it('follows the Wait loop, and shows where a running execution is now', () => {
    const graph = buildExecutionGraph(
      definition,
      history(
        ['ExecutionStarted'],
        ...through(
          'Prepare',
          'FetchResults',
          'ResultsReady',
          'WaitForResults',
          'FetchResults',
          'ResultsReady',
        ),
        ['StateEntered', 'WaitForResults'],
      ),
    );
    expect(taken(graph)).toEqual(
      expect.arrayContaining([
        'ResultsReady -default-> WaitForResults',
        'WaitForResults -next-> FetchResults',
      ]),
    );
    expect(node(graph, 'FetchResults').entered).toBe(2);
    expect(graph.nodes.filter((n) => n.current).map((n) => n.name)).toEqual(['WaitForResults']);
    expect(graph.nodes.filter((n) => n.failed)).toEqual([]);
  });

  it('shows a state the execution stopped in as failed (an interrupted run)', () => {
    const graph = buildExecutionGraph(
      definition,
      history(
        ['ExecutionStarted'],
        ...through('Prepare'),
        ['StateEntered', 'FetchResults'],
        ['ExecutionFailed'],
      ),
    );
    expect(graph.nodes.filter((n) => n.failed).map((n) => n.name)).toEqual(['FetchResults']);
    expect(graph.nodes.filter((n) => n.current)).toEqual([]);
  });

  it('draws every state once, the Map’s inner states inside its box, all within the picture', () => {
    const graph = buildExecutionGraph(definition, []);
    expect(graph.nodes.map((n) => n.name).sort()).toEqual(
      [
        'FetchResults',
        'NoResults',
        'NotifyFailure',
        'NotifyNoResults',
        'NotifyRejected',
        'PlatformFailed',
        'Prepare',
        'ResultsReady',
        'StoreResult',
        'StoreResults',
        'Summarize',
        'WaitForResults',
      ].sort(),
    );
    const map = node(graph, 'StoreResults');
    expect(map.container).toBe(true);
    for (const inner of graph.nodes.filter((n) => n.parent === 'StoreResults')) {
      expect(inner.x).toBeGreaterThanOrEqual(map.x);
      expect(inner.y).toBeGreaterThan(map.y);
      expect(inner.x + inner.width).toBeLessThanOrEqual(map.x + map.width);
      expect(inner.y + inner.height).toBeLessThanOrEqual(map.y + map.height);
    }
    for (const n of graph.nodes) {
      expect(n.x + n.width).toBeLessThanOrEqual(graph.width);
      expect(n.y + n.height).toBeLessThanOrEqual(graph.height);
    }
    for (const e of graph.edges) expect(e.points.length).toBeGreaterThanOrEqual(2);
    expect(graph.edges.filter((e) => e.kind === 'catch').map((e) => e.label)).toEqual(
      expect.arrayContaining(['catch OrderRejected', 'catch States.ALL']),
    );
  });

  it('refuses a definition that is not ASL', () => {
    expect(() => buildExecutionGraph({ States: {} }, [])).toThrow();
  });
});
