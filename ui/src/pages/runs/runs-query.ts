import { infiniteQueryOptions, useInfiniteQuery, usePrefetchInfiniteQuery, type InfiniteData, type UseInfiniteQueryResult } from "@tanstack/react-query";
import { mlflowPost } from "../../api/http";
import type { Run, ViewType } from "../../api/entities";

export interface RunsPage {
  runs?: Run[];
  next_page_token?: string;
}

export interface RunsSearch {
  experimentId: string;
  filter: string;
  orderBy: string | undefined;
  viewType: ViewType;
}

// A small first page shows rows soonest; later pages are larger so that a long scroll asks less often.
export const FIRST_PAGE_SIZE = 100;
export const NEXT_PAGE_SIZE = 200;

export const runsQueryKey = (experimentId: string): readonly unknown[] => ["runs-search", experimentId];

const runsSearchOptions = (search: RunsSearch) =>
  infiniteQueryOptions({
    queryKey: [...runsQueryKey(search.experimentId), search.filter, search.orderBy, search.viewType],
    queryFn: ({ pageParam, signal }) =>
      mlflowPost<RunsPage>(
        "runs/search",
        {
          experiment_ids: [search.experimentId],
          ...(search.filter ? { filter: search.filter } : {}),
          ...(search.orderBy ? { order_by: [search.orderBy] } : {}),
          run_view_type: search.viewType,
          max_results: pageParam ? NEXT_PAGE_SIZE : FIRST_PAGE_SIZE,
          ...(pageParam ? { page_token: pageParam } : {}),
        },
        signal,
      ),
    initialPageParam: "",
    getNextPageParam: (last: RunsPage) => last.next_page_token || undefined,
  });

/**
 * runs/search page by page: the table asks for the next page as the user scrolls near the end of what is loaded.
 * The first page is asked for during render, not after the commit: React holds back the commit of a lazily loaded
 * page for up to 300 ms after its Suspense fallback showed, and the request need not wait for that.
 */
export const useRunsSearch = (search: RunsSearch): UseInfiniteQueryResult<InfiniteData<RunsPage, unknown>> => {
  const options = runsSearchOptions(search);
  usePrefetchInfiniteQuery(options);
  return useInfiniteQuery(options);
};

export const VIEW_TYPES_BY_NAME: Record<string, ViewType> = { active: "ACTIVE_ONLY", deleted: "DELETED_ONLY", all: "ALL" };
