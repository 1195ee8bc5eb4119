import { useId, useMemo, type MouseEvent, type ReactNode } from "react";
import { useLocation } from "wouter";
import { LAYOUT, layoutLineage, type PlacedNode } from "./lineage-layout";
import { edgeSentence, lineageNodeHref, NODE_KIND_LABEL, nodeKindLabel, nodeTitle } from "./lineage-nodes";
import type { LineageGraph as LineageGraphData, LineageNode } from "./registry-wire";

const MAX_LABEL_CHARS = 24;

const shorten = (label: string): string => (label.length > MAX_LABEL_CHARS ? `${label.slice(0, MAX_LABEL_CHARS - 1)}…` : label);

/** A plain left click follows the link inside the app; modified clicks (new tab, ...) are the browser's. */
const isPlainClick = (event: MouseEvent): boolean =>
  event.button === 0 && !event.metaKey && !event.ctrlKey && !event.shiftKey && !event.altKey;

/** What a node's box shows: its kind (or "This version") over its label, shortened to fit. */
const shownText = (node: LineageNode, current: boolean): { kind: string; label: string } => ({
  kind: current ? "This version" : nodeKindLabel(node.type),
  label: shorten(node.label),
});

/**
 * The accessible name starts with exactly the text the box shows (so speech input can name what it sees), then
 * says in full what a shortened label or "This version" leaves out.
 */
const accessibleName = (node: LineageNode, current: boolean): string => {
  const shown = shownText(node, current);
  const visible = `${shown.kind} ${shown.label}`;
  return visible === nodeTitle(node) ? visible : `${visible}: ${nodeTitle(node)}`;
};

/** Data versions are drawn as pills (their own shape and colour, see models.css), every other node as a box. */
const cornerRadius = (type: string): number => (type === "data_version" ? LAYOUT.nodeHeight / 2 : 6);

const NodeBox = ({ placed, current }: { placed: PlacedNode; current: boolean }): ReactNode => {
  const { node } = placed;
  const shown = shownText(node, current);
  const radius = cornerRadius(node.type);
  return (
    <>
      <rect x={placed.x} y={placed.y} width={LAYOUT.nodeWidth} height={LAYOUT.nodeHeight} rx={radius} />
      {/* One text element, so that its words read "<kind> <label>" with the space between them. */}
      <text>
        <tspan className="kind" x={placed.x + (radius > 6 ? 16 : 10)} y={placed.y + 16}>
          {shown.kind}
        </tspan>{" "}
        <tspan className="label" x={placed.x + (radius > 6 ? 16 : 10)} y={placed.y + 34}>
          {shown.label}
        </tspan>
      </text>
    </>
  );
};

const GraphNode = ({ placed, current, navigate }: { placed: PlacedNode; current: boolean; navigate: (href: string) => void }): ReactNode => {
  const href = lineageNodeHref(placed.node);
  const className = `lineage-node${current ? " current" : ""}`;
  const label = accessibleName(placed.node, current);
  if (href === undefined) {
    // Not a link, but still reachable by keyboard so that every node can be read in turn.
    return (
      <g className={className} tabIndex={0} role="img" aria-label={label} data-node-id={placed.node.id} data-node-type={placed.node.type}>
        <NodeBox placed={placed} current={current} />
      </g>
    );
  }
  return (
    <a
      className={className}
      href={href}
      aria-label={label}
      data-node-id={placed.node.id}
      data-node-type={placed.node.type}
      onClick={(event) => {
        if (!isPlainClick(event)) return;
        event.preventDefault();
        navigate(href);
      }}
    >
      <NodeBox placed={placed} current={current} />
    </a>
  );
};

/** The kinds of node the graph shows, each with its shape and colour. */
const LineageLegend = ({ graph }: { graph: LineageGraphData }): ReactNode => {
  const kinds = [...new Set(graph.nodes.map((node) => node.type))].sort(
    (a, b) => Object.keys(NODE_KIND_LABEL).indexOf(a) - Object.keys(NODE_KIND_LABEL).indexOf(b),
  );
  return (
    <ul className="lineage-legend" aria-label="Node kinds">
      {kinds.map((kind) => (
        <li key={kind} data-node-type={kind}>
          <svg width="22" height="14" aria-hidden="true">
            <rect x="1" y="1" width="20" height="12" rx={kind === "data_version" ? 6 : 2} />
          </svg>
          {nodeKindLabel(kind)}
        </li>
      ))}
    </ul>
  );
};

/**
 * A version's lineage as an SVG graph laid out by layoutLineage (links where the UI has a page for a node), followed
 * by the same edges as sentences, which is what a screen reader or a text search finds.
 */
export const LineageGraph = ({ graph, currentNodeId }: { graph: LineageGraphData; currentNodeId: string }): ReactNode => {
  const layout = useMemo(() => layoutLineage(graph), [graph]);
  const byId = useMemo(() => new Map<string, LineageNode>(graph.nodes.map((node) => [node.id, node])), [graph]);
  const [, navigate] = useLocation();
  const titleId = useId();
  const markerId = `${useId().replaceAll(":", "")}-arrow`;
  return (
    <figure className="lineage" style={{ margin: 0 }}>
      <figcaption id={titleId} className="visually-hidden">
        Lineage graph, upstream on the left
      </figcaption>
      <div className="lineage-scroll">
        <svg className="lineage-svg" role="group" aria-labelledby={titleId} width={layout.width} height={layout.height} viewBox={`0 0 ${layout.width} ${layout.height}`}>
          <defs>
            <marker id={markerId} viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
              <path className="lineage-arrow" d="M 0 0 L 10 5 L 0 10 z" />
            </marker>
          </defs>
          <g aria-hidden="true">
            {layout.edges.map(({ edge, path }) => (
              <path key={`${edge.from}|${edge.to}|${edge.relation}`} className="lineage-edge" d={path} markerEnd={`url(#${markerId})`}>
                <title>{edgeSentence(edge, byId)}</title>
              </path>
            ))}
          </g>
          {layout.nodes.map((placed) => (
            <GraphNode key={placed.node.id} placed={placed} current={placed.node.id === currentNodeId} navigate={navigate} />
          ))}
        </svg>
      </div>
      <LineageLegend graph={graph} />
      {graph.truncated ? (
        <p className="muted">The graph is cut at its bounds (10 levels of data versions, 500 nodes): older data and runs are not shown.</p>
      ) : null}
      <h3 className="visually-hidden">Lineage as text</h3>
      <ul className="lineage-text" aria-label="Lineage edges">
        {graph.edges.map((edge) => (
          <li key={`${edge.from}|${edge.to}|${edge.relation}`}>{edgeSentence(edge, byId)}</li>
        ))}
      </ul>
    </figure>
  );
};
