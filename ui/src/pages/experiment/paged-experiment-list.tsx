import type { ReactNode } from "react";
import { Link } from "wouter";
import { FilterForm } from "../../components/filter-form";
import { PageHeader } from "../../components/page";
import { Pager, resetPaging, usePaging, type Paging } from "../../components/pager";
import { Empty, ErrorBanner, Loading } from "../../components/status";
import { useQueryParam, useSetSearchParams } from "../../url-state";
import { ExperimentTabs, type ExperimentView } from "./experiment-tabs";
import { useExperiment } from "./use-experiment";

/**
 * The frame of an experiment's token-paged lists (logged models, traces): the URL holds the filter (`filter`), the
 * sort (`sort`, `dir`) and the page (`page`, `size`); a new filter or sort starts again at page 1. The page reads
 * the state, runs its own query and draws its own table inside the frame.
 */
export interface PagedListUrl {
  filter: string;
  sortColumn: string;
  sortDirection: string;
  paging: Paging;
  setFilter(filter: string): void;
  /** `column` undefined leaves `sort` out of the URL (the page's default column); "desc" is the default direction. */
  setSort(column: string | undefined, direction: "asc" | "desc"): void;
}

export const usePagedListUrl = (): PagedListUrl => {
  const [filter] = useQueryParam("filter");
  const [sortColumn] = useQueryParam("sort");
  const [sortDirection] = useQueryParam("dir");
  const setParams = useSetSearchParams();
  const paging = usePaging();
  return {
    filter,
    sortColumn,
    sortDirection,
    paging,
    setFilter: (next) => setParams({ filter: next, ...resetPaging }, { push: true }),
    setSort: (column, direction) => setParams({ sort: column, dir: direction === "desc" ? undefined : "asc", ...resetPaging }, { push: true }),
  };
};

export interface PagedExperimentListProps {
  experimentId: string;
  tab: ExperimentView;
  className: string;
  /** The rows' name in the singular and the plural, for the loading, error and pager texts: ["trace", "traces"]. */
  what: readonly [one: string, many: string];
  url: PagedListUrl;
  filterLabel: string;
  filterPlaceholder: string;
  /** The page's query: its error, whether it has answered, and the answer's next page token. */
  result: { error: unknown; isPending: boolean; data: { next_page_token?: string } | undefined };
  shown: number;
  /** What an empty page says, with and without a filter. */
  empty: { filtered: string; unfiltered: string };
  /** The table, drawn when the page has rows. */
  children: ReactNode;
}

export const PagedExperimentList = ({ experimentId, tab, className, what, url, filterLabel, filterPlaceholder, result, shown, empty, children }: PagedExperimentListProps): ReactNode => {
  const experiment = useExperiment(experimentId);
  const name = experiment.data?.experiment.name ?? `Experiment ${experimentId}`;
  return (
    <div className={`page ${className}`}>
      <PageHeader title={name} crumbs={<Link href="/experiments">Experiments</Link>} />
      <ExperimentTabs experimentId={experimentId} current={tab} />
      <ErrorBanner error={experiment.error} what="the experiment" />
      <div className="toolbar">
        <FilterForm key={url.filter} label={filterLabel} placeholder={filterPlaceholder} applied={url.filter} onApply={url.setFilter} />
      </div>
      <ErrorBanner error={result.error} what={what[1]} />
      {result.isPending ? <Loading what={what[1]} /> : null}
      {result.data && shown === 0 ? <Empty>{url.filter ? empty.filtered : empty.unfiltered}</Empty> : null}
      {shown > 0 ? children : null}
      {result.data ? <Pager paging={url.paging} nextToken={result.data.next_page_token || undefined} shown={shown} what={what} /> : null}
    </div>
  );
};
