import type { LineageEdge, LineageGraph, LineageNode, LineageRelation } from "./registry-wire";

/**
 * Lays out a version's lineage left to right in the direction data flows: datasets, data versions, code and the
 * experiment, then the run, then the model version, then what it became (its registered model, its deployments); a
 * pipeline's data versions and stage runs alternate before it (data, the stage that made the next data, ...). The API's edges read
 * as sentences ("run used dataset", "run produced version"), so half of them point against the flow; each is first
 * turned into an upstream -> downstream pair. A node's layer is the length of the longest upstream path to it, and
 * the nodes of a layer are stacked top to bottom by kind, then in the API's (deterministic) order, each layer
 * centred on the tallest one.
 */

export const LAYOUT = { nodeWidth: 184, nodeHeight: 46, gapX: 72, gapY: 18, padding: 16 } as const;

/** Relations whose `to` end is upstream of their `from` end (what the run consumed or belonged to). */
const AGAINST_FLOW: ReadonlySet<LineageRelation> = new Set<LineageRelation>(["used", "built_from", "logged_in", "child_of"]);

const KIND_ORDER = ["data_version", "dataset", "code", "experiment", "run", "logged_model", "model_version", "registered_model", "deployment"];

export interface PlacedNode {
  node: LineageNode;
  layer: number;
  x: number;
  y: number;
}

export interface PlacedEdge {
  edge: LineageEdge;
  /** Upstream end (the arrow starts here) and downstream end, by node id. */
  upstream: string;
  downstream: string;
  /** SVG path from the upstream node's right side to the downstream node's left side. */
  path: string;
}

export interface LineageLayout {
  nodes: PlacedNode[];
  edges: PlacedEdge[];
  width: number;
  height: number;
}

export const flowDirection = (edge: LineageEdge): { upstream: string; downstream: string } =>
  AGAINST_FLOW.has(edge.relation) ? { upstream: edge.to, downstream: edge.from } : { upstream: edge.from, downstream: edge.to };

/** Longest upstream path per node; a cycle (which the API does not produce) is cut where it closes. */
export const assignLayers = (graph: LineageGraph): Map<string, number> => {
  const ids = new Set(graph.nodes.map((node) => node.id));
  const upstreamOf = new Map<string, string[]>();
  for (const edge of graph.edges) {
    const { upstream, downstream } = flowDirection(edge);
    if (!ids.has(upstream) || !ids.has(downstream) || upstream === downstream) continue;
    upstreamOf.set(downstream, [...(upstreamOf.get(downstream) ?? []), upstream]);
  }
  const layers = new Map<string, number>();
  const visiting = new Set<string>();
  const layerOf = (id: string): number => {
    const known = layers.get(id);
    if (known !== undefined) return known;
    if (visiting.has(id)) return -1;
    visiting.add(id);
    const parents = upstreamOf.get(id) ?? [];
    const layer = parents.length === 0 ? 0 : Math.max(...parents.map(layerOf)) + 1;
    visiting.delete(id);
    layers.set(id, layer);
    return layer;
  };
  for (const node of graph.nodes) layerOf(node.id);
  return layers;
};

const kindRank = (type: string): number => {
  const index = KIND_ORDER.indexOf(type);
  return index < 0 ? KIND_ORDER.length : index;
};

export const layoutLineage = (graph: LineageGraph): LineageLayout => {
  const { nodeWidth, nodeHeight, gapX, gapY, padding } = LAYOUT;
  const layers = assignLayers(graph);
  const columns: LineageNode[][] = [];
  graph.nodes.forEach((node) => {
    const layer = layers.get(node.id) ?? 0;
    (columns[layer] ??= []).push(node);
  });
  const tallest = Math.max(0, ...columns.map((column) => column?.length ?? 0));
  const rowStep = nodeHeight + gapY;
  const placed = new Map<string, PlacedNode>();
  columns.forEach((column, layer) => {
    const ordered = column.map((node, index) => ({ node, index })).sort((a, b) => kindRank(a.node.type) - kindRank(b.node.type) || a.index - b.index);
    const offset = ((tallest - ordered.length) * rowStep) / 2;
    ordered.forEach(({ node }, row) => {
      placed.set(node.id, { node, layer, x: padding + layer * (nodeWidth + gapX), y: padding + offset + row * rowStep });
    });
  });
  const edges: PlacedEdge[] = [];
  for (const edge of graph.edges) {
    const { upstream, downstream } = flowDirection(edge);
    const from = placed.get(upstream);
    const to = placed.get(downstream);
    if (!from || !to) continue;
    const x1 = from.x + nodeWidth;
    const y1 = from.y + nodeHeight / 2;
    const x2 = to.x;
    const y2 = to.y + nodeHeight / 2;
    const bend = (x2 - x1) / 2;
    edges.push({ edge, upstream, downstream, path: `M ${x1} ${y1} C ${x1 + bend} ${y1}, ${x2 - bend} ${y2}, ${x2} ${y2}` });
  }
  const layerCount = columns.length;
  return {
    nodes: graph.nodes.map((node) => placed.get(node.id)).filter((node): node is PlacedNode => node !== undefined),
    edges,
    width: layerCount === 0 ? 0 : 2 * padding + layerCount * nodeWidth + (layerCount - 1) * gapX,
    height: tallest === 0 ? 0 : 2 * padding + tallest * nodeHeight + (tallest - 1) * gapY,
  };
};
