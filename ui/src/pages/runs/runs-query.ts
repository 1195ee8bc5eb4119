import { useInfiniteQuery, type InfiniteData, type UseInfiniteQueryResult } from "@tanstack/react-query";
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

/** runs/search page by page: the table asks for the next page as the user scrolls near the end of what is loaded. */
export const useRunsSearch = (search: RunsSearch): UseInfiniteQueryResult<InfiniteData<RunsPage, string>> =>
  useInfiniteQuery({
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
    getNextPageParam: (last) => last.next_page_token || undefined,
  });

export const VIEW_TYPES_BY_NAME: Record<string, ViewType> = { active: "ACTIVE_ONLY", deleted: "DELETED_ONLY", all: "ALL" };
