import type { WriteContext } from "../core/actor.js";
import { invalidParameter, notFound } from "../core/errors.js";
import type { Experiment, ExperimentTag, ViewType } from "../protocol/mlflow/entities.js";
import { appendToUri } from "./artifact-uri.js";
import { searchQueries } from "./search-queries.js";
import type { Page } from "./store.js";
import type { TrackingWrites } from "./tracking-writes.js";
import {
  SEARCH_MAX_RESULTS_DEFAULT,
  SEARCH_MAX_RESULTS_THRESHOLD,
  validateArtifactLocation,
  validateExperimentName,
  validateExperimentTag,
  validateExperimentsMaxResults,
} from "./validation.js";
import { TrackingAction, tagsObject } from "./write-audit.js";

export interface NewExperimentRequest {
  name: string;
  artifactLocation?: string;
  tags: ExperimentTag[];
}

export interface ExperimentSearchRequest {
  viewType?: ViewType;
  maxResults?: number;
  pageToken?: string;
  filter?: string;
  orderBy: string[];
}

/**
 * Experiments: MLflow's names, limits and messages, the artifact location of a new experiment (under the server's
 * default root unless the client names one), the lifecycle (delete, restore) and tags, each change audited.
 */
export class Experiments {
  constructor(
    private readonly writes: TrackingWrites,
    /** Root under which experiments without an explicit artifact_location live, e.g. "mlflow-artifacts:". */
    private readonly defaultArtifactRoot: string,
  ) {}

  async create(request: NewExperimentRequest, context: WriteContext): Promise<string> {
    return this.writes.atomic(async () => {
      validateExperimentName(request.name);
      if (request.artifactLocation) validateArtifactLocation(request.artifactLocation);
      for (const tag of request.tags) validateExperimentTag(tag);
      const defaultArtifactLocation = (experimentId: string) => appendToUri(this.defaultArtifactRoot, experimentId);
      const experimentId = await this.writes.store.createExperiment({
        name: request.name,
        ...(request.artifactLocation ? { artifactLocation: request.artifactLocation } : {}),
        defaultArtifactLocation,
        tags: request.tags,
        now: this.writes.clock(),
      });
      await this.writes.audit.record(context, {
        action: TrackingAction.EXPERIMENT_CREATE,
        entityType: "experiment",
        entityId: experimentId,
        after: {
          name: request.name,
          artifact_location: request.artifactLocation || defaultArtifactLocation(experimentId),
          tags: tagsObject(request.tags),
        },
      });
      return experimentId;
    });
  }

  /** Any lifecycle stage, as MLflow's get_experiment. */
  get(experimentId: string): Promise<Experiment> {
    return this.writes.experiment(experimentId);
  }

  async getByName(name: string): Promise<Experiment> {
    const experiment = await this.writes.store.getExperimentByName(name);
    if (!experiment) throw notFound(`Could not find experiment with name '${name}'`);
    return experiment;
  }

  async search(request: ExperimentSearchRequest): Promise<Page<Experiment>> {
    const maxResults = request.maxResults ?? SEARCH_MAX_RESULTS_DEFAULT;
    validateExperimentsMaxResults(maxResults);
    return this.writes.store.searchExperiments({
      viewType: request.viewType ?? "ACTIVE_ONLY",
      maxResults,
      ...(request.pageToken ? { pageToken: request.pageToken } : {}),
      filter: request.filter ? searchQueries.parseExperimentFilter(request.filter) : [],
      orderBy: searchQueries.parseExperimentOrderBy(request.orderBy),
    });
  }

  /** experiments/list, removed in MLflow 2.0 but still called by old clients: all experiments unless paged. */
  list(viewType: ViewType | undefined, maxResults: number | undefined, pageToken: string | undefined): Promise<Page<Experiment>> {
    return this.search({
      ...(viewType ? { viewType } : {}),
      maxResults: maxResults ?? SEARCH_MAX_RESULTS_THRESHOLD,
      ...(pageToken ? { pageToken } : {}),
      orderBy: [],
    });
  }

  async rename(experimentId: string, newName: string, context: WriteContext): Promise<void> {
    return this.writes.atomic(async () => {
      validateExperimentName(newName);
      const experiment = await this.get(experimentId);
      if (experiment.lifecycle_stage !== "active") throw invalidParameter("Cannot rename a non-active experiment.");
      await this.writes.store.renameExperiment(experimentId, newName, this.writes.clock());
      await this.writes.audit.record(context, {
        action: TrackingAction.EXPERIMENT_RENAME,
        entityType: "experiment",
        entityId: experimentId,
        before: { name: experiment.name },
        after: { name: newName },
      });
    });
  }

  async delete(experimentId: string, context: WriteContext): Promise<void> {
    return this.writes.atomic(async () => {
      const experiment = await this.get(experimentId);
      // MLflow looks the experiment up among active ones only, so a second delete is "does not exist".
      if (experiment.lifecycle_stage !== "active") throw notFound(`No Experiment with id=${experimentId} exists`);
      await this.writes.store.setExperimentLifecycle(experimentId, "deleted", this.writes.clock());
      await this.writes.recordLifecycle(context, TrackingAction.EXPERIMENT_DELETE, "experiment", experimentId, "active", "deleted");
    });
  }

  async restore(experimentId: string, context: WriteContext): Promise<void> {
    return this.writes.atomic(async () => {
      const experiment = await this.get(experimentId);
      if (experiment.lifecycle_stage !== "deleted") {
        throw invalidParameter(
          `The experiment ${experimentId} must be in the 'deleted' state. Current state is ${experiment.lifecycle_stage}.`,
        );
      }
      await this.writes.store.setExperimentLifecycle(experimentId, "active", this.writes.clock());
      await this.writes.recordLifecycle(context, TrackingAction.EXPERIMENT_RESTORE, "experiment", experimentId, "deleted", "active");
    });
  }

  async setTag(experimentId: string, tag: ExperimentTag, context: WriteContext): Promise<void> {
    return this.writes.atomic(async () => {
      validateExperimentTag(tag);
      const experiment = await this.writes.requireActiveExperiment(experimentId);
      await this.writes.store.setExperimentTag(experimentId, tag);
      const previous = experiment.tags.find((existing) => existing.key === tag.key);
      await this.writes.audit.record(context, {
        action: TrackingAction.EXPERIMENT_TAG_SET,
        entityType: "experiment",
        entityId: experimentId,
        before: previous ? { key: previous.key, value: previous.value } : null,
        after: { key: tag.key, value: tag.value },
      });
    });
  }

  async deleteTag(experimentId: string, key: string, context: WriteContext): Promise<void> {
    return this.writes.atomic(async () => {
      const experiment = await this.writes.requireActiveExperiment(experimentId);
      await this.writes.store.deleteExperimentTag(experimentId, key);
      const previous = experiment.tags.find((existing) => existing.key === key);
      await this.writes.audit.record(context, {
        action: TrackingAction.EXPERIMENT_TAG_DELETE,
        entityType: "experiment",
        entityId: experimentId,
        before: { key, ...(previous ? { value: previous.value } : {}) },
        after: null,
      });
    });
  }
}
