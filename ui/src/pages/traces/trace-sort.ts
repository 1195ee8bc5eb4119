/**
 * The traces table's sort, in the URL as `sort=timestamp_ms|execution_time_ms` and `dir=asc|desc`, and its
 * SearchTracesV3 order_by clause. Without `sort` the newest traces come first.
 */
export interface TraceSort {
  column: "timestamp_ms" | "execution_time_ms";
  direction: "asc" | "desc";
}

export const DEFAULT_TRACE_SORT: TraceSort = { column: "timestamp_ms", direction: "desc" };

export const readTraceSort = (column: string, direction: string): TraceSort =>
  column === "timestamp_ms" || column === "execution_time_ms" ? { column, direction: direction === "asc" ? "asc" : "desc" } : DEFAULT_TRACE_SORT;

export const toTraceOrderBy = (sort: TraceSort): string => `${sort.column} ${sort.direction === "asc" ? "ASC" : "DESC"}`;

export const nextTraceSort = (current: TraceSort, clicked: TraceSort["column"]): TraceSort =>
  current.column === clicked ? { column: clicked, direction: current.direction === "desc" ? "asc" : "desc" } : { column: clicked, direction: "desc" };
