import { spanDurationMs, spanTree, type TraceSpan } from "../../sdk/trace-spans.js";
import { printable } from "./printable.js";

/** A span's duration as people read it: "0.042 ms", "12.5 ms", "1.25 s"; "(open)" while it has not ended. */
export const formatSpanDuration = (ms: number | undefined): string => {
  if (ms === undefined) return "(open)";
  if (ms < 1) return `${ms.toFixed(3)} ms`;
  // 999.96 ms would print as "1000.0 ms": from there on, seconds.
  if (ms < 999.95) return `${ms.toFixed(1)} ms`;
  return `${(ms / 1000).toFixed(2)} s`;
};

const label = (span: TraceSpan): string => {
  const name = printable(span.name === "" ? "(unnamed)" : span.name, 80);
  return span.spanType ? `${name} (${printable(span.spanType, 30)})` : name;
};

const statusText = (span: TraceSpan): string =>
  span.status.code === "ERROR" && span.status.message !== "" ? `ERROR: ${printable(span.status.message.split(/\r?\n/)[0] ?? "", 80)}` : span.status.code;

/**
 * The spans as an indented tree (children under their parent, by start time, drawn like `cairn models lineage`),
 * each line with the span's duration right-aligned in one column and its status. Every span appears once.
 */
export const renderSpanTree = (spans: TraceSpan[]): string[] => {
  const nodes = spanTree(spans);
  // A node is the last of its siblings when no later node at its depth comes before one shallower than it.
  const isLast: boolean[] = new Array<boolean>(nodes.length);
  const laterSibling: boolean[] = [];
  for (let i = nodes.length - 1; i >= 0; i -= 1) {
    const depth = nodes[i]?.depth ?? 0;
    isLast[i] = laterSibling[depth] !== true;
    laterSibling[depth] = true;
    laterSibling.length = depth + 1;
  }
  const lastAtDepth: boolean[] = [];
  const heads = nodes.map((node, i) => {
    lastAtDepth[node.depth] = isLast[i] ?? true;
    if (node.depth === 0) return label(node.span);
    let prefix = "";
    for (let level = 1; level < node.depth; level += 1) prefix += lastAtDepth[level] ? "   " : "│  ";
    return `${prefix}${isLast[i] ? "└─ " : "├─ "}${label(node.span)}`;
  });
  const durations = nodes.map((node) => formatSpanDuration(spanDurationMs(node.span)));
  const headWidth = Math.max(0, ...heads.map((head) => head.length));
  const durationWidth = Math.max(0, ...durations.map((text) => text.length));
  return nodes.map((node, i) => `${(heads[i] ?? "").padEnd(headWidth)}  ${(durations[i] ?? "").padStart(durationWidth)}  ${statusText(node.span)}`);
};
