import type { ReactNode } from "react";

/**
 * A table's sort by one column, as the runs, logged-models and traces tables keep it in the URL (`sort=<column id>`,
 * `dir=asc|desc`). Each table says which columns it can sort by and what it shows without `sort`.
 */
export type SortDirection = "asc" | "desc";

export interface ColumnSort<C extends string = string> {
  column: C;
  direction: SortDirection;
}

/** The sort the URL names, or `fallback` when it names no column this table can sort by; descending unless "asc". */
export const readColumnSort = <C extends string>(
  column: string,
  direction: string,
  isSortable: (column: string) => column is C,
  fallback: ColumnSort<C>,
): ColumnSort<C> => (column && isSortable(column) ? { column, direction: direction === "asc" ? "asc" : "desc" } : fallback);

/** A header click: the same column flips its direction, another column starts descending (largest, newest first). */
export const nextSort = <C extends string>(current: ColumnSort<C>, clicked: C): ColumnSort<C> =>
  current.column === clicked ? { column: clicked, direction: current.direction === "desc" ? "asc" : "desc" } : { column: clicked, direction: "desc" };

/** A column header that sorts by its column when clicked (a plain header when `sortable` is false). */
export const SortHeader = <C extends string>({
  column,
  label,
  sort,
  onSort,
  numeric,
  sortable = true,
}: {
  column: C;
  label: ReactNode;
  sort: ColumnSort<C>;
  onSort(column: C): void;
  numeric?: boolean;
  sortable?: boolean;
}): ReactNode => {
  const sorted = sort.column === column;
  return (
    <th scope="col" className={numeric ? "num" : undefined} aria-sort={sorted ? (sort.direction === "asc" ? "ascending" : "descending") : undefined}>
      {sortable ? (
        <button type="button" className="sort-button" onClick={() => onSort(column)}>
          {label}
          <span aria-hidden="true">{sorted ? (sort.direction === "asc" ? " ▲" : " ▼") : ""}</span>
        </button>
      ) : (
        label
      )}
    </th>
  );
};
