import { keepPreviousData, useQuery } from "@tanstack/react-query";
import type { ReactNode } from "react";
import { Link } from "wouter";
import { FilterForm } from "../../components/filter-form";
import { PageHeader } from "../../components/page";
import { Pager, resetPaging, usePaging } from "../../components/pager";
import { Empty, ErrorBanner, Loading } from "../../components/status";
import { useQueryParam, useSetSearchParams } from "../../url-state";
import { ExperimentTabs } from "../experiment/experiment-tabs";
import { useExperiment } from "../experiment/use-experiment";
import { searchTraces, traceKeys, type TracesSearch } from "./trace-api";
import { nextTraceSort, readTraceSort, toTraceOrderBy, type TraceSort } from "./trace-sort";
import { TracesTable } from "./traces-table";
import "../logged-models/logged-models.css";
import "./traces.css";

/**
 * An experiment's traces (what `@mlflow.trace` and autologging record), a page at a time. The URL holds the filter
 * (MLflow's trace grammar: `attributes.status = 'OK'`, `tags.env = 'prod'`, `metadata.\`mlflow.user\` = 'ada'`), the
 * sort (`sort=timestamp_ms|execution_time_ms`, `dir`) and the page (`page`, `size`).
 */
const TracesPage = ({ experimentId }: { experimentId: string }): ReactNode => {
  const experiment = useExperiment(experimentId);
  const [filter] = useQueryParam("filter");
  const [sortColumn] = useQueryParam("sort");
  const [sortDirection] = useQueryParam("dir");
  const setParams = useSetSearchParams();
  const paging = usePaging();
  const sort = readTraceSort(sortColumn, sortDirection);
  const search: TracesSearch = { experimentId, filter, orderBy: toTraceOrderBy(sort), pageSize: paging.pageSize, pageToken: paging.token };
  const result = useQuery({ queryKey: traceKeys.search(search), queryFn: ({ signal }) => searchTraces(search, signal), placeholderData: keepPreviousData });
  const traces = result.data?.traces ?? [];
  const name = experiment.data?.experiment.name ?? `Experiment ${experimentId}`;

  const onSort = (column: TraceSort["column"]): void => {
    const next = nextTraceSort(sort, column);
    setParams({ sort: next.column === "timestamp_ms" && next.direction === "desc" ? undefined : next.column, dir: next.direction === "desc" ? undefined : "asc", ...resetPaging }, { push: true });
  };

  return (
    <div className="page traces-page">
      <PageHeader title={name} crumbs={<Link href="/experiments">Experiments</Link>} />
      <ExperimentTabs experimentId={experimentId} current="traces" />
      <ErrorBanner error={experiment.error} what="the experiment" />
      <div className="toolbar">
        <FilterForm
          key={filter}
          label="Filter traces"
          placeholder="attributes.status = 'OK' AND tags.env = 'prod'"
          applied={filter}
          onApply={(next) => setParams({ filter: next, ...resetPaging }, { push: true })}
        />
      </div>
      <ErrorBanner error={result.error} what="traces" />
      {result.isPending ? <Loading what="traces" /> : null}
      {result.data && traces.length === 0 ? <Empty>{filter ? "No traces match this filter." : "No traces here yet."}</Empty> : null}
      {traces.length > 0 ? <TracesTable experimentId={experimentId} traces={traces} sort={sort} onSort={onSort} /> : null}
      {result.data ? <Pager paging={paging} nextToken={result.data.next_page_token || undefined} shown={traces.length} what="traces" /> : null}
    </div>
  );
};

export default TracesPage;
