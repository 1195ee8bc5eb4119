import type { LineageGraph, LineageNode } from "../../sdk/governance-api.js";

/**
 * A lineage graph as an indented tree rooted at the model version: each line is a node and, in brackets, the
 * relation of the edge that reached it, with an arrow for its direction ("<-" when the edge points at the parent,
 * "->" when it leaves the parent). A node reached twice is printed once; nodes not connected to the root come last.
 */
export const renderLineageTree = (graph: LineageGraph, rootId: string): string => {
  const byId = new Map(graph.nodes.map((node) => [node.id, node]));
  const describe = (id: string): string => {
    const node = byId.get(id);
    return node ? describeNode(node) : id;
  };
  const neighbours = new Map<string, { id: string; relation: string; arrow: string }[]>();
  const link = (from: string, entry: { id: string; relation: string; arrow: string }): void => {
    const list = neighbours.get(from) ?? [];
    list.push(entry);
    neighbours.set(from, list);
  };
  for (const edge of graph.edges) {
    link(edge.from, { id: edge.to, relation: edge.relation, arrow: "->" });
    link(edge.to, { id: edge.from, relation: edge.relation, arrow: "<-" });
  }
  const root = byId.has(rootId) ? rootId : (graph.nodes[0]?.id ?? rootId);
  const seen = new Set<string>([root]);
  const lines = [describe(root)];
  const walk = (id: string, indent: string): void => {
    const children = (neighbours.get(id) ?? []).filter((child) => !seen.has(child.id));
    for (const child of children) seen.add(child.id);
    children.forEach((child, index) => {
      const last = index === children.length - 1;
      lines.push(`${indent}${last ? "└─ " : "├─ "}${describe(child.id)}  [${child.arrow === "<-" ? "<- " : ""}${child.relation}${child.arrow === "->" ? " ->" : ""}]`);
      walk(child.id, `${indent}${last ? "   " : "│  "}`);
    });
  };
  walk(root, "");
  const unreached = graph.nodes.filter((node) => !seen.has(node.id));
  if (unreached.length > 0) lines.push("", "Not connected:", ...unreached.map((node) => `  ${describeNode(node)}`));
  return lines.join("\n");
};

/** The label people read, then the id (which starts with the node's type) to look it up. */
const describeNode = (node: LineageNode): string => (node.label && node.label !== node.id ? `${node.label} (${node.id})` : node.id);
