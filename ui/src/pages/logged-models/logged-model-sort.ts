import { readColumnSort, type ColumnSort } from "../../components/column-sort";
import type { LoggedModelOrder } from "./logged-model-api";

/**
 * The logged-models table's sort, in the URL as `sort=<column id>` and `dir=asc|desc`, and its order_by entry.
 * Column ids are the search grammar's names: `name`, `creation_timestamp`, `metrics.<key>`. Without `sort` the
 * table shows the newest models first.
 */
export type ModelSort = ColumnSort;

export const DEFAULT_MODEL_SORT: ModelSort = { column: "creation_timestamp", direction: "desc" };

const SORTABLE = new Set(["name", "creation_timestamp", "last_updated_timestamp", "model_type", "status"]);

export const isModelSortable = (column: string): column is string => SORTABLE.has(column) || (column.startsWith("metrics.") && column.length > "metrics.".length);

export const readModelSort = (column: string, direction: string): ModelSort => readColumnSort(column, direction, isModelSortable, DEFAULT_MODEL_SORT);

export const toModelOrder = (sort: ModelSort): LoggedModelOrder => ({ field_name: sort.column, ascending: sort.direction === "asc" });
