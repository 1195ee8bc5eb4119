import type { TraceSpan } from "./trace-spans";

/**
 * The spans nested by parent id, flattened in display order (each span followed by its children, children by start
 * time), with each span's offset from the trace's first start and its duration, in milliseconds. Offsets are rounded
 * to the microsecond: nanosecond epochs exceed a double's exact range, and the sub-microsecond noise that leaves
 * must not show as "5.000128 ms".
 */

export interface SpanRow {
  span: TraceSpan;
  depth: number;
  /** Ids of the children, in display order. */
  childIds: string[];
  startOffsetMs: number;
  /** Undefined while the span has not ended (or its end is before its start). */
  durationMs: number | undefined;
}

export interface SpanTree {
  rows: SpanRow[];
  /** The first start of any span, in epoch nanoseconds: the timeline's zero. */
  startNs: number;
  /** From the first start to the last end (or start) of any span. */
  totalMs: number;
}

const roundToMicros = (ms: number): number => Math.round(ms * 1000) / 1000;

const byStart = (a: TraceSpan, b: TraceSpan): number => a.startNs - b.startNs || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

export const buildSpanTree = (spans: readonly TraceSpan[]): SpanTree => {
  if (spans.length === 0) return { rows: [], startNs: 0, totalMs: 0 };
  // The first span with an id wins: a file with duplicate ids shows each id once.
  const byId = new Map<string, TraceSpan>();
  for (const span of spans) if (!byId.has(span.spanId)) byId.set(span.spanId, span);
  const children = new Map<string, TraceSpan[]>();
  const roots: TraceSpan[] = [];
  for (const span of byId.values()) {
    // A span whose parent is not in the file (or is itself) is shown as a root rather than lost.
    if (span.parentId !== undefined && span.parentId !== span.spanId && byId.has(span.parentId)) {
      const list = children.get(span.parentId) ?? [];
      list.push(span);
      children.set(span.parentId, list);
    } else {
      roots.push(span);
    }
  }
  let first = Number.POSITIVE_INFINITY;
  let last = Number.NEGATIVE_INFINITY;
  for (const span of byId.values()) {
    first = Math.min(first, span.startNs);
    last = Math.max(last, span.endNs !== undefined && span.endNs >= span.startNs ? span.endNs : span.startNs);
  }
  const rows: SpanRow[] = [];
  const visited = new Set<string>();
  const visit = (top: TraceSpan): void => {
    // Iterative depth-first walk: a hostile file may nest thousands deep, which recursion would not survive.
    const stack: { span: TraceSpan; depth: number }[] = [{ span: top, depth: 0 }];
    while (stack.length > 0) {
      const { span, depth } = stack.pop() as { span: TraceSpan; depth: number };
      if (visited.has(span.spanId)) continue;
      visited.add(span.spanId);
      const kids = [...(children.get(span.spanId) ?? [])].sort(byStart);
      rows.push({
        span,
        depth,
        childIds: kids.map((kid) => kid.spanId),
        startOffsetMs: roundToMicros((span.startNs - first) / 1e6),
        durationMs: span.endNs !== undefined && span.endNs >= span.startNs ? roundToMicros((span.endNs - span.startNs) / 1e6) : undefined,
      });
      for (let index = kids.length - 1; index >= 0; index -= 1) stack.push({ span: kids[index] as TraceSpan, depth: depth + 1 });
    }
  };
  for (const root of [...roots].sort(byStart)) visit(root);
  // Spans in a parent cycle are reachable from no root: shown at the end, each as a root of what remains.
  for (const span of [...byId.values()].sort(byStart)) if (!visited.has(span.spanId)) visit(span);
  return { rows, startNs: first, totalMs: roundToMicros((last - first) / 1e6) };
};

/** A moment of the trace (an event's time) as milliseconds after the timeline's zero. */
export const offsetMs = (tree: SpanTree, timeNs: number | undefined): number | undefined =>
  timeNs === undefined ? undefined : roundToMicros((timeNs - tree.startNs) / 1e6);

/** A timeline bar's place, in percent of the trace's whole duration. A zero-length bar keeps a visible sliver. */
export const barPlacement = (row: SpanRow, totalMs: number): { leftPercent: number; widthPercent: number } => {
  if (totalMs <= 0) return { leftPercent: 0, widthPercent: 100 };
  const leftPercent = Math.min(100, (row.startOffsetMs / totalMs) * 100);
  const width = row.durationMs === undefined ? 100 - leftPercent : (row.durationMs / totalMs) * 100;
  return { leftPercent, widthPercent: Math.max(0.5, Math.min(width, 100 - leftPercent)) };
};
