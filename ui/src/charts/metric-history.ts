import { keepPreviousData, useQueries, type UseQueryResult } from "@tanstack/react-query";
import { mlflowGet } from "../api/http";
import type { Metric, Run } from "../api/entities";

/** Points per request: large histories arrive in pages, each a modest JSON answer. */
export const HISTORY_PAGE_SIZE = 10_000;

interface HistoryPage {
  metrics?: Metric[];
  next_page_token?: string;
}

/** Every point of one metric of one run, page after page (metrics/get-history with max_results and page_token). */
export const fetchMetricHistory = async (runId: string, metricKey: string, signal?: AbortSignal): Promise<Metric[]> => {
  const points: Metric[] = [];
  let pageToken: string | undefined;
  do {
    const page = await mlflowGet<HistoryPage>(
      "metrics/get-history",
      { run_id: runId, metric_key: metricKey, max_results: HISTORY_PAGE_SIZE, page_token: pageToken },
      signal,
    );
    for (const metric of page.metrics ?? []) points.push(metric);
    pageToken = page.next_page_token || undefined;
  } while (pageToken);
  return points;
};

/**
 * The latest value of a metric as runs/get reports it. A history is fetched again only when this changes, so a
 * running run's charts follow new points while finished runs' histories are fetched once.
 */
export const historyVersion = (run: Run | undefined, metricKey: string): string => {
  const latest = run?.data.metrics?.find((metric) => metric.key === metricKey);
  return latest ? `${latest.step}:${latest.timestamp}:${String(latest.value)}` : "none";
};

export interface HistoryRequest {
  run: Run;
  metricKey: string;
}

export interface Histories {
  /** One entry per request, undefined until its first page arrives. */
  histories: (Metric[] | undefined)[];
  /** Some history is being fetched (the first time, or again after new points were logged). */
  fetching: boolean;
  error: Error | null;
}

const combineHistories = (results: UseQueryResult<Metric[]>[]): Histories => ({
  histories: results.map((result) => result.data),
  fetching: results.some((result) => result.isFetching),
  error: results.find((result) => result.error)?.error ?? null,
});

/**
 * The histories of several (run, metric) pairs, each cached on its own. The combined answer keeps its identity while
 * nothing changes, so charts built from it are not rebuilt on every render.
 */
export const useMetricHistories = (requests: readonly HistoryRequest[]): Histories =>
  useQueries({
    queries: requests.map(({ run, metricKey }) => ({
      queryKey: ["metric-history", run.info.run_id, metricKey, historyVersion(run, metricKey)],
      queryFn: ({ signal }: { signal: AbortSignal }) => fetchMetricHistory(run.info.run_id, metricKey, signal),
      // Keyed by the latest point, a cached history is complete: it never needs asking again.
      staleTime: Infinity,
      // While a new version loads, the chart keeps the previous points instead of blanking.
      placeholderData: keepPreviousData,
    })),
    combine: combineHistories,
  });
