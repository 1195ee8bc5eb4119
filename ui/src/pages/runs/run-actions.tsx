import { useMutation, useQueryClient } from "@tanstack/react-query";
import type { ReactNode } from "react";
import { useLocation } from "wouter";
import { mlflowPost } from "../../api/http";
import type { Run } from "../../api/entities";
import { ErrorBanner } from "../../components/status";
import { runsQueryKey } from "./runs-query";

type Action = "delete" | "restore";

/**
 * What to do with the selected runs: compare them, delete them, restore them. Runs are deleted one request each
 * (runs/delete takes one id); a failure stops the rest and is shown, and the table reloads either way.
 */
export const RunActions = ({
  experimentId,
  selectedIds,
  loadedRuns,
  onDone,
}: {
  experimentId: string;
  selectedIds: readonly string[];
  loadedRuns: ReadonlyMap<string, Run>;
  onDone: () => void;
}): ReactNode => {
  const [, navigate] = useLocation();
  const queryClient = useQueryClient();
  // A selected run that is not loaded (a link's selection, say) may be either: offer both actions for it.
  const stageOf = (id: string): string | undefined => loadedRuns.get(id)?.info.lifecycle_stage;
  const deletable = selectedIds.filter((id) => stageOf(id) !== "deleted");
  const restorable = selectedIds.filter((id) => stageOf(id) !== "active");
  const change = useMutation({
    mutationFn: async ({ action, ids }: { action: Action; ids: readonly string[] }) => {
      for (const id of ids) await mlflowPost(`runs/${action}`, { run_id: id });
    },
    onSuccess: () => onDone(),
    onSettled: () => queryClient.invalidateQueries({ queryKey: runsQueryKey(experimentId) }),
  });

  const compare = (): void => {
    const query = new URLSearchParams();
    for (const id of selectedIds) query.append("run", id);
    navigate(`/compare?${query.toString()}`);
  };

  return (
    <>
      <div className="toolbar run-actions" role="group" aria-label="Selected runs">
        <button type="button" className="primary" disabled={selectedIds.length < 2} onClick={compare}>
          Compare ({selectedIds.length})
        </button>
        <button type="button" className="danger" disabled={deletable.length === 0 || change.isPending} onClick={() => change.mutate({ action: "delete", ids: deletable })}>
          Delete ({deletable.length})
        </button>
        <button type="button" disabled={restorable.length === 0 || change.isPending} onClick={() => change.mutate({ action: "restore", ids: restorable })}>
          Restore ({restorable.length})
        </button>
        <button type="button" disabled={selectedIds.length === 0} onClick={onDone}>
          Clear selection
        </button>
      </div>
      <ErrorBanner error={change.error} />
    </>
  );
};
