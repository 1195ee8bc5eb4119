import { ANONYMOUS, type WriteContext } from "../core/actor.js";
import { systemClock, type Clock } from "../core/clock.js";
import { invalidParameter, notFound } from "../core/errors.js";
import { RegistryEventType, type EventSink } from "../core/events.js";
import { atomically, type AuditRecorder } from "../audit/recorder.js";
import type {
  ModelStage,
  ModelVersion,
  ModelVersionTag,
  RegisteredModel,
  RegisteredModelTag,
} from "../protocol/mlflow/registry-entities.js";
import type { Page, TrackingStore } from "../tracking/store.js";
import { validateRunId } from "../tracking/validation.js";
import { validateLoggedModelId } from "../tracking/logged-models/validation.js";
import { NO_LOGGED_MODELS, type LoggedModelLookup } from "./logged-model-lookup.js";
import { resolveModelUri, type ModelUri, type ModelVersionLookup } from "./model-uri.js";
import { hasPromptTag } from "./prompts.js";
import type { PromotionGate, PromotionTarget } from "./promotion-gate.js";
import { PromotionEnforcement, type GatedChange, type GatedOutcome } from "./promotion-enforcement.js";
import { promptTemplate, promptEventTags } from "./prompt-events.js";
import { registrySearchQueries } from "./search-queries.js";
import type { RegistryStore } from "./store.js";
import { VersionSources } from "./version-sources.js";
import type { IntegrityService } from "./integrity/integrity-service.js";
import { storeKeyOfArtifactUri } from "../artifacts/artifact-uri.js";
import {
  ACTIVE_STAGES,
  SEARCH_MODEL_VERSION_MAX_RESULTS_DEFAULT,
  SEARCH_REGISTERED_MODEL_MAX_RESULTS_DEFAULT,
  canonicalStage,
  canonicalVersion,
  validateAliasName,
  validateDescription,
  validateModelName,
  validateModelVersionsMaxResults,
  validateRegisteredModelsMaxResults,
  validateRegistryTag,
  validateRegistryTagKey,
} from "./validation.js";

/**
 * Other domains keep rows keyed by model name and version (governance: rules, approvals, cards); they follow renames
 * and deletes through this interface. The governance store satisfies it.
 */
export interface RegistryFollower {
  renameModel(name: string, newName: string): Promise<void>;
  deleteModel(name: string): Promise<void>;
  deleteVersion(name: string, version: string): Promise<void>;
}

export interface RegistryServiceOptions {
  /** Read-only: run checks and run artifact URIs for sources. */
  tracking: TrackingStore;
  audit: AuditRecorder;
  events: EventSink;
  promotion: PromotionGate;
  /** MLflow 3 logged models, for `model_id` and models:/<model_id> sources (default: none exist). */
  loggedModels?: LoggedModelLookup;
  clock?: Clock;
  followers?: readonly RegistryFollower[];
  /** Pins each new version's files by sha256 (integrity/); absent: versions are not pinned. */
  integrity?: IntegrityService;
}

export interface NewRegisteredModelRequest {
  name: string;
  description?: string;
  tags: RegisteredModelTag[];
}

export interface NewModelVersionRequest {
  name: string;
  source: string;
  runId?: string;
  runLink?: string;
  /** MLflow 3: the logged model this version registers (CreateModelVersion.model_id). */
  modelId?: string;
  description?: string;
  tags: ModelVersionTag[];
}

export interface RegistrySearchRequest {
  filter?: string;
  maxResults?: number;
  orderBy: string[];
  pageToken?: string;
}

/** models:/ sources may point at versions that themselves have models:/ sources; a chain is followed this far. */
const NAME_FILTER_PAGE = 1000;

const versionEntity = (name: string, version: string): string => `${name}/${version}`;

/**
 * The rules of the model registry: MLflow's validation and messages, sources confined to the artifact store,
 * promotion rules before an alias moves or a stage changes, and after every write an audit entry and (for the events
 * webhooks care about) a domain event. The store below persists; the routes above translate HTTP.
 */
export class RegistryService implements ModelVersionLookup {
  private readonly tracking: TrackingStore;
  private readonly audit: AuditRecorder;
  private readonly events: EventSink;
  private readonly enforcement: PromotionEnforcement;
  private readonly clock: Clock;
  private readonly followers: readonly RegistryFollower[];
  private readonly sources: VersionSources;
  private readonly integrity: IntegrityService | undefined;

  constructor(
    private readonly store: RegistryStore,
    options: RegistryServiceOptions,
  ) {
    this.tracking = options.tracking;
    this.audit = options.audit;
    this.events = options.events;
    this.clock = options.clock ?? systemClock;
    this.followers = options.followers ?? [];
    this.integrity = options.integrity;
    this.sources = new VersionSources(store, this.tracking, options.loggedModels ?? NO_LOGGED_MODELS);
    this.enforcement = new PromotionEnforcement({
      gate: options.promotion,
      store,
      audit: this.audit,
      publish: (type, ctx, payload) => this.publish(type, ctx, payload),
    });
  }

  // --- registered models ---

  async createRegisteredModel(request: NewRegisteredModelRequest, ctx: WriteContext): Promise<RegisteredModel> {
    validateModelName(request.name);
    if (request.description !== undefined) validateDescription(request.description);
    for (const tag of request.tags) validateRegistryTag(tag);
    const userId = declaredUserId(ctx);
    return this.atomic(async () => {
      const model = await this.store.createRegisteredModel({
        name: request.name,
        ...(request.description !== undefined ? { description: request.description } : {}),
        tags: request.tags,
        ...(userId ? { userId } : {}),
        now: this.clock(),
      });
      await this.audit.record(ctx, {
        action: "registry.registered_model.create",
        entityType: "registered_model",
        entityId: model.name,
        after: { name: model.name, description: model.description ?? null, tags: tagMap(model.tags) },
      });
      const prompt = hasPromptTag(model.tags);
      await this.publish(prompt ? RegistryEventType.PROMPT_CREATED : RegistryEventType.REGISTERED_MODEL_CREATED, ctx, {
        name: model.name,
        tags: prompt ? promptEventTags(model.tags) : tagMap(model.tags),
        description: model.description ?? null,
      });
      return model;
    });
  }

  async getRegisteredModel(name: string): Promise<RegisteredModel> {
    validateModelName(name);
    const model = await this.store.getRegisteredModel(name);
    if (!model) throw notFound(`Registered Model with name=${name} not found`);
    return model;
  }

  async renameRegisteredModel(name: string, newName: string, ctx: WriteContext): Promise<RegisteredModel> {
    validateModelName(name);
    validateModelName(newName, "new_name");
    return this.atomic(async () => {
      const model = await this.store.renameRegisteredModel(name, newName, this.clock());
      for (const follower of this.followers) await follower.renameModel(name, newName);
      await this.audit.record(ctx, {
        action: "registry.registered_model.rename",
        entityType: "registered_model",
        entityId: name,
        before: { name },
        after: { name: model.name },
      });
      return model;
    });
  }

  async updateRegisteredModel(name: string, description: string | undefined, ctx: WriteContext): Promise<RegisteredModel> {
    if (description !== undefined) validateDescription(description);
    return this.atomic(async () => {
      const before = await this.getRegisteredModel(name);
      const model = await this.store.updateRegisteredModel(
        name,
        description !== undefined ? { description } : {},
        this.clock(),
      );
      await this.audit.record(ctx, {
        action: "registry.registered_model.update",
        entityType: "registered_model",
        entityId: name,
        before: { description: before.description ?? null },
        after: { description: model.description ?? null },
      });
      return model;
    });
  }

  /** Deletes the model with its versions; each alias it had is audited as deleted, so alias histories end. */
  async deleteRegisteredModel(name: string, ctx: WriteContext): Promise<void> {
    await this.atomic(async () => {
      const model = await this.getRegisteredModel(name);
      await this.store.deleteRegisteredModel(name);
      for (const follower of this.followers) await follower.deleteModel(name);
      await this.audit.record(ctx, {
        action: "registry.registered_model.delete",
        entityType: "registered_model",
        entityId: name,
        before: { name, aliases: model.aliases, tags: tagMap(model.tags) },
      });
      const prompt = hasPromptTag(model.tags);
      for (const alias of model.aliases) await this.recordAliasRemoved(name, alias.alias, alias.version, "registered_model_deleted", ctx, prompt);
    });
  }

  async searchRegisteredModels(request: RegistrySearchRequest): Promise<Page<RegisteredModel>> {
    const maxResults = request.maxResults ?? SEARCH_REGISTERED_MODEL_MAX_RESULTS_DEFAULT;
    validateRegisteredModelsMaxResults(maxResults);
    return this.store.searchRegisteredModels({
      filter: request.filter ? registrySearchQueries.parseRegisteredModelFilter(request.filter) : [],
      orderBy: registrySearchQueries.parseRegisteredModelOrderBy(request.orderBy),
      maxResults,
      ...(request.pageToken ? { pageToken: request.pageToken } : {}),
    });
  }

  async getLatestVersions(name: string, stages: readonly string[]): Promise<ModelVersion[]> {
    const canonical = stages.map(canonicalStage);
    await this.getRegisteredModel(name);
    return this.store.getLatestVersions(name, [...new Set(canonical)]);
  }

  async setRegisteredModelTag(name: string, tag: RegisteredModelTag, ctx: WriteContext): Promise<void> {
    validateModelName(name);
    validateRegistryTag(tag);
    await this.atomic(async () => {
      const model = await this.getRegisteredModel(name);
      await this.store.setRegisteredModelTag(name, tag, this.clock());
      const previous = model.tags.find((existing) => existing.key === tag.key);
      await this.audit.record(ctx, {
        action: "registry.registered_model_tag.set",
        entityType: "registered_model",
        entityId: name,
        before: previous ? { key: tag.key, value: previous.value } : null,
        after: { key: tag.key, value: tag.value },
      });
      // MLflow has no event for a model's tags, only for a prompt's.
      if (hasPromptTag(model.tags) || hasPromptTag([tag])) {
        await this.publish(RegistryEventType.PROMPT_TAG_SET, ctx, { name, key: tag.key, value: tag.value });
      }
    });
  }

  async deleteRegisteredModelTag(name: string, key: string, ctx: WriteContext): Promise<void> {
    validateModelName(name);
    validateRegistryTagKey(key);
    await this.atomic(async () => {
      const model = await this.getRegisteredModel(name);
      await this.store.deleteRegisteredModelTag(name, key, this.clock());
      const previous = model.tags.find((existing) => existing.key === key);
      await this.audit.record(ctx, {
        action: "registry.registered_model_tag.delete",
        entityType: "registered_model",
        entityId: name,
        before: previous ? { key, value: previous.value } : null,
        after: null,
      });
      if (hasPromptTag(model.tags)) await this.publish(RegistryEventType.PROMPT_TAG_DELETED, ctx, { name, key });
    });
  }

  // --- aliases ---

  /**
   * Moves an alias through the promotion gate: the one path by which what an alias names changes, for the MLflow
   * route, Cairn's API and deployments that follow the alias (their promote and rollback are this call).
   */
  async setAlias(name: string, alias: string, version: string, ctx: WriteContext, change: GatedChange = {}): Promise<GatedOutcome> {
    validateModelName(name);
    validateAliasName(alias);
    const target = await this.getModelVersion(name, version);
    const outcome = await this.requirePromotion(target, { kind: "alias", alias }, ctx, change);
    return this.atomic(async () => {
      const { previousVersion } = await this.store.setAlias(name, alias, target.version, this.clock());
      await this.audit.record(ctx, {
        action: "registry.alias.set",
        entityType: "registered_model",
        entityId: name,
        before: previousVersion !== undefined ? { alias, version: previousVersion } : null,
        after: {
          alias,
          version: target.version,
          ...(change.reason !== undefined ? { reason: change.reason } : {}),
          ...(outcome.approvalsSkipped !== undefined ? { approvals_skipped: outcome.approvalsSkipped } : {}),
        },
      });
      const prompt = await this.sources.isPrompt(name, target.tags);
      await this.publish(prompt ? RegistryEventType.PROMPT_ALIAS_CREATED : RegistryEventType.ALIAS_SET, ctx, {
        name,
        alias,
        version: target.version,
        previous_version: previousVersion ?? null,
      });
      return outcome;
    });
  }

  /** Removing an alias that does not exist is not an error (MLflow's behaviour), and not a change worth auditing. */
  async deleteAlias(name: string, alias: string, ctx: WriteContext): Promise<void> {
    if (alias === "") throw invalidParameter("Registered model alias name cannot be empty.");
    await this.atomic(async () => {
      const model = await this.getRegisteredModel(name);
      const { previousVersion } = await this.store.deleteAlias(name, alias, this.clock());
      if (previousVersion !== undefined) {
        await this.recordAliasRemoved(name, alias, previousVersion, "alias_deleted", ctx, hasPromptTag(model.tags));
      }
    });
  }

  async getModelVersionByAlias(name: string, alias: string): Promise<ModelVersion> {
    if (alias === "") throw invalidParameter("Registered model alias name cannot be empty.");
    const version = await this.store.getVersionByAlias(name, alias);
    if (version) return version;
    await this.getRegisteredModel(name);
    // MLflow's code for this error (sqlalchemy_store.get_model_version_by_alias).
    throw invalidParameter(`Registered model alias ${alias} not found.`);
  }

  // --- model versions ---

  async createModelVersion(request: NewModelVersionRequest, ctx: WriteContext): Promise<ModelVersion> {
    validateModelName(request.name);
    if (request.description !== undefined) validateDescription(request.description);
    for (const tag of request.tags) validateRegistryTag(tag);
    if (request.runId !== undefined) validateRunId(request.runId);
    if (request.modelId !== undefined) validateLoggedModelId(request.modelId);
    const checked = await this.sources.check(request);
    const userId = declaredUserId(ctx);
    // Hashed before the transaction (it reads files); recorded inside it, with the version and its audit event.
    const files =
      this.integrity !== undefined && checked.downloadUri !== undefined
        ? await this.integrity.snapshot(storeKeyOfArtifactUri(request.runId ?? "", checked.downloadUri))
        : undefined;
    return this.atomic(async () => {
      const version = await this.store.createModelVersion({
        name: request.name,
        source: request.source,
        ...(checked.runId !== undefined ? { runId: checked.runId } : {}),
        ...(request.runLink !== undefined ? { runLink: request.runLink } : {}),
        ...(checked.modelId !== undefined ? { modelId: checked.modelId } : {}),
        ...(request.description !== undefined ? { description: request.description } : {}),
        tags: request.tags,
        ...(userId ? { userId } : {}),
        now: this.clock(),
      });
      const pinned = files !== undefined ? await this.integrity?.recordAtRegistration(version.name, version.version, files) : undefined;
      await this.audit.record(ctx, {
        action: "registry.model_version.create",
        entityType: "model_version",
        entityId: versionEntity(version.name, version.version),
        after: {
          name: version.name,
          version: version.version,
          source: version.source,
          run_id: version.run_id ?? null,
          model_id: version.model_id ?? null,
          ...(pinned !== undefined ? { pinned_files: pinned.files, manifest_sha256: pinned.manifest_sha256 } : {}),
        },
      });
      await this.publishVersionCreated(version, ctx);
      return version;
    });
  }

  async getModelVersion(name: string, version: string): Promise<ModelVersion> {
    validateModelName(name);
    const canonical = canonicalVersion(version);
    const found = await this.store.getModelVersion(name, canonical);
    if (!found) throw notFound(`Model Version (name=${name}, version=${canonical}) not found`);
    return found;
  }

  async updateModelVersion(name: string, version: string, description: string | undefined, ctx: WriteContext): Promise<ModelVersion> {
    if (description !== undefined) validateDescription(description);
    return this.atomic(async () => {
      const before = await this.getModelVersion(name, version);
      const updated = await this.store.updateModelVersion(
        name,
        before.version,
        description !== undefined ? { description } : {},
        this.clock(),
      );
      await this.audit.record(ctx, {
        action: "registry.model_version.update",
        entityType: "model_version",
        entityId: versionEntity(name, before.version),
        before: { description: before.description ?? null },
        after: { description: updated.description ?? null },
      });
      return updated;
    });
  }

  /** Deletes the version; the aliases that pointed to it go with it and are audited as deleted. */
  async deleteModelVersion(name: string, version: string, ctx: WriteContext): Promise<void> {
    await this.atomic(async () => {
      const existing = await this.getModelVersion(name, version);
      await this.store.deleteModelVersion(name, existing.version, this.clock());
      for (const follower of this.followers) await follower.deleteVersion(name, existing.version);
      await this.audit.record(ctx, {
        action: "registry.model_version.delete",
        entityType: "model_version",
        entityId: versionEntity(name, existing.version),
        before: { source: existing.source, run_id: existing.run_id ?? null, stage: existing.current_stage, aliases: existing.aliases },
      });
      const prompt = existing.aliases.length > 0 && (await this.sources.isPrompt(name, existing.tags));
      for (const alias of existing.aliases) {
        await this.recordAliasRemoved(name, alias, existing.version, "model_version_deleted", ctx, prompt);
      }
    });
  }

  async searchModelVersions(request: RegistrySearchRequest): Promise<Page<ModelVersion>> {
    const maxResults = request.maxResults ?? SEARCH_MODEL_VERSION_MAX_RESULTS_DEFAULT;
    validateModelVersionsMaxResults(maxResults);
    return this.store.searchModelVersions({
      filter: request.filter ? registrySearchQueries.parseModelVersionFilter(request.filter) : [],
      orderBy: registrySearchQueries.parseModelVersionOrderBy(request.orderBy),
      maxResults,
      ...(request.pageToken ? { pageToken: request.pageToken } : {}),
    });
  }

  /**
   * The mlflow-artifacts: URI of the version's files; clients download them through this server's proxy. A prompt
   * version (its tag, or its registered model's) has no files, and its placeholder source is never resolved.
   */
  async getModelVersionDownloadUri(name: string, version: string): Promise<string> {
    const found = await this.getModelVersion(name, version);
    return this.sources.downloadUri(found);
  }

  async transitionStage(
    name: string,
    version: string,
    stage: string,
    archiveExistingVersions: boolean,
    ctx: WriteContext,
  ): Promise<ModelVersion> {
    const target = canonicalStage(stage);
    if (archiveExistingVersions && !ACTIVE_STAGES.includes(target)) {
      throw invalidParameter(
        `Model version transition cannot archive existing model versions because '${stage}' is not an Active ` +
          `stage. Valid stages are ['Staging', 'Production']`,
      );
    }
    const existing = await this.getModelVersion(name, version);
    await this.requirePromotion(existing, { kind: "stage", stage: target }, ctx);
    return this.atomic(async () => {
      const archived = archiveExistingVersions ? await this.versionsInStage(name, target, existing.version) : [];
      const updated = await this.store.transitionStage(name, existing.version, target, archiveExistingVersions, this.clock());
      await this.audit.record(ctx, {
        action: "registry.stage.transition",
        entityType: "model_version",
        entityId: versionEntity(name, updated.version),
        before: { stage: existing.current_stage },
        after: { stage: updated.current_stage, archived_versions: archived },
      });
      for (const other of archived) {
        await this.audit.record(ctx, {
          action: "registry.stage.transition",
          entityType: "model_version",
          entityId: versionEntity(name, other),
          before: { stage: target },
          after: { stage: "Archived", archived_by: updated.version },
        });
      }
      await this.publish(RegistryEventType.STAGE_CHANGED, ctx, {
        name,
        version: updated.version,
        stage: updated.current_stage,
        previous_stage: existing.current_stage,
        archived_versions: archived,
      });
      return updated;
    });
  }

  /** The other versions of `name` now in `stage`: those that archive_existing_versions will move to Archived. */
  private async versionsInStage(name: string, stage: ModelStage, except: string): Promise<string[]> {
    const found: string[] = [];
    let pageToken: string | undefined;
    do {
      const page = await this.store.searchModelVersions({
        filter: [{ entity: "attribute", key: "name", comparator: "=", value: name }],
        orderBy: [],
        maxResults: NAME_FILTER_PAGE,
        ...(pageToken ? { pageToken } : {}),
      });
      for (const version of page.items) {
        if (version.current_stage === stage && version.version !== except) found.push(version.version);
      }
      pageToken = page.nextPageToken;
    } while (pageToken);
    return found.sort((a, b) => Number(a) - Number(b));
  }

  async setModelVersionTag(name: string, version: string, tag: ModelVersionTag, ctx: WriteContext): Promise<void> {
    validateRegistryTag(tag);
    await this.atomic(async () => {
      const existing = await this.getModelVersion(name, version);
      await this.store.setModelVersionTag(name, existing.version, tag, this.clock());
      const previous = existing.tags.find((candidate) => candidate.key === tag.key);
      await this.audit.record(ctx, {
        action: "registry.model_version_tag.set",
        entityType: "model_version",
        entityId: versionEntity(name, existing.version),
        before: previous ? { key: tag.key, value: previous.value } : null,
        after: { key: tag.key, value: tag.value },
      });
      const prompt = await this.sources.isPrompt(name, existing.tags);
      await this.publish(prompt ? RegistryEventType.PROMPT_VERSION_TAG_SET : RegistryEventType.MODEL_VERSION_TAG_SET, ctx, {
        name,
        version: existing.version,
        key: tag.key,
        value: tag.value,
      });
    });
  }

  async deleteModelVersionTag(name: string, version: string, key: string, ctx: WriteContext): Promise<void> {
    validateRegistryTagKey(key);
    await this.atomic(async () => {
      const existing = await this.getModelVersion(name, version);
      await this.store.deleteModelVersionTag(name, existing.version, key, this.clock());
      const previous = existing.tags.find((candidate) => candidate.key === key);
      await this.audit.record(ctx, {
        action: "registry.model_version_tag.delete",
        entityType: "model_version",
        entityId: versionEntity(name, existing.version),
        before: previous ? { key, value: previous.value } : null,
        after: null,
      });
      const prompt = await this.sources.isPrompt(name, existing.tags);
      await this.publish(prompt ? RegistryEventType.PROMPT_VERSION_TAG_DELETED : RegistryEventType.MODEL_VERSION_TAG_DELETED, ctx, {
        name,
        version: existing.version,
        key,
      });
    });
  }

  /** The version a models:/ URI names (serving and the CLI load models through this). */
  async resolveModelUri(uri: string | ModelUri): Promise<ModelVersion> {
    return resolveModelUri(this, uri);
  }

  // --- helpers ---

  /** A write and its audit event (and webhook event) commit together: see AuditRecorder.atomically. */
  private atomic<T>(work: () => Promise<T>): Promise<T> {
    return atomically(this.audit, work);
  }

  /**
   * The one promotion gate (promotion-enforcement.ts): alias moves and stage changes call it here; deployments call it
   * for their own target (deployment:<name>).
   */
  async requirePromotion(version: ModelVersion, target: PromotionTarget, ctx: WriteContext, change: GatedChange = {}): Promise<GatedOutcome> {
    return this.enforcement.require(version, target, ctx, change);
  }

  private async recordAliasRemoved(
    name: string,
    alias: string,
    version: string,
    reason: string,
    ctx: WriteContext,
    prompt: boolean,
  ): Promise<void> {
    await this.audit.record(ctx, {
      action: "registry.alias.delete",
      entityType: "registered_model",
      entityId: name,
      before: { alias, version },
      after: null,
    });
    await this.publish(prompt ? RegistryEventType.PROMPT_ALIAS_DELETED : RegistryEventType.ALIAS_DELETED, ctx, {
      name,
      alias,
      previous_version: version,
      reason,
    });
  }

  /** model_version.created, or prompt_version.created for a prompt's version (MLflow's payload for each). */
  private async publishVersionCreated(version: ModelVersion, ctx: WriteContext): Promise<void> {
    if (await this.sources.isPrompt(version.name, version.tags)) {
      await this.publish(RegistryEventType.PROMPT_VERSION_CREATED, ctx, {
        name: version.name,
        version: version.version,
        template: promptTemplate(version.tags),
        tags: promptEventTags(version.tags),
        description: version.description ?? null,
      });
      return;
    }
    await this.publish(RegistryEventType.MODEL_VERSION_CREATED, ctx, {
      name: version.name,
      version: version.version,
      source: version.source,
      run_id: version.run_id ?? null,
      tags: tagMap(version.tags),
      description: version.description ?? null,
    });
  }

  private async publish(type: RegistryEventType, ctx: WriteContext, payload: Record<string, unknown>): Promise<void> {
    await this.events.publish({ type, time: this.clock(), actor: ctx.actor, requestId: ctx.requestId, payload });
  }
}

const tagMap = (tags: readonly RegisteredModelTag[]): Record<string, string> =>
  Object.fromEntries(tags.map((tag) => [tag.key, tag.value]));

/** The client's declared user, recorded as user_id (MLflow leaves it empty); nothing for anonymous requests. */
const declaredUserId = (ctx: WriteContext): string | undefined =>
  ctx.actor.name === ANONYMOUS.name && !ctx.actor.verified ? undefined : ctx.actor.name;
