import { HTTPException } from 'hono/http-exception';
import type { FC } from 'hono/jsx';
import type { ExecutionHistoryEvent, ExecutionSummary } from '../../api/services.js';
import { Notice, Status, TableWrap, Time } from '../components.js';
import type { DashboardServices } from '../services.js';
import { buildExecutionGraph, type ExecutionGraph } from './execution-graph.js';
import { ExecutionGraphSvg } from './execution-graph-svg.js';
import { groupStateRuns } from './execution-runs.js';
import { ClippedJson, ExecutionStates } from './execution-states.js';
import { durationText } from './orders-common.js';

/** How often the page of a running execution refreshes itself. */
const REFRESH = 'every 2s';

/** The page of one auction run. */
export const executionHref = (id: string): string => `/ui/orders/executions/${encodeURIComponent(id)}`;

/** What the page of one run shows. */
export interface ExecutionData {
  now: Date;
  execution: ExecutionSummary;
  history: ExecutionHistoryEvent[];
  graph: ExecutionGraph;
}

/** One auction run with its history and graph; an unknown id is a 404 saying so. */
export async function loadExecution(services: DashboardServices, id: string): Promise<ExecutionData> {
  const execution = await services.api.auction.get(id);
  if (!execution) {
    throw new HTTPException(404, {
      message: `No auction run with id "${id}": it never existed here, or its data dir was replaced; the runs are listed at /ui/orders/executions.`,
    });
  }
  const history = await services.api.auction.history(id);
  const machine = services.topology.stateMachines.auction;
  if (!machine) throw new Error('the topology declares no auction state machine');
  // The Task resources are shown as the functions' names, as the topology declares them.
  const graph = buildExecutionGraph(
    machine.definition((name) => name),
    history,
  );
  return { now: services.api.clock.now(), execution, history, graph };
}

/** States in the order they were first entered, for the graph's text description. */
const firstEntered = (history: readonly ExecutionHistoryEvent[]) => [
  ...new Set(
    history.filter((e) => e.type === 'StateEntered' && e.stateName).map((e) => e.stateName as string),
  ),
];

/** Everything that changes while the execution runs; it polls itself until the run stops. */
export const ExecutionLive: FC<{ data: ExecutionData }> = ({ data }) => {
  const { execution: e, graph, history, now } = data;
  const running = e.status === 'RUNNING';
  const poll = running
    ? { 'hx-get': `${executionHref(e.executionId)}/live`, 'hx-trigger': REFRESH, 'hx-swap': 'outerHTML' }
    : {};
  const stoppedAt = e.stoppedAt ?? now;
  return (
    <div id="execution-live" data-status={e.status} {...poll}>
      <p class="muted">
        Updated <Time value={now} />. {running ? 'This part refreshes every 2 s until the run stops.' : ''}
      </p>
      <dl class="figures">
        <div class={running ? '' : e.status === 'SUCCEEDED' ? '' : 'bad'}>
          <dt>status</dt>
          <dd>
            <Status value={e.status} />
          </dd>
        </div>
        <div>
          <dt>started</dt>
          <dd>
            <Time value={e.startedAt} />
          </dd>
        </div>
        <div>
          <dt>stopped</dt>
          <dd>
            <Time value={e.stoppedAt} />
          </dd>
        </div>
        <div>
          <dt>{running ? 'running for' : 'duration'}</dt>
          <dd>{durationText(stoppedAt.getTime() - e.startedAt.getTime())}</dd>
        </div>
      </dl>
      {e.error && (
        <Notice kind="error">
          <code>{e.error}</code> {e.cause}
        </Notice>
      )}
      <h2>State graph</h2>
      {/* A scroll box on a narrow screen (focusable, as the tables'), so the graph keeps its size. */}
      <TableWrap label="State graph">
        <ExecutionGraphSvg
          id="execution-graph"
          title={`States of the auction workflow; this run is ${e.status}`}
          graph={graph}
          order={firstEntered(history)}
        />
      </TableWrap>
      <p class="help">
        Green: states this run entered; red: where it failed; purple: where it is now. Thick green edges: the
        way it went. Dashed edges: a Catch. Select a state for what it got and gave.
      </p>
      <div class="grid-2">
        <section aria-labelledby="execution-input">
          <h2 id="execution-input">Input</h2>
          <ClippedJson value={e.input} />
        </section>
        <section aria-labelledby="execution-output">
          <h2 id="execution-output">Output</h2>
          <ClippedJson value={e.output} />
        </section>
      </div>
      <h2>States</h2>
      <ExecutionStates nodes={graph.nodes} activity={groupStateRuns(history)} />
    </div>
  );
};
