import { useCallback, useMemo, type ReactNode } from "react";
import { Link } from "wouter";
import type { Run } from "../../api/entities";
import { nextSort } from "../../components/column-sort";
import { PageHeader } from "../../components/page";
import { Empty, ErrorBanner, Loading } from "../../components/status";
import { useQueryList, useQueryParam, useSetSearchParams } from "../../url-state";
import { ExperimentTabs } from "../experiment/experiment-tabs";
import { useExperiment } from "../experiment/use-experiment";
import { ColumnChooser, useChosenColumns } from "./column-chooser";
import { FilterBox } from "./filter-box";
import { readSort, toOrderBy } from "./order-by";
import { RunActions } from "./run-actions";
import { collectKnownKeys, defaultColumns } from "./run-columns";
import { RunsTable } from "./runs-table";
import { useRunsSearch, VIEW_TYPES_BY_NAME } from "./runs-query";
import "./runs.css";

/**
 * An experiment's runs. Everything the view shows is in the URL: `filter`, `sort` and `dir`, the chosen columns
 * (`col`), the selection (`sel`) and which runs (`view=active|deleted|all`).
 */
const RunsPage = ({ experimentId }: { experimentId: string }): ReactNode => {
  const experiment = useExperiment(experimentId);
  const [filter, setFilter] = useQueryParam("filter");
  const [sortColumn] = useQueryParam("sort");
  const [sortDirection] = useQueryParam("dir");
  const [view, setView] = useQueryParam("view", "active");
  const [selectedIds, setSelectedIds] = useQueryList("sel");
  const setParams = useSetSearchParams();
  const sort = readSort(sortColumn, sortDirection);
  const viewType = VIEW_TYPES_BY_NAME[view] ?? "ACTIVE_ONLY";

  const search = useRunsSearch({ experimentId, filter, orderBy: toOrderBy(sort), viewType });
  const { data, hasNextPage, isFetchingNextPage, fetchNextPage } = search;
  const pages = useMemo(() => data?.pages.map((page) => page.runs ?? []) ?? [], [data]);
  const runs = useMemo(() => pages.flat(), [pages]);
  const runsById = useMemo(() => new Map<string, Run>(runs.map((run) => [run.info.run_id, run])), [runs]);
  const knownKeys = useMemo(() => collectKnownKeys(pages), [pages]);
  // Without columns in the URL, the table shows the experiment's most common metrics and params (of the first page).
  const firstPage = pages[0];
  const defaults = useMemo(() => defaultColumns(firstPage ?? []), [firstPage]);
  const [chosen] = useChosenColumns(defaults);
  const selected = useMemo(() => new Set(selectedIds), [selectedIds]);

  const onNearEnd = useCallback(() => {
    if (hasNextPage && !isFetchingNextPage) void fetchNextPage();
  }, [hasNextPage, isFetchingNextPage, fetchNextPage]);
  const onSort = useCallback(
    (columnId: string) => {
      const next = nextSort(sort, columnId);
      setParams({ sort: next.column, dir: next.direction === "desc" ? undefined : "asc" }, { push: true });
    },
    [sort, setParams],
  );
  const onSelect = useCallback(
    (runId: string, on: boolean) => setSelectedIds(on ? [...selectedIds, runId] : selectedIds.filter((id) => id !== runId)),
    [selectedIds, setSelectedIds],
  );

  const name = experiment.data?.experiment.name ?? `Experiment ${experimentId}`;
  return (
    <div className="page runs-page">
      <PageHeader title={name} crumbs={<Link href="/experiments">Experiments</Link>} />
      <ExperimentTabs experimentId={experimentId} current="runs" />
      <ErrorBanner error={experiment.error} what="the experiment" />
      <FilterBox key={filter} applied={filter} knownKeys={knownKeys} onApply={(next) => setFilter(next, { push: true })} />
      <div className="toolbar">
        <label>
          Show{" "}
          <select value={view} onChange={(event) => setView(event.target.value, { push: true })}>
            <option value="active">Active runs</option>
            <option value="deleted">Deleted runs</option>
            <option value="all">All runs</option>
          </select>
        </label>
        <ColumnChooser knownKeys={knownKeys} defaults={defaults} />
        <RunActions experimentId={experimentId} selectedIds={selectedIds} loadedRuns={runsById} onDone={() => setSelectedIds([])} />
        <span className="muted runs-count" role="status" aria-live="polite">
          {data ? `${runs.length.toLocaleString("en")} runs loaded` : ""}
          {isFetchingNextPage ? ", loading more…" : data && !hasNextPage ? " (all)" : data ? ", scroll for more" : ""}
        </span>
      </div>
      <ErrorBanner error={search.error} what="runs" />
      {search.isPending ? <Loading what="runs" /> : null}
      {data && runs.length === 0 ? <Empty>{filter ? "No runs match this filter." : "No runs here yet."}</Empty> : null}
      {data && runs.length > 0 ? (
        <RunsTable
          experimentId={experimentId}
          runs={runs}
          chosen={chosen}
          sort={sort}
          onSort={onSort}
          selected={selected}
          onSelect={onSelect}
          onNearEnd={onNearEnd}
        />
      ) : null}
    </div>
  );
};

export default RunsPage;
