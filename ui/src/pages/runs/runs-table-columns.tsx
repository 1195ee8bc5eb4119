import { createColumnHelper, type ColumnDef } from "@tanstack/react-table";
import { Link } from "wouter";
import type { Run, RunStatus } from "../../api/entities";
import { formatDuration, formatNumber, formatTime } from "../../format";
import { runPath } from "../experiment/experiment-paths";
import { dataColumnId, dataValue, type DataColumn } from "./run-columns";

/**
 * The runs table's columns: id (the search grammar's identifier), header, width and how a cell shows a run. All are
 * display columns reading the row's run: sorting is the server's, so the table needs no accessor values.
 */

export interface RunsTableMeta {
  width: number;
  numeric?: boolean;
}

const STATUS_BADGE: Record<RunStatus, string> = {
  RUNNING: "badge",
  SCHEDULED: "badge muted",
  FINISHED: "badge ok",
  FAILED: "badge danger",
  KILLED: "badge warn",
};

const helper = createColumnHelper<Run>();

export const SELECT_COLUMN = "select";

export const runsTableColumns = (experimentId: string, chosen: readonly DataColumn[]): ColumnDef<Run, unknown>[] => [
  helper.display({ id: SELECT_COLUMN, header: "Select", meta: { width: 40 } }),
  helper.display({
    id: "attributes.run_name",
    header: "Run",
    meta: { width: 200 },
    cell: (cell) => (
      <Link href={runPath(experimentId, cell.row.original.info.run_id)}>
        {cell.row.original.info.run_name || cell.row.original.info.run_id}
      </Link>
    ),
  }),
  helper.display({
    id: "attributes.status",
    header: "Status",
    meta: { width: 110 },
    cell: (cell) => {
      const { status, lifecycle_stage } = cell.row.original.info;
      return (
        <>
          <span className={STATUS_BADGE[status] ?? "badge"}>{status.toLowerCase()}</span>
          {lifecycle_stage === "deleted" ? <span className="badge muted">deleted</span> : null}
        </>
      );
    },
  }),
  helper.display({
    id: "attributes.start_time",
    header: "Started",
    meta: { width: 170 },
    cell: (cell) => formatTime(cell.row.original.info.start_time),
  }),
  helper.display({
    id: "attributes.duration",
    header: "Duration",
    meta: { width: 110, numeric: true },
    cell: (cell) => {
      const { start_time, end_time, status } = cell.row.original.info;
      if (end_time === undefined) return status === "RUNNING" ? <span className="muted">running</span> : "—";
      return formatDuration(end_time - start_time);
    },
  }),
  helper.display({
    id: "attributes.user_id",
    header: "User",
    meta: { width: 130 },
    cell: (cell) => cell.row.original.info.user_id || "—",
  }),
  ...chosen.map((column) =>
    helper.display({
      id: dataColumnId(column),
      header: () => (
        <>
          <span className="col-entity">{column.entity}.</span>
          {column.key}
        </>
      ),
      meta: { width: 140, numeric: column.entity === "metrics" },
      cell: (cell) => {
        const value = dataValue(cell.row.original, column);
        if (value === undefined) return <span className="muted">—</span>;
        return typeof value === "number" ? formatNumber(value) : value;
      },
    }),
  ),
];

export const columnMeta = (meta: unknown): RunsTableMeta => (meta as RunsTableMeta | undefined) ?? { width: 120 };
