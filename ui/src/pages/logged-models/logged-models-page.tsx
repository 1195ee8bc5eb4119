import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useMemo, type ReactNode } from "react";
import { nextSort } from "../../components/column-sort";
import { PagedExperimentList, usePagedListUrl } from "../experiment/paged-experiment-list";
import { loggedModelKeys, searchLoggedModels, type LoggedModelsSearch } from "./logged-model-api";
import { readModelSort, toModelOrder } from "./logged-model-sort";
import { metricKeysOf, paramKeysOf } from "./logged-model-values";
import { LoggedModelsTable } from "./logged-models-table";
import "./logged-models.css";

/**
 * An experiment's logged models (MLflow 3's `log_model` creates one each), a page at a time. The URL holds the
 * filter (MLflow's logged-model grammar: `metrics.acc > 0.9`, `params.lr = '0.01'`, `status = 'LOGGED_MODEL_READY'`),
 * the sort (`sort`, `dir`) and the page (`page`, `size`).
 */
const LoggedModelsPage = ({ experimentId }: { experimentId: string }): ReactNode => {
  const url = usePagedListUrl();
  const sort = readModelSort(url.sortColumn, url.sortDirection);
  const search: LoggedModelsSearch = { experimentId, filter: url.filter, order: toModelOrder(sort), pageSize: url.paging.pageSize, pageToken: url.paging.token };
  const result = useQuery({
    queryKey: loggedModelKeys.search(search),
    queryFn: ({ signal }) => searchLoggedModels(search, signal),
    // The old page stays while the next loads, so the table does not blink on each page turn.
    placeholderData: keepPreviousData,
  });
  const models = useMemo(() => result.data?.models ?? [], [result.data]);
  const metricKeys = useMemo(() => metricKeysOf(models), [models]);
  const paramKeys = useMemo(() => paramKeysOf(models), [models]);

  const onSort = (column: string): void => {
    const next = nextSort(sort, column);
    url.setSort(next.column, next.direction);
  };

  return (
    <PagedExperimentList
      experimentId={experimentId}
      tab="models"
      className="logged-models-page"
      what={["logged model", "logged models"]}
      url={url}
      filterLabel="Filter logged models"
      filterPlaceholder="metrics.accuracy > 0.9 AND params.lr = '0.01'"
      result={result}
      shown={models.length}
      empty={{ filtered: "No logged models match this filter.", unfiltered: "No logged models here yet: MLflow 3's log_model creates them." }}
    >
      <LoggedModelsTable experimentId={experimentId} models={models} metricKeys={metricKeys} paramKeys={paramKeys} sort={sort} onSort={onSort} />
    </PagedExperimentList>
  );
};

export default LoggedModelsPage;
