import type { LoggedModelOrder } from "./logged-model-api";

/**
 * The logged-models table's sort, in the URL as `sort=<column id>` and `dir=asc|desc`, and its order_by entry.
 * Column ids are the search grammar's names: `name`, `creation_timestamp`, `metrics.<key>`. Without `sort` the
 * table shows the newest models first.
 */
export interface ModelSort {
  column: string;
  direction: "asc" | "desc";
}

export const DEFAULT_MODEL_SORT: ModelSort = { column: "creation_timestamp", direction: "desc" };

const SORTABLE = new Set(["name", "creation_timestamp", "last_updated_timestamp", "model_type", "status"]);

export const isModelSortable = (column: string): boolean => SORTABLE.has(column) || (column.startsWith("metrics.") && column.length > "metrics.".length);

export const readModelSort = (column: string, direction: string): ModelSort =>
  column && isModelSortable(column) ? { column, direction: direction === "asc" ? "asc" : "desc" } : DEFAULT_MODEL_SORT;

export const toModelOrder = (sort: ModelSort): LoggedModelOrder => ({ field_name: sort.column, ascending: sort.direction === "asc" });

/** A header click: the same column flips, another starts with the largest or newest first. */
export const nextModelSort = (current: ModelSort, clicked: string): ModelSort =>
  current.column === clicked ? { column: clicked, direction: current.direction === "desc" ? "asc" : "desc" } : { column: clicked, direction: "desc" };
