import type { Experiment, Run } from "../../protocol/mlflow/entities.js";
import type { CairnClient } from "../../sdk/client.js";
import { CairnApiError } from "../../sdk/errors.js";
import { collect } from "../../sdk/paging.js";
import { NothingChanged } from "../errors.js";
import { formatDuration, formatTime, type CommandResult } from "../output.js";
import { parsePositiveInt, parseView } from "./view.js";

export interface ListRunsOptions {
  experiment?: string;
  filter?: string;
  orderBy?: string[];
  maxResults?: string;
  view?: string;
}

/** MLflow's ceiling for one runs/search page. */
const MAX_RESULTS = 50_000;

/** An experiment named by id or by name: an all-digit value is tried as an id first, then as a name. */
export const resolveExperiment = async (client: CairnClient, idOrName: string): Promise<Experiment> => {
  if (/^\d+$/.test(idOrName)) {
    try {
      return await client.experiments.get(idOrName);
    } catch (error) {
      if (!(error instanceof CairnApiError && error.status === 404)) throw error;
    }
  }
  return client.experiments.getByName(idOrName);
};

/** The ids of the experiments named by id or name, each once. */
export const resolveExperimentIds = async (client: CairnClient, refs: readonly string[]): Promise<string[]> => {
  const ids: string[] = [];
  for (const ref of refs) ids.push((await resolveExperiment(client, ref)).experiment_id);
  return [...new Set(ids)];
};

/** What list commands search when no --experiment is given: the named experiments, else every active one. */
export const experimentIdsOrAllActive = async (client: CairnClient, refs: readonly string[] | undefined): Promise<string[]> => {
  if (refs !== undefined && refs.length > 0) return resolveExperimentIds(client, refs);
  const ids: string[] = [];
  for await (const experiment of client.experiments.searchAll({ viewType: "ACTIVE_ONLY" })) ids.push(experiment.experiment_id);
  return ids;
};

/** `cairn runs list`: runs of one experiment (or of every active experiment), newest first unless --order-by says. */
export const listRuns = async (client: CairnClient, options: ListRunsOptions): Promise<CommandResult<Run[]>> => {
  const limit = options.maxResults === undefined ? 1000 : parsePositiveInt("--max-results", options.maxResults, MAX_RESULTS);
  const runViewType = parseView(options.view);
  const experimentIds = await experimentIdsOrAllActive(client, options.experiment === undefined ? undefined : [options.experiment]);
  const runs: Run[] =
    experimentIds.length === 0
      ? []
      : await collect(
          client.runs.searchAll({
            experimentIds,
            filter: options.filter,
            orderBy: options.orderBy && options.orderBy.length > 0 ? options.orderBy : undefined,
            runViewType,
            maxResults: Math.min(limit, 1000),
          }),
          limit,
        );
  return {
    data: runs,
    human: {
      kind: "table",
      columns: ["RUN ID", "NAME", "EXPERIMENT", "STATUS", "STARTED (UTC)", "DURATION"],
      rows: runs.map(({ info }) => [
        info.run_id,
        info.run_name,
        info.experiment_id,
        info.lifecycle_stage === "deleted" ? `${info.status} (deleted)` : info.status,
        formatTime(info.start_time),
        formatDuration(info.start_time, info.end_time),
      ]),
      empty: "No runs.",
    },
  };
};

const byKey = <T extends { key: string }>(items: T[]): T[] => [...items].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));

/** `cairn runs show ID`: the run's info, params, latest metrics and tags. */
export const showRun = async (client: CairnClient, runId: string): Promise<CommandResult<Run>> => {
  const run = await client.runs.get(runId);
  const { info, data } = run;
  return {
    data: run,
    human: {
      kind: "sections",
      sections: [
        {
          title: `Run ${info.run_id}`,
          pairs: [
            ["name", info.run_name],
            ["experiment", info.experiment_id],
            ["status", info.status],
            ["lifecycle", info.lifecycle_stage],
            ["user", info.user_id],
            ["started (UTC)", formatTime(info.start_time)],
            ["ended (UTC)", formatTime(info.end_time)],
            ["duration", formatDuration(info.start_time, info.end_time)],
            ["artifacts", info.artifact_uri],
          ],
        },
        { title: "Params", pairs: byKey(data.params).map((p) => [p.key, p.value]) },
        { title: "Metrics (latest)", pairs: byKey(data.metrics).map((m) => [m.key, `${m.value} (step ${m.step})`]) },
        { title: "Tags", pairs: byKey(data.tags).map((t) => [t.key, t.value]) },
      ],
    },
  };
};

/** `cairn runs delete ID`. MLflow answers success for a run already deleted; the CLI says that nothing changed (exit 1). */
export const deleteRun = async (client: CairnClient, runId: string): Promise<CommandResult<{ run_id: string; lifecycle_stage: "deleted" }>> => {
  const run = await client.runs.get(runId);
  if (run.info.lifecycle_stage === "deleted") throw new NothingChanged(`run ${runId} is already deleted; nothing changed`);
  await client.runs.delete(runId);
  return { data: { run_id: runId, lifecycle_stage: "deleted" }, human: { kind: "message", text: `Deleted run ${runId}.` } };
};
