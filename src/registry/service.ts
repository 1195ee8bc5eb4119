import type { WriteContext } from "../core/actor.js";
import { systemClock, type Clock } from "../core/clock.js";
import type { EventSink } from "../core/events.js";
import type { AuditRecorder } from "../audit/recorder.js";
import type { ModelVersion, ModelVersionTag, RegisteredModel, RegisteredModelTag } from "../protocol/mlflow/registry-entities.js";
import type { Page, TrackingStore } from "../tracking/store.js";
import type { IntegrityService } from "./integrity/integrity-service.js";
import { NO_LOGGED_MODELS, type LoggedModelLookup } from "./logged-model-lookup.js";
import { ModelAliases } from "./model-aliases.js";
import { ModelStages } from "./model-stages.js";
import { resolveModelUri, type ModelUri, type ModelVersionLookup } from "./model-uri.js";
import { ModelVersions, type NewModelVersionRequest } from "./model-versions.js";
import type { PromotionGate, PromotionTarget } from "./promotion-gate.js";
import { PromotionEnforcement, type GatedChange, type GatedOutcome } from "./promotion-enforcement.js";
import { RegisteredModels, type NewRegisteredModelRequest } from "./registered-models.js";
import { RegistryEvents } from "./registry-events.js";
import { RegistryWrites, type RegistryFollower } from "./registry-writes.js";
import type { RegistrySearchRequest } from "./search-queries.js";
import type { RegistryStore } from "./store.js";
import { VersionSources } from "./version-sources.js";

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

/**
 * The model registry as routes, deployments and the CLI see it: one object over its parts, each one concept
 * (registered-models.ts, model-versions.ts, model-aliases.ts, model-stages.ts), which share the store, the audit
 * trail and the events through RegistryWrites. Alias moves, stage changes and deployments' own targets all pass
 * the one promotion gate (promotion-enforcement.ts) that this object holds.
 */
export class RegistryService implements ModelVersionLookup {
  private readonly models: RegisteredModels;
  private readonly versions: ModelVersions;
  private readonly aliases: ModelAliases;
  private readonly stages: ModelStages;
  private readonly enforcement: PromotionEnforcement;

  constructor(store: RegistryStore, options: RegistryServiceOptions) {
    const clock = options.clock ?? systemClock;
    const events = new RegistryEvents(options.events, clock, store);
    const writes = new RegistryWrites(store, options.audit, events, clock, options.followers ?? []);
    this.enforcement = new PromotionEnforcement({
      gate: options.promotion,
      store,
      audit: options.audit,
      publish: (type, ctx, payload) => events.publish(type, ctx, payload),
    });
    this.aliases = new ModelAliases(writes, this.enforcement);
    this.stages = new ModelStages(writes, this.enforcement);
    this.models = new RegisteredModels(writes, this.aliases);
    const sources = new VersionSources(store, options.tracking, options.loggedModels ?? NO_LOGGED_MODELS);
    this.versions = new ModelVersions(writes, this.aliases, sources, options.integrity);
  }

  // --- registered models ---

  createRegisteredModel(request: NewRegisteredModelRequest, ctx: WriteContext): Promise<RegisteredModel> {
    return this.models.create(request, ctx);
  }

  getRegisteredModel(name: string): Promise<RegisteredModel> {
    return this.models.get(name);
  }

  renameRegisteredModel(name: string, newName: string, ctx: WriteContext): Promise<RegisteredModel> {
    return this.models.rename(name, newName, ctx);
  }

  updateRegisteredModel(name: string, description: string | undefined, ctx: WriteContext): Promise<RegisteredModel> {
    return this.models.update(name, description, ctx);
  }

  deleteRegisteredModel(name: string, ctx: WriteContext): Promise<void> {
    return this.models.delete(name, ctx);
  }

  searchRegisteredModels(request: RegistrySearchRequest): Promise<Page<RegisteredModel>> {
    return this.models.search(request);
  }

  setRegisteredModelTag(name: string, tag: RegisteredModelTag, ctx: WriteContext): Promise<void> {
    return this.models.setTag(name, tag, ctx);
  }

  deleteRegisteredModelTag(name: string, key: string, ctx: WriteContext): Promise<void> {
    return this.models.deleteTag(name, key, ctx);
  }

  // --- model versions ---

  createModelVersion(request: NewModelVersionRequest, ctx: WriteContext): Promise<ModelVersion> {
    return this.versions.create(request, ctx);
  }

  getModelVersion(name: string, version: string): Promise<ModelVersion> {
    return this.versions.get(name, version);
  }

  updateModelVersion(name: string, version: string, description: string | undefined, ctx: WriteContext): Promise<ModelVersion> {
    return this.versions.update(name, version, description, ctx);
  }

  deleteModelVersion(name: string, version: string, ctx: WriteContext): Promise<void> {
    return this.versions.delete(name, version, ctx);
  }

  searchModelVersions(request: RegistrySearchRequest): Promise<Page<ModelVersion>> {
    return this.versions.search(request);
  }

  getModelVersionDownloadUri(name: string, version: string): Promise<string> {
    return this.versions.downloadUri(name, version);
  }

  setModelVersionTag(name: string, version: string, tag: ModelVersionTag, ctx: WriteContext): Promise<void> {
    return this.versions.setTag(name, version, tag, ctx);
  }

  deleteModelVersionTag(name: string, version: string, key: string, ctx: WriteContext): Promise<void> {
    return this.versions.deleteTag(name, version, key, ctx);
  }

  /** The version a models:/ URI names (serving and the CLI load models through this). */
  resolveModelUri(uri: string | ModelUri): Promise<ModelVersion> {
    return resolveModelUri(this, uri);
  }

  // --- aliases and stages: what users are served, through the promotion gate ---

  setAlias(name: string, alias: string, version: string, ctx: WriteContext, change: GatedChange = {}): Promise<GatedOutcome> {
    return this.aliases.set(name, alias, version, ctx, change);
  }

  deleteAlias(name: string, alias: string, ctx: WriteContext): Promise<void> {
    return this.aliases.delete(name, alias, ctx);
  }

  getModelVersionByAlias(name: string, alias: string): Promise<ModelVersion> {
    return this.aliases.versionOf(name, alias);
  }

  transitionStage(name: string, version: string, stage: string, archiveExistingVersions: boolean, ctx: WriteContext): Promise<ModelVersion> {
    return this.stages.transition(name, version, stage, archiveExistingVersions, ctx);
  }

  getLatestVersions(name: string, stages: readonly string[]): Promise<ModelVersion[]> {
    return this.stages.latestVersions(name, stages);
  }

  /**
   * The one promotion gate (promotion-enforcement.ts): alias moves and stage changes pass it inside the registry;
   * deployments call it here for their own target (deployment:<name>).
   */
  requirePromotion(version: ModelVersion, target: PromotionTarget, ctx: WriteContext, change: GatedChange = {}): Promise<GatedOutcome> {
    return this.enforcement.require(version, target, ctx, change);
  }
}
