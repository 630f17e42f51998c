import type { FC } from 'hono/jsx';
import type { ExecutionGraph, GraphEdge, GraphNode, Point } from './execution-graph.js';

/** The id of a state's details on the page (`#state-FetchResults`), safe for any state name. */
export const stateAnchor = (name: string): string =>
  `state-${name.replace(/[^A-Za-z0-9_-]/g, (c) => `_${c.codePointAt(0)?.toString(16)}`)}`;

/** Names longer than a node is wide are cut; the full name is in its tooltip and details. */
const shorten = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

/** A polyline through dagre's points, its corners rounded by quadratic curves. */
export function edgePath(points: readonly Point[]): string {
  const [first, ...rest] = points;
  if (!first) return '';
  let d = `M${first.x},${first.y}`;
  for (let i = 0; i < rest.length - 1; i += 1) {
    const p = rest[i] as Point;
    const q = rest[i + 1] as Point;
    d += ` Q${p.x},${p.y} ${(p.x + q.x) / 2},${(p.y + q.y) / 2}`;
  }
  const last = rest.at(-1);
  if (last) d += ` L${last.x},${last.y}`;
  return d;
}

function nodeClass(node: GraphNode): string {
  const marks = [
    node.container && 'map',
    node.visited && 'visited',
    node.failed && 'failed',
    node.current && 'current',
  ];
  return ['node', ...marks.filter(Boolean)].join(' ');
}

function describeNode(node: GraphNode): string {
  const seen = node.visited
    ? `entered ${node.entered} ${node.entered === 1 ? 'time' : 'times'}`
    : 'not visited';
  const marks = [node.failed && 'failed', node.current && 'running now'].filter(Boolean).join(', ');
  return `${node.name}, ${node.type} state: ${seen}${marks ? `, ${marks}` : ''}. Show its details.`;
}

const Node: FC<{ node: GraphNode }> = ({ node }) => {
  const { x, y, width, height } = node;
  return (
    <a
      href={`#${stateAnchor(node.name)}`}
      id={`node-${stateAnchor(node.name)}`}
      aria-label={describeNode(node)}
    >
      <g class={nodeClass(node)} data-state={node.name}>
        <title>{describeNode(node)}</title>
        <rect x={x} y={y} width={width} height={height} rx={node.container ? 10 : 6} />
        {node.container ? (
          <>
            <text x={x + 10} y={y + 19}>
              {shorten(node.name, 40)}
            </text>
            <text class="type" x={x + width - 10} y={y + 19} text-anchor="end">
              {` ${node.type}`}
            </text>
          </>
        ) : (
          <>
            <text x={x + width / 2} y={y + 20} text-anchor="middle">
              {shorten(node.name, Math.floor(width / 7.5))}
            </text>
            <text class="type" x={x + width / 2} y={y + 36} text-anchor="middle">
              {` ${node.type}`}
            </text>
          </>
        )}
      </g>
    </a>
  );
};

const Edge: FC<{ edge: GraphEdge; graphId: string }> = ({ edge, graphId }) => (
  <g data-edge={`${edge.from}->${edge.to}`}>
    <path
      class={['edge', edge.taken && 'taken', edge.kind === 'catch' && 'catch'].filter(Boolean).join(' ')}
      d={edgePath(edge.points)}
      marker-end={`url(#${graphId}-${edge.taken ? 'arrow-taken' : 'arrow'})`}
    />
    {edge.label && edge.labelAt && (
      // Presentation attributes, not a style attribute: the CSP allows these.
      <text
        class="edge-label"
        x={edge.labelAt.x}
        y={edge.labelAt.y}
        text-anchor="middle"
        dominant-baseline="middle"
        font-size="11"
        fill="#57606a"
      >
        {edge.label}
      </text>
    )}
  </g>
);

/**
 * A state graph as inline SVG: Map boxes first, then the edges over them, then the states, each
 * a link to its details below. No `role="img"`: an image's content is hidden from assistive
 * technology, and these links must stay reachable (axe: nested-interactive); an <svg> is a
 * graphics-document already. Colours come from dashboard.css (`svg.graph …`); the words in the
 * description and the details say the same for those who do not see them.
 */
export const ExecutionGraphSvg: FC<{ id: string; title: string; graph: ExecutionGraph; order: string[] }> = ({
  id,
  title,
  graph,
  order,
}) => {
  const failed = graph.nodes.filter((n) => n.failed).map((n) => n.name);
  const current = graph.nodes.filter((n) => n.current).map((n) => n.name);
  const description = [
    `${graph.nodes.length} states.`,
    order.length > 0 ? `Entered in this order: ${order.join(', ')}.` : 'No state entered yet.',
    failed.length > 0 ? `Failed: ${failed.join(', ')}.` : '',
    current.length > 0 ? `Running now: ${current.join(', ')}.` : '',
  ]
    .filter(Boolean)
    .join(' ');
  return (
    <svg
      class="graph"
      aria-labelledby={`${id}-title`}
      aria-describedby={`${id}-desc`}
      viewBox={`0 0 ${graph.width} ${graph.height}`}
      width={graph.width}
      height={graph.height}
      xmlns="http://www.w3.org/2000/svg"
      id={id}
    >
      <title id={`${id}-title`}>{title}</title>
      <desc id={`${id}-desc`}>{description}</desc>
      <defs>
        {['arrow', 'arrow-taken'].map((marker) => (
          <marker
            id={`${id}-${marker}`}
            viewBox="0 0 10 10"
            refX="9"
            refY="5"
            markerWidth="9"
            markerHeight="9"
            markerUnits="userSpaceOnUse"
            orient="auto-start-reverse"
          >
            <path class={marker === 'arrow' ? 'arrow' : 'arrow taken'} d="M0,0 L10,5 L0,10 z" />
          </marker>
        ))}
      </defs>
      {graph.nodes
        .filter((n) => n.container)
        .map((node) => (
          <Node node={node} />
        ))}
      {graph.edges.map((edge) => (
        <Edge edge={edge} graphId={id} />
      ))}
      {graph.nodes
        .filter((n) => !n.container)
        .map((node) => (
          <Node node={node} />
        ))}
    </svg>
  );
};
