import { keepPreviousData, useQuery } from "@tanstack/react-query";
import type { ReactNode } from "react";
import { nextSort } from "../../components/column-sort";
import { PagedExperimentList, usePagedListUrl } from "../experiment/paged-experiment-list";
import { searchTraces, traceKeys, type TracesSearch } from "./trace-api";
import { readTraceSort, toTraceOrderBy, type TraceSort } from "./trace-sort";
import { TracesTable } from "./traces-table";
import "../logged-models/logged-models.css";
import "./traces.css";

/**
 * An experiment's traces (what `@mlflow.trace` and autologging record), a page at a time. The URL holds the filter
 * (MLflow's trace grammar: `attributes.status = 'OK'`, `tags.env = 'prod'`, `metadata.\`mlflow.user\` = 'ada'`), the
 * sort (`sort=timestamp_ms|execution_time_ms`, `dir`) and the page (`page`, `size`).
 */
const TracesPage = ({ experimentId }: { experimentId: string }): ReactNode => {
  const url = usePagedListUrl();
  const sort = readTraceSort(url.sortColumn, url.sortDirection);
  const search: TracesSearch = { experimentId, filter: url.filter, orderBy: toTraceOrderBy(sort), pageSize: url.paging.pageSize, pageToken: url.paging.token };
  const result = useQuery({ queryKey: traceKeys.search(search), queryFn: ({ signal }) => searchTraces(search, signal), placeholderData: keepPreviousData });
  const traces = result.data?.traces ?? [];

  const onSort = (column: TraceSort["column"]): void => {
    const next = nextSort(sort, column);
    // The default order (newest first) keeps the URL bare.
    url.setSort(next.column === "timestamp_ms" && next.direction === "desc" ? undefined : next.column, next.direction);
  };

  return (
    <PagedExperimentList
      experimentId={experimentId}
      tab="traces"
      className="traces-page"
      what={["trace", "traces"]}
      url={url}
      filterLabel="Filter traces"
      filterPlaceholder="attributes.status = 'OK' AND tags.env = 'prod'"
      result={result}
      shown={traces.length}
      empty={{ filtered: "No traces match this filter.", unfiltered: "No traces here yet." }}
    >
      <TracesTable experimentId={experimentId} traces={traces} sort={sort} onSort={onSort} />
    </PagedExperimentList>
  );
};

export default TracesPage;
