import type { KeyValue } from "../../protocol/mlflow/entities.js";
import type { LoggedModel, LoggedModelStatus } from "../../protocol/mlflow/logged-model-entities.js";
import type { Page } from "../store.js";
import type { LoggedModelComparison, LoggedModelOrderBy } from "./search-filter.js";

/**
 * The metadata store of MLflow 3's logged models. Every backend implements it and passes the shared contract suite
 * (store.contract.ts). The service has validated every input (ids, lengths, counts) and checked the experiment and
 * source run; the store enforces what needs atomicity: write-once params and the model's existence.
 *
 * A model of a deleted experiment is hidden (get answers undefined, search skips it) but kept as it is, so that
 * restoring the experiment brings it back; a model deleted itself stays deleted.
 *
 * The model's metrics are written by the tracking store's logBatch (metrics carrying a model_id): this store reads them.
 */
export interface LoggedModelStore {
  create(input: NewLoggedModel): Promise<LoggedModel>;
  /** An active model of an active experiment, or undefined. */
  get(modelId: string): Promise<LoggedModel | undefined>;
  /** Sets the status (and message, or clears it) and the update time; returns the model, or undefined if missing. */
  finalize(modelId: string, update: LoggedModelFinalize): Promise<LoggedModel | undefined>;
  /** Marks the model deleted; false if it did not exist (or was already deleted). */
  delete(modelId: string, now: number): Promise<boolean>;
  /** Upserts tags; false if the model does not exist. */
  setTags(modelId: string, tags: readonly KeyValue[], now: number): Promise<boolean>;
  /** "missing-model" or "missing-tag" when nothing was deleted. */
  deleteTag(modelId: string, key: string, now: number): Promise<"deleted" | "missing-model" | "missing-tag">;
  /**
   * Adds params. A key logged again with the same value is a no-op; with another value the whole call fails with
   * INVALID_PARAMETER_VALUE (params are write-once, as run params). False if the model does not exist.
   */
  logParams(modelId: string, params: readonly KeyValue[], now: number): Promise<boolean>;
  search(query: LoggedModelSearch): Promise<Page<LoggedModel>>;
}

export interface NewLoggedModel {
  modelId: string;
  experimentId: string;
  name: string;
  artifactUri: string;
  modelType?: string;
  sourceRunId?: string;
  params: readonly KeyValue[];
  tags: readonly KeyValue[];
  now: number;
}

export interface LoggedModelFinalize {
  status: LoggedModelStatus;
  statusMessage?: string;
  now: number;
}

/** A dataset of SearchLoggedModels.datasets: metric comparisons (or, without any, the models) are narrowed to it. */
export interface DatasetScope {
  datasetName: string;
  datasetDigest?: string;
}

export interface LoggedModelSearch {
  experimentIds: readonly string[];
  /** ANDed comparisons. */
  filter: readonly LoggedModelComparison[];
  datasets: readonly DatasetScope[];
  orderBy: readonly LoggedModelOrderBy[];
  maxResults: number;
  pageToken?: string;
}
