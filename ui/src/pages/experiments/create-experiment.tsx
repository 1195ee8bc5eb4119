import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState, type ReactNode } from "react";
import { useLocation } from "wouter";
import { mlflowPost } from "../../api/http";
import { ErrorBanner } from "../../components/status";
import { experimentsQueryKey } from "./experiments-query";

/** "Create experiment": a name, then straight to the new experiment's (empty) runs page. */
export const CreateExperiment = (): ReactNode => {
  const [open, setOpen] = useState(false);
  const [name, setName] = useState("");
  const [, navigate] = useLocation();
  const queryClient = useQueryClient();
  const create = useMutation({
    mutationFn: (experimentName: string) => mlflowPost<{ experiment_id: string }>("experiments/create", { name: experimentName }),
    onSuccess: async ({ experiment_id }) => {
      await queryClient.invalidateQueries({ queryKey: experimentsQueryKey });
      navigate(`/experiments/${encodeURIComponent(experiment_id)}`);
    },
  });
  if (!open) {
    return (
      <button type="button" className="primary" onClick={() => setOpen(true)}>
        Create experiment
      </button>
    );
  }
  return (
    <form
      className="create-experiment"
      onSubmit={(event) => {
        event.preventDefault();
        if (name.trim()) create.mutate(name.trim());
      }}
    >
      <label>
        Experiment name{" "}
        <input type="text" value={name} onChange={(event) => setName(event.target.value)} autoFocus />
      </label>
      <button type="submit" className="primary" disabled={!name.trim() || create.isPending}>
        Create
      </button>
      <button type="button" onClick={() => setOpen(false)}>
        Cancel
      </button>
      <ErrorBanner error={create.error} />
    </form>
  );
};
