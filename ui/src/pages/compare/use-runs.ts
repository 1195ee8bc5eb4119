import { useQueries, type UseQueryResult } from "@tanstack/react-query";
import type { Run } from "../../api/entities";
import { fetchRun, runQueryKey, runRefetchInterval } from "../run/use-run";

export interface ComparedRuns {
  /** The runs that loaded, in the URL's order. */
  runs: Run[];
  pending: boolean;
  errors: { runId: string; error: Error }[];
}

/** The compared runs, each from runs/get (shared with the run page's cache), polled while running. */
export const useComparedRuns = (runIds: readonly string[]): ComparedRuns =>
  useQueries({
    queries: runIds.map((runId) => ({
      queryKey: runQueryKey(runId),
      queryFn: ({ signal }: { signal: AbortSignal }) => fetchRun(runId, signal),
      refetchInterval: (query: { state: { data: Run | undefined } }) => runRefetchInterval(query.state.data),
    })),
    combine: (results: UseQueryResult<Run>[]): ComparedRuns => ({
      runs: results.flatMap((result) => (result.data ? [result.data] : [])),
      pending: results.some((result) => result.isPending),
      errors: results.flatMap((result, index) => (result.error ? [{ runId: runIds[index] ?? "", error: result.error }] : [])),
    }),
  });
