import { useQuery, type UseQueryResult } from "@tanstack/react-query";
import { mlflowGet } from "../../api/http";
import type { Run } from "../../api/entities";

/** How often a running run is asked again: new metrics, status and end time appear without a reload. */
export const LIVE_REFRESH_MS = 4000;

export const isLive = (run: Run | undefined): boolean => run?.info.status === "RUNNING";

export const runQueryKey = (runId: string): readonly unknown[] => ["run", runId];

export const fetchRun = async (runId: string, signal?: AbortSignal): Promise<Run> =>
  (await mlflowGet<{ run: Run }>("runs/get", { run_id: runId }, signal)).run;

/** Poll a running run; stop once it has ended. */
export const runRefetchInterval = (run: Run | undefined): number | false => (isLive(run) ? LIVE_REFRESH_MS : false);

/** One run (runs/get), polled while it is RUNNING and no longer once it ends. */
export const useRun = (runId: string): UseQueryResult<Run> =>
  useQuery({
    queryKey: runQueryKey(runId),
    queryFn: ({ signal }) => fetchRun(runId, signal),
    refetchInterval: (query) => runRefetchInterval(query.state.data),
  });
