import type { LoggedModel } from "../protocol/mlflow/logged-model-entities.js";
import type {
  ModelStage,
  ModelVersion,
  ModelVersionTag,
  RegisteredModel,
  RegisteredModelTag,
} from "../protocol/mlflow/registry-entities.js";
import { iteratePages, type Page } from "./paging.js";
import type { HttpTransport } from "./transport.js";

/** Versions are strings on the wire; callers may pass 3 or "3". */
export type VersionRef = string | number;

export interface CreateRegisteredModelRequest {
  name: string;
  tags?: RegisteredModelTag[] | Record<string, string>;
  description?: string;
}

export interface SearchRegisteredModelsRequest {
  /** e.g. "name LIKE 'churn%'" or "tags.team = 'risk'". */
  filter?: string;
  /** e.g. ["name ASC"], ["last_updated_timestamp DESC"]. */
  orderBy?: string[];
  /** Page size (MLflow's default 100, at most 1000). */
  maxResults?: number;
  pageToken?: string;
}

export interface CreateModelVersionRequest {
  name: string;
  /**
   * runs:/<run_id>/<path>, an mlflow-artifacts:/ URI inside the artifact store, models:/<name>/<version>, or (MLflow 3)
   * models:/<model_id> for a logged model.
   */
  source: string;
  runId?: string;
  /** MLflow 3: the logged model this version registers (the server takes it from a models:/<model_id> source too). */
  modelId?: string;
  tags?: ModelVersionTag[] | Record<string, string>;
  runLink?: string;
  description?: string;
}

export interface SearchModelVersionsRequest {
  /** e.g. "name = 'churn'" or "run_id = '...'". */
  filter?: string;
  orderBy?: string[];
  maxResults?: number;
  pageToken?: string;
}

const keyValues = <T extends { key: string; value: string }>(tags: T[] | Record<string, string> | undefined): T[] | undefined => {
  if (tags === undefined) return undefined;
  return Array.isArray(tags) ? tags : (Object.entries(tags).map(([key, value]) => ({ key, value })) as T[]);
};

/** Protobuf JSON omits empty repeated fields; callers get [] instead of undefined. */
export const normalizeVersion = (version: ModelVersion): ModelVersion => ({
  ...version,
  tags: version.tags ?? [],
  aliases: version.aliases ?? [],
});

export const normalizeModel = (model: RegisteredModel): RegisteredModel => ({
  ...model,
  tags: model.tags ?? [],
  aliases: model.aliases ?? [],
  latest_versions: (model.latest_versions ?? []).map(normalizeVersion),
});

interface ModelAnswer {
  registered_model: RegisteredModel;
}
interface VersionAnswer {
  model_version: ModelVersion;
}

/** Every endpoint of MLflow's model registry (model_registry.proto), typed. */
export class RegistryApi {
  constructor(private readonly http: HttpTransport) {}

  // Registered models.

  async createModel(request: CreateRegisteredModelRequest): Promise<RegisteredModel> {
    const answer = await this.http.call<ModelAnswer>("POST", "registered-models/create", {
      name: request.name,
      tags: keyValues(request.tags),
      description: request.description,
    });
    return normalizeModel(answer.registered_model);
  }

  async getModel(name: string): Promise<RegisteredModel> {
    const answer = await this.http.call<ModelAnswer>("GET", "registered-models/get", { name });
    return normalizeModel(answer.registered_model);
  }

  async renameModel(name: string, newName: string): Promise<RegisteredModel> {
    const answer = await this.http.call<ModelAnswer>("POST", "registered-models/rename", { name, new_name: newName });
    return normalizeModel(answer.registered_model);
  }

  async updateModel(name: string, description: string): Promise<RegisteredModel> {
    const answer = await this.http.call<ModelAnswer>("PATCH", "registered-models/update", { name, description });
    return normalizeModel(answer.registered_model);
  }

  /** Deletes the model with all its versions, tags and aliases. */
  async deleteModel(name: string): Promise<void> {
    await this.http.call("DELETE", "registered-models/delete", { name });
  }

  /** One page of registered-models/search. */
  async searchModels(request: SearchRegisteredModelsRequest = {}): Promise<Page<RegisteredModel>> {
    const answer = await this.http.call<{ registered_models?: RegisteredModel[]; next_page_token?: string }>("GET", "registered-models/search", {
      filter: request.filter,
      max_results: request.maxResults,
      order_by: request.orderBy,
      page_token: request.pageToken,
    });
    return { items: (answer.registered_models ?? []).map(normalizeModel), nextPageToken: answer.next_page_token || undefined };
  }

  /** Every registered model matching the request, across all pages. */
  searchModelsAll(request: Omit<SearchRegisteredModelsRequest, "pageToken"> = {}): AsyncGenerator<RegisteredModel> {
    return iteratePages((pageToken) => this.searchModels({ ...request, pageToken }));
  }

  /** The latest READY version in each of the given stages (every stage when none is given). */
  async getLatestVersions(name: string, stages?: ModelStage[] | string[]): Promise<ModelVersion[]> {
    // POST, as the Python client sends it: a GET would repeat `stages` in the query string.
    const answer = await this.http.call<{ model_versions?: ModelVersion[] }>("POST", "registered-models/get-latest-versions", { name, stages });
    return (answer.model_versions ?? []).map(normalizeVersion);
  }

  async setModelTag(name: string, key: string, value: string): Promise<void> {
    await this.http.call("POST", "registered-models/set-tag", { name, key, value });
  }

  async deleteModelTag(name: string, key: string): Promise<void> {
    await this.http.call("DELETE", "registered-models/delete-tag", { name, key });
  }

  // Aliases.

  /** Points `alias` at `version` (moving it if it pointed elsewhere). Refused when a promotion rule is unmet. */
  async setAlias(name: string, alias: string, version: VersionRef): Promise<void> {
    await this.http.call("POST", "registered-models/alias", { name, alias, version: String(version) });
  }

  async deleteAlias(name: string, alias: string): Promise<void> {
    await this.http.call("DELETE", "registered-models/alias", { name, alias });
  }

  /** The version `models:/<name>@<alias>` resolves to. */
  async getVersionByAlias(name: string, alias: string): Promise<ModelVersion> {
    const answer = await this.http.call<VersionAnswer>("GET", "registered-models/alias", { name, alias });
    return normalizeVersion(answer.model_version);
  }

  // Model versions.

  async createVersion(request: CreateModelVersionRequest): Promise<ModelVersion> {
    const answer = await this.http.call<VersionAnswer>("POST", "model-versions/create", {
      name: request.name,
      source: request.source,
      run_id: request.runId,
      model_id: request.modelId,
      tags: keyValues(request.tags),
      run_link: request.runLink,
      description: request.description,
    });
    return normalizeVersion(answer.model_version);
  }

  async getVersion(name: string, version: VersionRef): Promise<ModelVersion> {
    const answer = await this.http.call<VersionAnswer>("GET", "model-versions/get", { name, version: String(version) });
    return normalizeVersion(answer.model_version);
  }

  async updateVersion(name: string, version: VersionRef, description: string): Promise<ModelVersion> {
    const answer = await this.http.call<VersionAnswer>("PATCH", "model-versions/update", { name, version: String(version), description });
    return normalizeVersion(answer.model_version);
  }

  async deleteVersion(name: string, version: VersionRef): Promise<void> {
    await this.http.call("DELETE", "model-versions/delete", { name, version: String(version) });
  }

  /** Moves a version to a stage; with archiveExistingVersions the versions already in that stage go to Archived. */
  async transitionStage(name: string, version: VersionRef, stage: ModelStage | string, archiveExistingVersions = false): Promise<ModelVersion> {
    const answer = await this.http.call<VersionAnswer>("POST", "model-versions/transition-stage", {
      name,
      version: String(version),
      stage,
      archive_existing_versions: archiveExistingVersions,
    });
    return normalizeVersion(answer.model_version);
  }

  /** One page of model-versions/search. */
  async searchVersions(request: SearchModelVersionsRequest = {}): Promise<Page<ModelVersion>> {
    const answer = await this.http.call<{ model_versions?: ModelVersion[]; next_page_token?: string }>("GET", "model-versions/search", {
      filter: request.filter,
      max_results: request.maxResults,
      order_by: request.orderBy,
      page_token: request.pageToken,
    });
    return { items: (answer.model_versions ?? []).map(normalizeVersion), nextPageToken: answer.next_page_token || undefined };
  }

  searchVersionsAll(request: Omit<SearchModelVersionsRequest, "pageToken"> = {}): AsyncGenerator<ModelVersion> {
    return iteratePages((pageToken) => this.searchVersions({ ...request, pageToken }));
  }

  /** Where the version's artifacts are (an mlflow-artifacts:/ URI on a proxying server). */
  /**
   * The logged model a `models:/<model_id>` URI names (MLflow 3: GET logged-models/{id}, as the 3.x client's
   * load_model reads it); its files are at `info.artifact_uri`.
   */
  async getLoggedModel(modelId: string): Promise<LoggedModel> {
    const answer = await this.http.call<{ model: LoggedModel }>("GET", `logged-models/${encodeURIComponent(modelId)}`, { model_id: modelId });
    return answer.model;
  }

  async getDownloadUri(name: string, version: VersionRef): Promise<string> {
    const answer = await this.http.call<{ artifact_uri: string }>("GET", "model-versions/get-download-uri", { name, version: String(version) });
    return answer.artifact_uri;
  }

  async setVersionTag(name: string, version: VersionRef, key: string, value: string): Promise<void> {
    await this.http.call("POST", "model-versions/set-tag", { name, version: String(version), key, value });
  }

  async deleteVersionTag(name: string, version: VersionRef, key: string): Promise<void> {
    await this.http.call("DELETE", "model-versions/delete-tag", { name, version: String(version), key });
  }
}
