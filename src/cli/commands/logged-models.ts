import type { FileInfo } from "../../protocol/mlflow/entities.js";
import type { LoggedModel, LoggedModelMetric, LoggedModelStatus } from "../../protocol/mlflow/logged-model-entities.js";
import type { CairnClient } from "../../sdk/client.js";
import { parseLoggedModelOrderBy } from "../../sdk/logged-models-api.js";
import { collect } from "../../sdk/paging.js";
import { UsageError } from "../errors.js";
import { formatSize, formatTime, type CommandResult } from "../output.js";
import { oneLine, printable } from "./printable.js";
import { experimentIdsOrAllActive } from "./runs.js";
import { parsePositiveInt } from "./view.js";

export interface ListLoggedModelsOptions {
  experiment?: string[];
  filter?: string;
  orderBy?: string[];
  maxResults?: string;
}

/** MLflow's ceiling for one logged-models/search page (service.proto: "Max threshold is 50"). */
const SEARCH_PAGE_MAX = 50;
const LIST_MAX = 100_000;

/** LOGGED_MODEL_READY -> READY: the prefix says nothing in a column headed STATUS. */
export const shortStatus = (status: LoggedModelStatus | string): string => status.replace(/^LOGGED_MODEL_/, "");

const orderClauses = (orderBy: string[] | undefined) => {
  if (orderBy === undefined || orderBy.length === 0) return undefined;
  return orderBy.map((clause) => {
    try {
      return parseLoggedModelOrderBy(clause);
    } catch (error) {
      throw new UsageError(`--order-by: ${(error as Error).message}`);
    }
  });
};

/** `cairn models logged list`: logged models of the experiments (every active one by default), in the server's order. */
export const listLoggedModels = async (client: CairnClient, options: ListLoggedModelsOptions): Promise<CommandResult<LoggedModel[]>> => {
  const limit = options.maxResults === undefined ? 1000 : parsePositiveInt("--max-results", options.maxResults, LIST_MAX);
  const orderBy = orderClauses(options.orderBy);
  const ids = await experimentIdsOrAllActive(client, options.experiment);
  const models: LoggedModel[] =
    ids.length === 0
      ? []
      : await collect(client.loggedModels.searchAll({ experimentIds: ids, filter: options.filter, orderBy, maxResults: Math.min(limit, SEARCH_PAGE_MAX) }), limit);
  return {
    data: models,
    human: {
      kind: "table",
      columns: ["MODEL ID", "NAME", "EXPERIMENT", "STATUS", "TYPE", "SOURCE RUN", "CREATED (UTC)"],
      rows: models.map(({ info }) => [
        info.model_id,
        oneLine(info.name, 40),
        info.experiment_id,
        shortStatus(info.status),
        oneLine(info.model_type, 20) || "-",
        info.source_run_id || "-",
        formatTime(info.creation_timestamp_ms),
      ]),
      empty: "No logged models.",
    },
  };
};

const byKey = <T extends { key: string }>(items: T[]): T[] => [...items].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));

const metricLine = (metric: LoggedModelMetric): string => {
  const dataset = metric.dataset_name ? `, dataset ${printable(metric.dataset_name, 60)}${metric.dataset_digest ? ` (${printable(metric.dataset_digest, 20)})` : ""}` : "";
  const run = metric.run_id ? `, run ${metric.run_id}` : "";
  return `${metric.value} (step ${metric.step}${dataset}${run})`;
};

export interface ShowLoggedModelData {
  logged_model: LoggedModel;
  /** The entries at the root of the model's artifacts. */
  artifacts: FileInfo[];
}

/** `cairn models logged show MODEL_ID`: info, params, metrics, tags, registrations and the top of its artifacts. */
export const showLoggedModel = async (client: CairnClient, modelId: string): Promise<CommandResult<ShowLoggedModelData>> => {
  const model = await client.loggedModels.get(modelId);
  const { files } = await client.loggedModels.listArtifacts(modelId);
  const { info, data } = model;
  const metrics = [...data.metrics].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : a.step - b.step));
  return {
    data: { logged_model: model, artifacts: files },
    human: {
      kind: "sections",
      sections: [
        {
          title: `Logged model ${info.model_id}`,
          pairs: [
            ["name", oneLine(info.name, 200)],
            ["experiment", info.experiment_id],
            ["status", info.status_message ? `${shortStatus(info.status)} (${oneLine(info.status_message, 200)})` : shortStatus(info.status)],
            ["type", oneLine(info.model_type, 200) || "-"],
            ["source run", info.source_run_id || "-"],
            ["created (UTC)", formatTime(info.creation_timestamp_ms)],
            ["updated (UTC)", formatTime(info.last_updated_timestamp_ms)],
            ["artifacts", printable(info.artifact_uri)],
          ],
        },
        { title: "Params", pairs: byKey(data.params).map((p) => [printable(p.key, 100), oneLine(p.value, 200)]) },
        { title: "Metrics", pairs: metrics.map((m) => [printable(m.key, 100), metricLine(m)]) },
        { title: "Tags", pairs: byKey(info.tags).map((t) => [printable(t.key, 100), oneLine(t.value, 200)]) },
        { title: "Registrations", pairs: info.registrations.map((r) => [printable(r.name, 100), `version ${printable(r.version, 20)}`]) },
        {
          title: "Artifacts",
          pairs: files.map((f) => [printable(f.path, 200), f.is_dir ? "dir" : formatSize(f.file_size)]),
        },
      ],
    },
  };
};
