import type { Hono } from 'hono';
import type { ExecutionSummary } from '../../api/services.js';
import type { StreamDescription } from '../../ports/stream.js';
import type { Topology } from '../../topology-types.js';
import { Empty, formatNumber, Status, TableWrap, Time } from '../components.js';
import { Page } from '../layout.js';
import { type PipelineView, pipelines } from '../pipelines.js';
import type { DashboardServices, FunctionRun, FunctionRunStats, QueueDepth } from '../services.js';

/** The window the overview counts runs, records and failures over. */
const WINDOW_MS = 60 * 60 * 1000;
/** How often the overview refreshes itself. */
const REFRESH = 'every 2s';

interface OverviewData {
  now: Date;
  topology: Topology;
  stats: FunctionRunStats[];
  runs: FunctionRun[];
  depths: Record<string, QueueDepth>;
  streams: StreamDescription[];
  executions: ExecutionSummary[];
}

async function load(services: DashboardServices): Promise<OverviewData> {
  const now = services.api.clock.now();
  const [stats, runs, depths, streams, executions] = await Promise.all([
    services.functionRuns.stats(new Date(now.getTime() - WINDOW_MS)),
    services.functionRuns.recent({ limit: 200 }),
    services.queueDepths(),
    services.api.streams(),
    services.api.auction.list(50),
  ]);
  return { now, topology: services.topology, stats, runs, depths, streams, executions };
}

const isDlq = (queue: string) => queue.endsWith('-dlq');

const PipelineCard = ({ pipeline, data }: { pipeline: PipelineView; data: OverviewData }) => {
  const stats = data.stats.filter((s) => pipeline.functions.includes(s.function));
  // Functions a queue or a stream invokes: the ones with runs in the log.
  const triggered = pipeline.functions.filter((name) => {
    const trigger = data.topology.functions[name]?.trigger;
    return trigger !== undefined && ('queue' in trigger || 'stream' in trigger);
  });
  // A state machine's tasks are not trigger runs: its executions count as the pipeline's runs.
  const runsAuction = pipeline.stateMachines.includes('auction');
  const executions = runsAuction ? data.executions : [];
  const since = data.now.getTime() - WINDOW_MS;
  const recentExecutions = executions.filter((e) => new Date(e.startedAt).getTime() >= since);
  const records = stats.reduce((sum, s) => sum + s.records, 0);
  const failures =
    stats.reduce((sum, s) => sum + s.failures, 0) +
    recentExecutions.filter((e) => e.status !== 'RUNNING' && e.status !== 'SUCCEEDED').length;
  const runs = stats.reduce((sum, s) => sum + s.runs, 0) + recentExecutions.length;
  const deadLetters = pipeline.queues
    .filter(isDlq)
    .reduce((sum, q) => sum + (data.depths[q]?.visible ?? 0) + (data.depths[q]?.delayed ?? 0), 0);
  const recent = data.runs.filter((r) => pipeline.functions.includes(r.function)).slice(0, 5);
  const streams = data.streams.filter((s) => pipeline.streams.includes(s.stream));
  return (
    <section class="card pipeline" aria-labelledby={`pipeline-${pipeline.id}`} data-pipeline={pipeline.id}>
      <h2 id={`pipeline-${pipeline.id}`}>
        <a href={pipeline.href}>{pipeline.id}</a>
      </h2>
      <p class="muted">{pipeline.summary}</p>
      <dl class="figures">
        <div>
          <dt>runs (1 h)</dt>
          <dd>{formatNumber(runs)}</dd>
        </div>
        <div>
          <dt>records (1 h)</dt>
          <dd>{formatNumber(records)}</dd>
        </div>
        <div>
          <dt>per minute</dt>
          <dd>{(records / 60).toFixed(1)}</dd>
        </div>
        <div class={failures > 0 ? 'bad' : ''}>
          <dt>failures (1 h)</dt>
          <dd>{formatNumber(failures)}</dd>
        </div>
        <div class={deadLetters > 0 ? 'bad' : ''}>
          <dt>dead letters</dt>
          <dd>
            <a href="/ui/queues">{formatNumber(deadLetters)}</a>
          </dd>
        </div>
      </dl>
      {pipeline.queues.length > 0 && (
        <TableWrap label={`${pipeline.id} queues`}>
          <table>
            <caption>Queues</caption>
            <thead>
              <tr>
                <th scope="col">queue</th>
                <th scope="col">visible</th>
                <th scope="col">in flight</th>
                <th scope="col">delayed</th>
              </tr>
            </thead>
            <tbody>
              {pipeline.queues.map((queue) => (
                <tr data-queue={queue}>
                  <th scope="row">{queue}</th>
                  <td>{data.depths[queue]?.visible ?? 0}</td>
                  <td>{data.depths[queue]?.inFlight ?? 0}</td>
                  <td>{data.depths[queue]?.delayed ?? 0}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      )}
      {streams.map((stream) => (
        <p>
          {`Stream ${stream.stream}: ${stream.shardCount} shards, ${formatNumber(
            stream.shards.reduce((sum, s) => sum + s.records, 0),
          )} records retained, consumer lag ${formatNumber(stream.consumers.reduce((sum, c) => sum + c.lag, 0))}.`}
        </p>
      ))}
      {runsAuction && <h3>Recent auction runs</h3>}
      {runsAuction && executions.length === 0 && <Empty>No auction runs yet.</Empty>}
      {executions.length > 0 && (
        <ul class="plain">
          {executions.slice(0, 5).map((e) => (
            <li>
              <a href={`/ui/orders/executions/${encodeURIComponent(e.executionId)}`}>auction</a>{' '}
              <Status value={e.status} /> <Time value={e.startedAt} />
            </li>
          ))}
        </ul>
      )}
      {triggered.length > 0 && <h3>Recent runs</h3>}
      {triggered.length === 0 ? null : recent.length === 0 ? (
        <Empty>No runs yet.</Empty>
      ) : (
        <TableWrap label={`${pipeline.id} recent runs`}>
          <table>
            <thead>
              <tr>
                <th scope="col">function</th>
                <th scope="col">started</th>
                <th scope="col">records</th>
                <th scope="col">failures</th>
              </tr>
            </thead>
            <tbody>
              {recent.map((run) => (
                <tr class={run.failures > 0 || run.error ? 'bad' : ''}>
                  <td>{run.function}</td>
                  <td>
                    <Time value={run.startedAt} />
                  </td>
                  <td>{run.records}</td>
                  <td title={run.error ?? undefined}>{run.failures}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      )}
    </section>
  );
};

const Live = ({ data }: { data: OverviewData }) => (
  <div id="overview-live" hx-get="/ui/overview/live" hx-trigger={REFRESH} hx-swap="outerHTML">
    <p class="muted" aria-live="off">
      Updated <Time value={data.now} />. Counts cover the last hour.
    </p>
    <div class="cards">
      {pipelines.map((pipeline) => (
        <PipelineCard pipeline={pipeline} data={data} />
      ))}
    </div>
  </div>
);

/** `/`: every pipeline with its throughput, failures, queue depths and recent runs, live. */
export function registerOverviewPages(app: Hono, services: DashboardServices): void {
  app.get('/', async (c) =>
    c.html(
      <Page title="Overview" current="overview">
        <Live data={await load(services)} />
      </Page>,
    ),
  );
  app.get('/ui/overview/live', async (c) => c.html(<Live data={await load(services)} />));
}
