import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useMemo, type ReactNode } from "react";
import { Link } from "wouter";
import { FilterForm } from "../../components/filter-form";
import { PageHeader } from "../../components/page";
import { Pager, resetPaging, usePaging } from "../../components/pager";
import { Empty, ErrorBanner, Loading } from "../../components/status";
import { useQueryParam, useSetSearchParams } from "../../url-state";
import { ExperimentTabs } from "../experiment/experiment-tabs";
import { useExperiment } from "../experiment/use-experiment";
import { loggedModelKeys, searchLoggedModels, type LoggedModelsSearch } from "./logged-model-api";
import { nextModelSort, readModelSort, toModelOrder } from "./logged-model-sort";
import { metricKeysOf, paramKeysOf } from "./logged-model-values";
import { LoggedModelsTable } from "./logged-models-table";
import "./logged-models.css";

/**
 * An experiment's logged models (MLflow 3's `log_model` creates one each), a page at a time. The URL holds the
 * filter (MLflow's logged-model grammar: `metrics.acc > 0.9`, `params.lr = '0.01'`, `status = 'LOGGED_MODEL_READY'`),
 * the sort (`sort`, `dir`) and the page (`page`, `size`).
 */
const LoggedModelsPage = ({ experimentId }: { experimentId: string }): ReactNode => {
  const experiment = useExperiment(experimentId);
  const [filter] = useQueryParam("filter");
  const [sortColumn] = useQueryParam("sort");
  const [sortDirection] = useQueryParam("dir");
  const setParams = useSetSearchParams();
  const paging = usePaging();
  const sort = readModelSort(sortColumn, sortDirection);
  const search: LoggedModelsSearch = { experimentId, filter, order: toModelOrder(sort), pageSize: paging.pageSize, pageToken: paging.token };
  const result = useQuery({
    queryKey: loggedModelKeys.search(search),
    queryFn: ({ signal }) => searchLoggedModels(search, signal),
    // The old page stays while the next loads, so the table does not blink on each page turn.
    placeholderData: keepPreviousData,
  });
  const models = useMemo(() => result.data?.models ?? [], [result.data]);
  const metricKeys = useMemo(() => metricKeysOf(models), [models]);
  const paramKeys = useMemo(() => paramKeysOf(models), [models]);
  const name = experiment.data?.experiment.name ?? `Experiment ${experimentId}`;

  const onSort = (column: string): void => {
    const next = nextModelSort(sort, column);
    setParams({ sort: next.column, dir: next.direction === "desc" ? undefined : "asc", ...resetPaging }, { push: true });
  };

  return (
    <div className="page logged-models-page">
      <PageHeader title={name} crumbs={<Link href="/experiments">Experiments</Link>} />
      <ExperimentTabs experimentId={experimentId} current="models" />
      <ErrorBanner error={experiment.error} what="the experiment" />
      <div className="toolbar">
        <FilterForm
          key={filter}
          label="Filter logged models"
          placeholder="metrics.accuracy > 0.9 AND params.lr = '0.01'"
          applied={filter}
          onApply={(next) => setParams({ filter: next, ...resetPaging }, { push: true })}
        />
      </div>
      <ErrorBanner error={result.error} what="logged models" />
      {result.isPending ? <Loading what="logged models" /> : null}
      {result.data && models.length === 0 ? (
        <Empty>{filter ? "No logged models match this filter." : "No logged models here yet: MLflow 3's log_model creates them."}</Empty>
      ) : null}
      {models.length > 0 ? <LoggedModelsTable experimentId={experimentId} models={models} metricKeys={metricKeys} paramKeys={paramKeys} sort={sort} onSort={onSort} /> : null}
      {result.data ? <Pager paging={paging} nextToken={result.data.next_page_token || undefined} shown={models.length} what="logged models" /> : null}
    </div>
  );
};

export default LoggedModelsPage;
