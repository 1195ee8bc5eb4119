import { atomically, noAudit, type AuditRecorder } from "../../audit/recorder.js";
import type { WriteContext } from "../../core/actor.js";
import { systemClock, type Clock } from "../../core/clock.js";
import { invalidParameter, notFound } from "../../core/errors.js";
import { newRunId } from "../../core/ids.js";
import type { KeyValue } from "../../protocol/mlflow/entities.js";
import type { LoggedModel, LoggedModelStatus, ModelOutput } from "../../protocol/mlflow/logged-model-entities.js";
import { generateRunName, type RandomSource } from "../run-names.js";
import type { Page, TrackingStore } from "../store.js";
import { tagsObject } from "../write-audit.js";
import { findActiveExperiment, findActiveRunInfo, findRunInfo } from "../active-entities.js";
import { appendToUri } from "../artifact-uri.js";
import { validateExperimentId, validateLength, validateRunId } from "../validation.js";
import { parseLoggedModelFilter, parseLoggedModelOrderBy, type OrderByRequest } from "./search-filter.js";
import type { DatasetScope, LoggedModelStore } from "./store.js";
import {
  LOGGED_MODEL_SEARCH_DEFAULT,
  LOGGED_MODEL_SEARCH_MAX,
  MAX_MODEL_LINKS_PER_REQUEST,
  MAX_MODEL_TYPE_LENGTH,
  MAX_SEARCH_DATASETS,
  MAX_SEARCH_EXPERIMENT_IDS,
  MAX_SEARCH_ORDER_BY,
  MAX_STATUS_MESSAGE_LENGTH,
  validateLoggedModelId,
  validateLoggedModelName,
  validateLoggedModelParams,
  validateLoggedModelTags,
} from "./validation.js";

/** Audit actions of logged models and of the run links to them. */
export const LoggedModelAction = {
  CREATE: "tracking.logged_model.create",
  FINALIZE: "tracking.logged_model.finalize",
  DELETE: "tracking.logged_model.delete",
  TAGS_SET: "tracking.logged_model_tag.set",
  TAG_DELETE: "tracking.logged_model_tag.delete",
  PARAMS_LOG: "tracking.logged_model.log_params",
  RUN_LOG_OUTPUTS: "tracking.run.log_outputs",
} as const;

export interface LoggedModelServiceOptions {
  /** Experiments and runs: a model is created in an active experiment, from an existing run. */
  tracking: TrackingStore;
  clock?: Clock;
  audit?: AuditRecorder;
  /** Random source for generated model names. */
  random?: RandomSource;
}

export interface NewLoggedModelRequest {
  experimentId: string;
  name?: string;
  modelType?: string;
  sourceRunId?: string;
  params: KeyValue[];
  tags: KeyValue[];
}

export interface LoggedModelSearchRequest {
  experimentIds: string[];
  filter?: string;
  datasets: DatasetScope[];
  orderBy: OrderByRequest[];
  maxResults?: number;
  pageToken?: string;
}

const FINAL_STATUSES: readonly LoggedModelStatus[] = ["LOGGED_MODEL_READY", "LOGGED_MODEL_UPLOAD_FAILED"];

export const loggedModelNotFound = (modelId: string) => notFound(`Logged model with ID '${modelId}' not found.`);

/**
 * The rules of MLflow 3's logged models: ids (`m-` + 32 hex), the artifact location under the experiment's root
 * (`<artifact_location>/models/<id>/artifacts`, so model files stay inside what the experiment owns), creation only
 * in an active experiment and from an existing run, finalize only to READY or UPLOAD_FAILED, every write audited.
 * The registry (registration by model id) reads models through get() and tags them through setTags().
 */
export class LoggedModelService {
  private readonly tracking: TrackingStore;
  private readonly clock: Clock;
  private readonly audit: AuditRecorder;
  private readonly random: RandomSource;

  constructor(
    private readonly store: LoggedModelStore,
    options: LoggedModelServiceOptions,
  ) {
    this.tracking = options.tracking;
    this.clock = options.clock ?? systemClock;
    this.audit = options.audit ?? noAudit;
    this.random = options.random ?? Math.random;
  }

  async create(request: NewLoggedModelRequest, context: WriteContext): Promise<LoggedModel> {
    return atomically(this.audit, async () => {
      if (request.name !== undefined) validateLoggedModelName(request.name);
      if (request.modelType !== undefined) validateLength("Model type", MAX_MODEL_TYPE_LENGTH, request.modelType);
      validateLoggedModelParams(request.params);
      validateLoggedModelTags(request.tags);
      const experiment = await findActiveExperiment(this.tracking, request.experimentId);
      if (request.sourceRunId !== undefined) await findRunInfo(this.tracking, request.sourceRunId);
      const modelId = `m-${newRunId()}`;
      const name = request.name ?? generateRunName(this.random);
      const model = await this.store.create({
        modelId,
        experimentId: experiment.experiment_id,
        name,
        artifactUri: appendToUri(experiment.artifact_location, "models", modelId, "artifacts"),
        ...(request.modelType !== undefined ? { modelType: request.modelType } : {}),
        ...(request.sourceRunId !== undefined ? { sourceRunId: request.sourceRunId } : {}),
        params: request.params,
        tags: request.tags,
        now: this.clock(),
      });
      await this.audit.record(context, {
        action: LoggedModelAction.CREATE,
        entityType: "logged_model",
        entityId: modelId,
        after: {
          experiment_id: experiment.experiment_id,
          name,
          artifact_uri: model.info.artifact_uri,
          model_type: request.modelType ?? null,
          source_run_id: request.sourceRunId ?? null,
          params: tagsObject(request.params),
          tags: tagsObject(request.tags),
        },
      });
      return model;
    });
  }

  /** The model; RESOURCE_DOES_NOT_EXIST naming the id if it is missing, deleted, or its experiment is deleted. */
  async get(modelId: string): Promise<LoggedModel> {
    validateLoggedModelId(modelId);
    const model = await this.store.get(modelId);
    if (model === undefined) throw loggedModelNotFound(modelId);
    return model;
  }

  async finalize(modelId: string, status: LoggedModelStatus, statusMessage: string | undefined, context: WriteContext): Promise<LoggedModel> {
    return atomically(this.audit, async () => {
      validateLoggedModelId(modelId);
      if (!FINAL_STATUSES.includes(status)) {
        throw invalidParameter(
          `Invalid value '${status}' for parameter 'status' supplied: a logged model is finalized as LOGGED_MODEL_READY or LOGGED_MODEL_UPLOAD_FAILED.`,
        );
      }
      if (statusMessage !== undefined) validateLength("Status message", MAX_STATUS_MESSAGE_LENGTH, statusMessage);
      const before = await this.get(modelId);
      const model = await this.store.finalize(modelId, {
        status,
        ...(statusMessage !== undefined ? { statusMessage } : {}),
        now: this.clock(),
      });
      if (model === undefined) throw loggedModelNotFound(modelId);
      await this.audit.record(context, {
        action: LoggedModelAction.FINALIZE,
        entityType: "logged_model",
        entityId: modelId,
        before: { status: before.info.status },
        after: { status, ...(statusMessage !== undefined ? { status_message: statusMessage } : {}) },
      });
      return model;
    });
  }

  async delete(modelId: string, context: WriteContext): Promise<void> {
    return atomically(this.audit, async () => {
      validateLoggedModelId(modelId);
      if (!(await this.store.delete(modelId, this.clock()))) throw loggedModelNotFound(modelId);
      await this.audit.record(context, {
        action: LoggedModelAction.DELETE,
        entityType: "logged_model",
        entityId: modelId,
        before: { lifecycle_stage: "active" },
        after: { lifecycle_stage: "deleted" },
      });
    });
  }

  /** Upserts tags and answers the model (SetLoggedModelTags.Response). */
  async setTags(modelId: string, tags: KeyValue[], context: WriteContext): Promise<LoggedModel> {
    return atomically(this.audit, async () => {
      validateLoggedModelId(modelId);
      validateLoggedModelTags(tags);
      const before = await this.get(modelId);
      if (!(await this.store.setTags(modelId, tags, this.clock()))) throw loggedModelNotFound(modelId);
      const previous = Object.fromEntries(
        before.info.tags.filter((tag) => tags.some((changed) => changed.key === tag.key)).map((tag) => [tag.key, tag.value]),
      );
      await this.audit.record(context, {
        action: LoggedModelAction.TAGS_SET,
        entityType: "logged_model",
        entityId: modelId,
        before: previous,
        after: tagsObject(tags),
      });
      return this.get(modelId);
    });
  }

  async deleteTag(modelId: string, key: string, context: WriteContext): Promise<void> {
    return atomically(this.audit, async () => {
      validateLoggedModelId(modelId);
      const before = await this.get(modelId);
      const outcome = await this.store.deleteTag(modelId, key, this.clock());
      if (outcome === "missing-model") throw loggedModelNotFound(modelId);
      if (outcome === "missing-tag") throw notFound(`No tag with key '${key}' found for model with ID '${modelId}'.`);
      await this.audit.record(context, {
        action: LoggedModelAction.TAG_DELETE,
        entityType: "logged_model",
        entityId: modelId,
        before: { key, value: before.info.tags.find((tag) => tag.key === key)?.value ?? null },
        after: null,
      });
    });
  }

  async logParams(modelId: string, params: KeyValue[], context: WriteContext): Promise<void> {
    return atomically(this.audit, async () => {
      validateLoggedModelId(modelId);
      validateLoggedModelParams(params);
      if (!(await this.store.logParams(modelId, params, this.clock()))) throw loggedModelNotFound(modelId);
      await this.audit.record(context, {
        action: LoggedModelAction.PARAMS_LOG,
        entityType: "logged_model",
        entityId: modelId,
        after: { params: tagsObject(params) },
      });
    });
  }

  async search(request: LoggedModelSearchRequest): Promise<Page<LoggedModel>> {
    const maxResults = request.maxResults ?? LOGGED_MODEL_SEARCH_DEFAULT;
    if (!Number.isInteger(maxResults) || maxResults < 1 || maxResults > LOGGED_MODEL_SEARCH_MAX) {
      throw invalidParameter(`Invalid value ${maxResults} for parameter 'max_results' supplied: it must be between 1 and ${LOGGED_MODEL_SEARCH_MAX}.`);
    }
    if (request.experimentIds.length > MAX_SEARCH_EXPERIMENT_IDS) {
      throw invalidParameter(`A search covers at most ${MAX_SEARCH_EXPERIMENT_IDS} experiment_ids; got ${request.experimentIds.length}.`);
    }
    for (const experimentId of request.experimentIds) validateExperimentId(experimentId);
    if (request.datasets.length > MAX_SEARCH_DATASETS) {
      throw invalidParameter(`A search names at most ${MAX_SEARCH_DATASETS} datasets; got ${request.datasets.length}.`);
    }
    if (request.orderBy.length > MAX_SEARCH_ORDER_BY) {
      throw invalidParameter(`A search has at most ${MAX_SEARCH_ORDER_BY} order_by clauses; got ${request.orderBy.length}.`);
    }
    const filter = parseLoggedModelFilter(request.filter);
    const orderBy = parseLoggedModelOrderBy(request.orderBy);
    // No experiment named, no model found (MLflow's query filters on an empty id list); the filter is still checked.
    if (request.experimentIds.length === 0) return { items: [] };
    return this.store.search({
      experimentIds: request.experimentIds,
      filter,
      datasets: request.datasets,
      orderBy,
      maxResults,
      ...(request.pageToken ? { pageToken: request.pageToken } : {}),
    });
  }

  /** runs/outputs: the run must be active and every model must exist (MLflow links what it is given; Cairn checks). */
  async logOutputs(runId: string, outputs: ModelOutput[], context: WriteContext): Promise<void> {
    return atomically(this.audit, async () => {
      validateRunId(runId);
      if (outputs.length > MAX_MODEL_LINKS_PER_REQUEST) {
        throw invalidParameter(`A request may log at most ${MAX_MODEL_LINKS_PER_REQUEST} models; got ${outputs.length}.`);
      }
      for (const [index, output] of outputs.entries()) validateLoggedModelId(output.model_id, `models[${index}].model_id`);
      await findActiveRunInfo(this.tracking, runId);
      for (const output of outputs) await this.get(output.model_id);
      if (outputs.length === 0) return;
      await this.tracking.logOutputs(runId, outputs);
      await this.audit.record(context, {
        action: LoggedModelAction.RUN_LOG_OUTPUTS,
        entityType: "run",
        entityId: runId,
        after: { models: outputs.map((output) => ({ model_id: output.model_id, step: output.step })) },
      });
    });
  }
}

