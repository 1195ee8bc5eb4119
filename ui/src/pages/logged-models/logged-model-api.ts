import { mlflowGet, mlflowPost } from "../../api/http";
import type { FileInfo, LoggedModel } from "../../api/entities";
import type { ArtifactSource } from "../run/artifacts/artifact-tree";

/** MLflow's logged-model RPCs the UI reads (service.proto: SearchLoggedModels, GetLoggedModel, ListLoggedModelArtifacts). */

export interface LoggedModelOrder {
  field_name: string;
  ascending: boolean;
}

export interface LoggedModelsSearch {
  experimentId: string;
  filter: string;
  order: LoggedModelOrder;
  pageSize: number;
  pageToken: string | undefined;
}

export interface LoggedModelsPage {
  models?: LoggedModel[];
  next_page_token?: string;
}

export const loggedModelKeys = {
  search: (search: LoggedModelsSearch): readonly unknown[] => ["logged-models-search", search],
  model: (modelId: string): readonly unknown[] => ["logged-model", modelId],
};

export const searchLoggedModels = (search: LoggedModelsSearch, signal?: AbortSignal): Promise<LoggedModelsPage> =>
  mlflowPost<LoggedModelsPage>(
    "logged-models/search",
    {
      experiment_ids: [search.experimentId],
      ...(search.filter ? { filter: search.filter } : {}),
      order_by: [search.order],
      max_results: search.pageSize,
      ...(search.pageToken ? { page_token: search.pageToken } : {}),
    },
    signal,
  );

export const getLoggedModel = async (modelId: string, signal?: AbortSignal): Promise<LoggedModel> =>
  (await mlflowGet<{ model: LoggedModel }>(`logged-models/${encodeURIComponent(modelId)}`, undefined, signal)).model;

/** A logged model's files, listed folder by folder (ListLoggedModelArtifacts). */
export const loggedModelArtifactSource = (modelId: string): ArtifactSource => ({
  key: ["logged-model-artifacts", modelId],
  list: async (path, signal) =>
    (
      await mlflowGet<{ files?: FileInfo[] }>(
        `logged-models/${encodeURIComponent(modelId)}/artifacts/directories`,
        { artifact_directory_path: path || undefined },
        signal,
      )
    ).files ?? [],
  emptyText: "This model has no files.",
});
