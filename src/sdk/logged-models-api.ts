import type { FileInfo, KeyValue } from "../protocol/mlflow/entities.js";
import type { LoggedModel, LoggedModelStatus } from "../protocol/mlflow/logged-model-entities.js";
import { collect, iteratePages, type Page } from "./paging.js";
import { pathSegment } from "./path-segment.js";
import type { HttpTransport } from "./transport.js";
import { decodeDouble } from "./wire.js";

export interface CreateLoggedModelRequest {
  experimentId: string;
  /** The server picks a name when none is given. */
  name?: string;
  /** e.g. "Agent", "Classifier", "LLM". */
  modelType?: string;
  /** The run that produced the model. */
  sourceRunId?: string;
  params?: KeyValue[] | Record<string, string>;
  tags?: KeyValue[] | Record<string, string>;
}

/** One ordering of logged-models/search: a field (`name`, `creation_timestamp`, `metrics.<key>`...) and a direction. */
export interface LoggedModelOrderBy {
  fieldName: string;
  /** Default true. */
  ascending?: boolean;
  /** For a metric: only its values on this dataset. */
  datasetName?: string;
  datasetDigest?: string;
}

export interface SearchLoggedModelsRequest {
  experimentIds: string[];
  /** MLflow's logged-model grammar, e.g. "metrics.accuracy > 0.9 AND params.lr = '0.1' AND status = 'LOGGED_MODEL_READY'". */
  filter?: string;
  /** Metric clauses of the filter only count values on these datasets. */
  datasets?: { datasetName: string; datasetDigest?: string }[];
  /** Objects, or strings such as "metrics.accuracy DESC" / "creation_timestamp" (ascending unless DESC). */
  orderBy?: (LoggedModelOrderBy | string)[];
  /** Page size. */
  maxResults?: number;
  pageToken?: string;
}

export interface LoggedModelArtifacts {
  /** The model's artifact root as the server names it. */
  rootUri: string;
  /** Entries directly under the listed folder, with paths relative to the model's artifact root. */
  files: FileInfo[];
}

interface ModelAnswer {
  model: LoggedModel;
}

/** Protobuf JSON omits empty repeated fields and unset messages; callers get [] and metric values as numbers. */
export const normalizeLoggedModel = (model: LoggedModel): LoggedModel => ({
  info: { ...model.info, tags: model.info.tags ?? [], registrations: model.info.registrations ?? [] },
  data: {
    params: model.data?.params ?? [],
    metrics: (model.data?.metrics ?? []).map((metric) => ({ ...metric, value: decodeDouble(metric.value) })),
  },
});

const keyValues = (items: KeyValue[] | Record<string, string> | undefined): KeyValue[] | undefined => {
  if (items === undefined) return undefined;
  return Array.isArray(items) ? items : Object.entries(items).map(([key, value]) => ({ key, value }));
};

/** "metrics.accuracy DESC" -> { fieldName: "metrics.accuracy", ascending: false }; ASC or no direction is ascending. */
export const parseLoggedModelOrderBy = (clause: string): LoggedModelOrderBy => {
  const match = /^\s*(\S(?:.*\S)?)\s+(ASC|DESC)\s*$/i.exec(clause);
  const fieldName = (match?.[1] ?? clause).trim();
  if (fieldName === "") throw new TypeError(`order-by clause '${clause}' names no field`);
  return { fieldName, ascending: match ? match[2]?.toUpperCase() === "ASC" : true };
};

const orderByWire = (order: LoggedModelOrderBy | string) => {
  const parsed = typeof order === "string" ? parseLoggedModelOrderBy(order) : order;
  return {
    field_name: parsed.fieldName,
    ascending: parsed.ascending ?? true,
    dataset_name: parsed.datasetName,
    dataset_digest: parsed.datasetDigest,
  };
};

const modelPath = (modelId: string, rest = ""): string => `logged-models/${pathSegment("modelId", modelId)}${rest}`;

/**
 * MLflow 3's logged models (service.proto, `/api/2.0/mlflow/logged-models...`): a model as an entity of its
 * experiment, with params, tags, linked metrics, registrations and its own artifact folder.
 */
export class LoggedModelsApi {
  constructor(private readonly http: HttpTransport) {}

  /** Creates a PENDING model; upload its files under its artifact_uri, then finalize it. */
  async create(request: CreateLoggedModelRequest): Promise<LoggedModel> {
    const answer = await this.http.call<ModelAnswer>("POST", "logged-models", {
      experiment_id: request.experimentId,
      name: request.name,
      model_type: request.modelType,
      source_run_id: request.sourceRunId,
      params: keyValues(request.params),
      tags: keyValues(request.tags),
    });
    return normalizeLoggedModel(answer.model);
  }

  async get(modelId: string): Promise<LoggedModel> {
    const answer = await this.http.call<ModelAnswer>("GET", modelPath(modelId));
    return normalizeLoggedModel(answer.model);
  }

  /** Marks the upload of the model's files done (READY, the default) or failed (UPLOAD_FAILED). */
  async finalize(modelId: string, status: Exclude<LoggedModelStatus, "LOGGED_MODEL_PENDING"> = "LOGGED_MODEL_READY"): Promise<LoggedModel> {
    const answer = await this.http.call<ModelAnswer>("PATCH", modelPath(modelId), { model_id: modelId, status });
    return normalizeLoggedModel(answer.model);
  }

  async delete(modelId: string): Promise<void> {
    await this.http.call("DELETE", modelPath(modelId), { model_id: modelId });
  }

  /** One page of logged-models/search. */
  async search(request: SearchLoggedModelsRequest): Promise<Page<LoggedModel>> {
    const answer = await this.http.call<{ models?: LoggedModel[]; next_page_token?: string }>("POST", "logged-models/search", {
      experiment_ids: request.experimentIds,
      filter: request.filter,
      datasets: request.datasets?.map((d) => ({ dataset_name: d.datasetName, dataset_digest: d.datasetDigest })),
      order_by: request.orderBy?.map(orderByWire),
      max_results: request.maxResults,
      page_token: request.pageToken,
    });
    return { items: (answer.models ?? []).map(normalizeLoggedModel), nextPageToken: answer.next_page_token || undefined };
  }

  /** Every logged model matching the request, across all pages (each fetched when needed). */
  searchAll(request: Omit<SearchLoggedModelsRequest, "pageToken">): AsyncGenerator<LoggedModel> {
    return iteratePages((pageToken) => this.search({ ...request, pageToken }));
  }

  /**
   * Sets (or overwrites) tags. The id travels in the path only, as the 3.x client sends it; like MLflow's server,
   * Cairn answers an empty message (get the model to see them).
   */
  async setTags(modelId: string, tags: KeyValue[] | Record<string, string>): Promise<void> {
    await this.http.call("PATCH", modelPath(modelId, "/tags"), { tags: keyValues(tags) });
  }

  async deleteTag(modelId: string, key: string): Promise<void> {
    await this.http.call("DELETE", modelPath(modelId, `/tags/${pathSegment("key", key)}`));
  }

  /** Params are write-once: logging a key again with another value is refused by the server. */
  async logParams(modelId: string, params: KeyValue[] | Record<string, string>): Promise<void> {
    await this.http.call("POST", modelPath(modelId, "/params"), { model_id: modelId, params: keyValues(params) });
  }

  /** Entries directly under `directory` of the model's artifacts (the root when omitted), every page. */
  async listArtifacts(modelId: string, directory?: string): Promise<LoggedModelArtifacts> {
    let rootUri = "";
    const files = await collect(
      iteratePages(async (pageToken) => {
        const answer = await this.http.call<{ root_uri?: string; files?: FileInfo[]; next_page_token?: string }>(
          "GET",
          modelPath(modelId, "/artifacts/directories"),
          { artifact_directory_path: directory, page_token: pageToken },
        );
        rootUri = answer.root_uri ?? rootUri;
        return { items: answer.files ?? [], nextPageToken: answer.next_page_token || undefined };
      }),
    );
    return { rootUri, files };
  }
}
