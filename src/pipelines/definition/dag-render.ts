import type { PipelineEdge, PipelineGraph } from "./graph.js";

/**
 * `cairn dag` renderings of a (sub)graph. The text one is an adjacency listing in run order: each stage, then an
 * arrow to every stage that reads one of its outputs, with the paths that link them. It reads top to bottom in the
 * order `repro` runs, needs no layout engine, and is stable (the graph's order is). Dot and Mermaid are exact, for
 * Graphviz and for Markdown renderers (GitHub, GitLab): the same node and edge order every time.
 */
export interface DagView {
  /** Stage names in run order. */
  nodes: string[];
  edges: PipelineEdge[];
}

/** The stages `targets` need (or, with `downstream`, that need them); the whole graph without targets. */
export const dagView = (graph: PipelineGraph, targets: readonly string[], downstream: boolean): DagView => {
  if (targets.length === 0) return { nodes: graph.order, edges: graph.edges };
  const nodes = downstream ? graph.downstreamOf(targets) : graph.upstreamOf(targets);
  const kept = new Set(nodes);
  return { nodes, edges: graph.edges.filter((edge) => kept.has(edge.from) && kept.has(edge.to)) };
};

export const renderText = (view: DagView): string => {
  if (view.nodes.length === 0) return "(no stages)";
  const lines: string[] = [];
  for (const node of view.nodes) {
    lines.push(node);
    const out = view.edges.filter((edge) => edge.from === node);
    out.forEach((edge, index) => {
      const last = index === out.length - 1;
      lines.push(`  ${last ? "`" : "+"}-> ${edge.to}  (${edge.paths.join(", ")})`);
    });
  }
  return lines.join("\n");
};

const dotId = (name: string): string => `"${name.replaceAll("\\", "\\\\").replaceAll('"', '\\"').replaceAll("\n", "\\n")}"`;

export const renderDot = (view: DagView): string =>
  ["strict digraph {", ...view.nodes.map((node) => `\t${dotId(node)};`), ...view.edges.map((edge) => `\t${dotId(edge.from)} -> ${dotId(edge.to)};`), "}"].join("\n");

/** Mermaid as DVC writes it: `flowchart TD`, nodes `nodeN["name"]` numbered in run order, edges `nodeA-->nodeB`. */
export const renderMermaid = (view: DagView): string => {
  const ids = new Map(view.nodes.map((node, index) => [node, `node${index + 1}`]));
  const label = (name: string): string => name.replaceAll('"', "#quot;").replaceAll("\n", " ");
  return [
    "flowchart TD",
    ...view.nodes.map((node) => `\t${ids.get(node) as string}["${label(node)}"]`),
    ...view.edges.map((edge) => `\t${ids.get(edge.from) as string}-->${ids.get(edge.to) as string}`),
  ].join("\n");
};
