import { useInfiniteQuery, type InfiniteData, type UseInfiniteQueryResult } from "@tanstack/react-query";
import { mlflowPost } from "../../api/http";
import type { Experiment, ViewType } from "../../api/entities";

export interface ExperimentsPage {
  experiments?: Experiment[];
  next_page_token?: string;
}

export const EXPERIMENTS_PAGE_SIZE = 100;

export const EXPERIMENT_VIEW_TYPES: Record<string, ViewType> = { active: "ACTIVE_ONLY", deleted: "DELETED_ONLY", all: "ALL" };

/** The server-side filter for a name search: case-insensitive containment, a quote in the text doubled. */
export const experimentNameFilter = (text: string): string | undefined => {
  const trimmed = text.trim();
  return trimmed ? `name ILIKE '%${trimmed.replaceAll("'", "''")}%'` : undefined;
};

export const experimentsQueryKey = ["experiments-search"] as const;

export const useExperimentsSearch = (viewType: ViewType, nameSearch: string): UseInfiniteQueryResult<InfiniteData<ExperimentsPage, string>> => {
  const filter = experimentNameFilter(nameSearch);
  return useInfiniteQuery({
    queryKey: [...experimentsQueryKey, viewType, filter],
    queryFn: ({ pageParam, signal }) =>
      mlflowPost<ExperimentsPage>(
        "experiments/search",
        {
          view_type: viewType,
          max_results: EXPERIMENTS_PAGE_SIZE,
          order_by: ["last_update_time DESC"],
          ...(filter ? { filter } : {}),
          ...(pageParam ? { page_token: pageParam } : {}),
        },
        signal,
      ),
    initialPageParam: "",
    getNextPageParam: (last) => last.next_page_token || undefined,
  });
};
