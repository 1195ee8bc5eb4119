import type { Experiment } from "../../protocol/mlflow/entities.js";
import type { CairnClient } from "../../sdk/client.js";
import { formatTime, type CommandResult } from "../output.js";
import { parseView } from "./view.js";

/** `cairn experiments list`: every experiment in the view, all pages. */
export const listExperiments = async (client: CairnClient, options: { view?: string }): Promise<CommandResult<Experiment[]>> => {
  const experiments: Experiment[] = [];
  for await (const experiment of client.experiments.searchAll({ viewType: parseView(options.view) })) experiments.push(experiment);
  return {
    data: experiments,
    human: {
      kind: "table",
      columns: ["ID", "NAME", "STAGE", "CREATED (UTC)", "ARTIFACT LOCATION"],
      rows: experiments.map((e) => [e.experiment_id, e.name, e.lifecycle_stage, formatTime(e.creation_time), e.artifact_location]),
      empty: "No experiments.",
    },
  };
};

export const createExperiment = async (
  client: CairnClient,
  name: string,
  options: { artifactLocation?: string },
): Promise<CommandResult<{ experiment_id: string; name: string }>> => {
  const id = await client.experiments.create({ name, artifactLocation: options.artifactLocation });
  return { data: { experiment_id: id, name }, human: { kind: "message", text: `Created experiment '${name}' with id ${id}.` } };
};

export const deleteExperiment = async (client: CairnClient, id: string): Promise<CommandResult<{ experiment_id: string; lifecycle_stage: "deleted" }>> => {
  await client.experiments.delete(id);
  return { data: { experiment_id: id, lifecycle_stage: "deleted" }, human: { kind: "message", text: `Deleted experiment ${id}.` } };
};

export const restoreExperiment = async (client: CairnClient, id: string): Promise<CommandResult<{ experiment_id: string; lifecycle_stage: "active" }>> => {
  await client.experiments.restore(id);
  return { data: { experiment_id: id, lifecycle_stage: "active" }, human: { kind: "message", text: `Restored experiment ${id}.` } };
};
