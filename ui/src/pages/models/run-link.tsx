import { useQuery } from "@tanstack/react-query";
import type { ReactNode } from "react";
import { Link } from "wouter";
import { getRun, registryKeys } from "./registry-api";
import { runPath } from "../experiment/experiment-paths";

/**
 * A version's source run as a link to its page. The run's page lives under its experiment, which the version does
 * not name, so the run is read once (cached per run id: versions of one run share it).
 */
export const RunLink = ({ runId }: { runId: string | undefined }): ReactNode => {
  const known = runId !== undefined && runId !== "";
  const run = useQuery({
    queryKey: registryKeys.run(runId ?? ""),
    queryFn: ({ signal }) => getRun(runId ?? "", signal),
    enabled: known,
    staleTime: 60_000,
  });
  if (!known) return <span className="muted">—</span>;
  if (run.data) {
    const name = run.data.info.run_name || runId;
    return <Link href={runPath(run.data.info.experiment_id, runId)} title={`Run ${runId}`}>{name}</Link>;
  }
  // Not loaded yet, or gone from the store: the id, without a link that would lead nowhere.
  return (
    <span className="mono" title={run.error ? `Run not found: ${run.error.message}` : undefined}>
      {runId.slice(0, 12)}
    </span>
  );
};
