import type { PipelineSummary } from "./pipeline-summary";

/**
 * A pipeline's DAG laid out in layers, left to right: a stage's layer is the length of the longest path of edges
 * to it (so every edge points right), and the stages of a layer are stacked in the file's order, each layer centred
 * on the tallest. Small pipelines (tens of stages) need nothing more, and no layout package is pulled in for it.
 */
export const DAG_LAYOUT = { nodeWidth: 176, nodeHeight: 52, gapX: 64, gapY: 20, padding: 16 } as const;

export interface PlacedStage {
  name: string;
  layer: number;
  x: number;
  y: number;
}

export interface PlacedStageEdge {
  from: string;
  to: string;
  path: string;
}

export interface DagLayout {
  stages: PlacedStage[];
  edges: PlacedStageEdge[];
  width: number;
  height: number;
}

/** Longest path from a source, per stage; an edge that would close a cycle (a bad file) is ignored. */
export const stageLayers = (summary: Pick<PipelineSummary, "stages" | "edges">): Map<string, number> => {
  const upstream = new Map<string, string[]>();
  for (const edge of summary.edges) {
    if (edge.from === edge.to) continue;
    upstream.set(edge.to, [...(upstream.get(edge.to) ?? []), edge.from]);
  }
  const layers = new Map<string, number>();
  const visiting = new Set<string>();
  const layerOf = (name: string): number => {
    const known = layers.get(name);
    if (known !== undefined) return known;
    if (visiting.has(name)) return -1;
    visiting.add(name);
    const parents = upstream.get(name) ?? [];
    const layer = parents.length === 0 ? 0 : Math.max(0, ...parents.map(layerOf).map((parent) => parent + 1));
    visiting.delete(name);
    layers.set(name, layer);
    return layer;
  };
  for (const stage of summary.stages) layerOf(stage.name);
  return layers;
};

export const layoutDag = (summary: Pick<PipelineSummary, "stages" | "edges">): DagLayout => {
  const { nodeWidth, nodeHeight, gapX, gapY, padding } = DAG_LAYOUT;
  const layers = stageLayers(summary);
  const columns: string[][] = [];
  for (const stage of summary.stages) (columns[layers.get(stage.name) ?? 0] ??= []).push(stage.name);
  const tallest = Math.max(0, ...columns.map((column) => column?.length ?? 0));
  const rowStep = nodeHeight + gapY;
  const placed = new Map<string, PlacedStage>();
  columns.forEach((column, layer) => {
    const offset = ((tallest - column.length) * rowStep) / 2;
    column.forEach((name, row) => placed.set(name, { name, layer, x: padding + layer * (nodeWidth + gapX), y: padding + offset + row * rowStep }));
  });
  const edges: PlacedStageEdge[] = [];
  for (const edge of summary.edges) {
    const from = placed.get(edge.from);
    const to = placed.get(edge.to);
    if (!from || !to || from.layer >= to.layer) continue;
    const x1 = from.x + nodeWidth;
    const y1 = from.y + nodeHeight / 2;
    const x2 = to.x;
    const y2 = to.y + nodeHeight / 2;
    const bend = (x2 - x1) / 2;
    edges.push({ from: edge.from, to: edge.to, path: `M ${x1} ${y1} C ${x1 + bend} ${y1}, ${x2 - bend} ${y2}, ${x2} ${y2}` });
  }
  const layerCount = columns.length;
  return {
    stages: summary.stages.map((stage) => placed.get(stage.name)).filter((stage): stage is PlacedStage => stage !== undefined),
    edges,
    width: layerCount === 0 ? 0 : 2 * padding + layerCount * nodeWidth + (layerCount - 1) * gapX,
    height: tallest === 0 ? 0 : 2 * padding + tallest * nodeHeight + (tallest - 1) * gapY,
  };
};
