import { readColumnSort, type ColumnSort } from "../../components/column-sort";

/**
 * The traces table's sort, in the URL as `sort=timestamp_ms|execution_time_ms` and `dir=asc|desc`, and its
 * SearchTracesV3 order_by clause. Without `sort` the newest traces come first.
 */
export type TraceSort = ColumnSort<"timestamp_ms" | "execution_time_ms">;

export const DEFAULT_TRACE_SORT: TraceSort = { column: "timestamp_ms", direction: "desc" };

const isTraceSortable = (column: string): column is TraceSort["column"] => column === "timestamp_ms" || column === "execution_time_ms";

export const readTraceSort = (column: string, direction: string): TraceSort => readColumnSort(column, direction, isTraceSortable, DEFAULT_TRACE_SORT);

export const toTraceOrderBy = (sort: TraceSort): string => `${sort.column} ${sort.direction === "asc" ? "ASC" : "DESC"}`;
