import { readColumnSort, type ColumnSort } from "../../components/column-sort";
import { parseDataColumnId } from "./run-columns";

/**
 * The table's sort, kept in the URL as `sort=<column id>` and `dir=asc|desc`, and its runs/search order_by clause.
 * Without `sort` the table shows the server's default order, newest first.
 */

export type SortState = ColumnSort;

export const DEFAULT_SORT: SortState = { column: "attributes.start_time", direction: "desc" };

/** The run attributes runs/search can order by (duration is computed here, so it cannot be). */
export const SORTABLE_ATTRIBUTES: readonly string[] = ["run_name", "status", "start_time", "end_time", "user_id"];

/** A key is written bare only when MLflow's tokenizer reads it as one name; otherwise in backticks, doubled inside. */
export const quoteKey = (key: string): string => (/^[A-Za-z_][A-Za-z0-9_]*$/.test(key) ? key : `\`${key.replaceAll("`", "``")}\``);

export const isSortable = (columnId: string): columnId is string =>
  parseDataColumnId(columnId) !== undefined ||
  (columnId.startsWith("attributes.") && SORTABLE_ATTRIBUTES.includes(columnId.slice("attributes.".length)));

/** One order_by clause, e.g. "metrics.`acc` DESC" or "attributes.start_time ASC"; undefined for an unsortable column. */
export const toOrderBy = (sort: SortState): string | undefined => {
  const direction = sort.direction === "asc" ? "ASC" : "DESC";
  const data = parseDataColumnId(sort.column);
  // Data keys are always quoted: any character may appear in a key, and a quoted plain key means the same.
  if (data) return `${data.entity}.\`${data.key.replaceAll("`", "``")}\` ${direction}`;
  if (!isSortable(sort.column)) return undefined;
  return `${sort.column} ${direction}`;
};

export const readSort = (column: string, direction: string): SortState => readColumnSort(column, direction, isSortable, DEFAULT_SORT);
