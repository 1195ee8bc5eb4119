import { flexRender, getCoreRowModel, useReactTable, type Row } from "@tanstack/react-table";
import { useVirtualizer } from "@tanstack/react-virtual";
import { memo, useEffect, useMemo, useRef, type ReactNode } from "react";
import type { Run } from "../../api/entities";
import { isSortable, type SortState } from "./order-by";
import type { DataColumn } from "./run-columns";
import { columnMeta, runsTableColumns, SELECT_COLUMN } from "./runs-table-columns";

/** Fixed row height: the virtualiser places rows without measuring them, so a long scroll never reflows. */
export const ROW_HEIGHT = 34;
/** Ask for the next page this many rows before the loaded end comes into view. */
const PREFETCH_ROWS = 60;

export interface RunsTableProps {
  experimentId: string;
  runs: Run[];
  chosen: readonly DataColumn[];
  sort: SortState;
  onSort: (columnId: string) => void;
  selected: ReadonlySet<string>;
  onSelect: (runId: string, selected: boolean) => void;
  /** Called when the rows near the loaded end come into view. */
  onNearEnd: () => void;
}

interface RunRowProps {
  row: Row<Run>;
  rowIndex: number;
  isSelected: boolean;
  onSelect: (runId: string, selected: boolean) => void;
}

/**
 * One run's row. Memoised: while scrolling, only the rows entering the view render (the row objects stay the same
 * until the loaded runs or the columns change), which keeps each frame's work to a few rows.
 */
const RunRow = memo(function RunRow({ row, rowIndex, isSelected, onSelect }: RunRowProps): ReactNode {
  const runId = row.id;
  return (
    <tr aria-rowindex={rowIndex + 2} className={isSelected ? "selected" : undefined}>
      {row.getVisibleCells().map((cell) => {
        if (cell.column.id === SELECT_COLUMN) {
          return (
            <td key={cell.id}>
              <input
                type="checkbox"
                aria-label={`Select ${row.original.info.run_name || runId}`}
                checked={isSelected}
                onChange={(event) => onSelect(runId, event.target.checked)}
              />
            </td>
          );
        }
        return (
          <td key={cell.id} className={columnMeta(cell.column.columnDef.meta).numeric ? "num" : undefined}>
            {flexRender(cell.column.columnDef.cell, cell.getContext())}
          </td>
        );
      })}
    </tr>
  );
});

/**
 * The runs as a table with only the visible rows in the DOM (spacer rows stand for the rest), so that 100,000
 * loaded runs scroll like 50. Sorting is the server's: a header click asks the caller for a new order.
 */
export const RunsTable = ({ experimentId, runs, chosen, sort, onSort, selected, onSelect, onNearEnd }: RunsTableProps): ReactNode => {
  const columns = useMemo(() => runsTableColumns(experimentId, chosen), [experimentId, chosen]);
  // The table instance is read fresh on every render (rows come from its row model), never memoised on.
  // eslint-disable-next-line react-hooks/incompatible-library
  const table = useReactTable({ data: runs, columns, getCoreRowModel: getCoreRowModel(), getRowId: (run) => run.info.run_id });
  const scrollRef = useRef<HTMLDivElement>(null);
  const rows = table.getRowModel().rows;
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 12,
  });
  const items = virtualizer.getVirtualItems();
  const lastIndex = items.at(-1)?.index ?? -1;

  useEffect(() => {
    if (rows.length > 0 && lastIndex >= rows.length - PREFETCH_ROWS) onNearEnd();
  }, [lastIndex, rows.length, onNearEnd]);

  const headers = table.getHeaderGroups()[0]?.headers ?? [];
  const width = headers.reduce((sum, header) => sum + columnMeta(header.column.columnDef.meta).width, 0);
  const paddingTop = items[0]?.start ?? 0;
  const paddingBottom = virtualizer.getTotalSize() - (items.at(-1)?.end ?? 0);

  return (
    <div className="runs-scroll" ref={scrollRef} tabIndex={0} role="region" aria-label="Runs">
      <table className="data runs-table" style={{ width, minWidth: "100%" }} aria-rowcount={rows.length + 1}>
        <colgroup>
          {headers.map((header) => (
            <col key={header.id} style={{ width: columnMeta(header.column.columnDef.meta).width }} />
          ))}
        </colgroup>
        <thead>
          <tr aria-rowindex={1}>
            {headers.map((header) => {
              const meta = columnMeta(header.column.columnDef.meta);
              const label = flexRender(header.column.columnDef.header, header.getContext());
              if (header.id === SELECT_COLUMN) {
                return (
                  <th key={header.id} scope="col">
                    <span className="visually-hidden">{label}</span>
                  </th>
                );
              }
              const sorted = sort.column === header.id;
              return (
                <th
                  key={header.id}
                  scope="col"
                  className={meta.numeric ? "num" : undefined}
                  aria-sort={sorted ? (sort.direction === "asc" ? "ascending" : "descending") : undefined}
                >
                  {isSortable(header.id) ? (
                    <button type="button" className="sort-button" onClick={() => onSort(header.id)}>
                      {label}
                      <span aria-hidden="true" className="sort-mark">
                        {sorted ? (sort.direction === "asc" ? " ▲" : " ▼") : ""}
                      </span>
                    </button>
                  ) : (
                    label
                  )}
                </th>
              );
            })}
          </tr>
        </thead>
        <tbody>
          {paddingTop > 0 ? (
            <tr aria-hidden="true" className="spacer">
              <td colSpan={headers.length} style={{ height: paddingTop }} />
            </tr>
          ) : null}
          {items.map((item) => {
            const row = rows[item.index];
            return row ? <RunRow key={row.id} row={row} rowIndex={item.index} isSelected={selected.has(row.id)} onSelect={onSelect} /> : null;
          })}
          {paddingBottom > 0 ? (
            <tr aria-hidden="true" className="spacer">
              <td colSpan={headers.length} style={{ height: paddingBottom }} />
            </tr>
          ) : null}
        </tbody>
      </table>
    </div>
  );
};
