import type { WriteContext } from "../core/actor.js";
import type { ModelVersion, ModelVersionTag } from "../protocol/mlflow/registry-entities.js";
import { storeKeyOfArtifactUri } from "../artifacts/artifact-uri.js";
import type { Page } from "../tracking/store.js";
import { validateRunId } from "../tracking/validation.js";
import { validateLoggedModelId } from "../tracking/logged-models/validation.js";
import type { IntegrityService } from "./integrity/integrity-service.js";
import type { ModelAliases } from "./model-aliases.js";
import { declaredUserId, versionEntity, type RegistryWrites } from "./registry-writes.js";
import { modelVersionSearch, type RegistrySearchRequest } from "./search-queries.js";
import type { NewModelVersion } from "./store.js";
import { validateDescription, validateModelName, validateRegistryTag, validateRegistryTagKey } from "./validation.js";
import type { VersionSources } from "./version-sources.js";

/** A CreateModelVersion request: the new version as the store takes it, less what the service adds (user, time). */
export type NewModelVersionRequest = Omit<NewModelVersion, "userId" | "now">;

/**
 * Model versions: a new one's source must pass the source rules (version-sources.ts) and its files are pinned when
 * integrity is on; every change is audited, and a deleted version's aliases end with it.
 */
export class ModelVersions {
  constructor(
    private readonly writes: RegistryWrites,
    private readonly aliases: ModelAliases,
    private readonly sources: VersionSources,
    /** Pins each new version's files by sha256 (integrity/); absent: versions are not pinned. */
    private readonly integrity: IntegrityService | undefined,
  ) {}

  async create(request: NewModelVersionRequest, ctx: WriteContext): Promise<ModelVersion> {
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
    return this.writes.atomic(async () => {
      const version = await this.writes.store.createModelVersion({
        name: request.name,
        source: request.source,
        ...(checked.runId !== undefined ? { runId: checked.runId } : {}),
        ...(request.runLink !== undefined ? { runLink: request.runLink } : {}),
        ...(checked.modelId !== undefined ? { modelId: checked.modelId } : {}),
        ...(request.description !== undefined ? { description: request.description } : {}),
        tags: request.tags,
        ...(userId ? { userId } : {}),
        now: this.writes.clock(),
      });
      const pinned = files !== undefined ? await this.integrity?.recordAtRegistration(version.name, version.version, files) : undefined;
      await this.writes.audit.record(ctx, {
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
      await this.writes.events.versionCreated(version, ctx);
      return version;
    });
  }

  get(name: string, version: string): Promise<ModelVersion> {
    return this.writes.modelVersion(name, version);
  }

  async update(name: string, version: string, description: string | undefined, ctx: WriteContext): Promise<ModelVersion> {
    if (description !== undefined) validateDescription(description);
    return this.writes.atomic(async () => {
      const before = await this.writes.modelVersion(name, version);
      const updated = await this.writes.store.updateModelVersion(name, before.version, description !== undefined ? { description } : {}, this.writes.clock());
      await this.writes.audit.record(ctx, {
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
  async delete(name: string, version: string, ctx: WriteContext): Promise<void> {
    await this.writes.atomic(async () => {
      const existing = await this.writes.modelVersion(name, version);
      await this.writes.store.deleteModelVersion(name, existing.version, this.writes.clock());
      for (const follower of this.writes.followers) await follower.deleteVersion(name, existing.version);
      await this.writes.audit.record(ctx, {
        action: "registry.model_version.delete",
        entityType: "model_version",
        entityId: versionEntity(name, existing.version),
        before: { source: existing.source, run_id: existing.run_id ?? null, stage: existing.current_stage, aliases: existing.aliases },
      });
      const prompt = existing.aliases.length > 0 && (await this.writes.events.isPrompt(name, existing.tags));
      for (const alias of existing.aliases) await this.aliases.recordRemoved(name, alias, existing.version, "model_version_deleted", prompt, ctx);
    });
  }

  async search(request: RegistrySearchRequest): Promise<Page<ModelVersion>> {
    return this.writes.store.searchModelVersions(modelVersionSearch(request));
  }

  /**
   * The mlflow-artifacts: URI of the version's files; clients download them through this server's proxy. A prompt
   * version (its tag, or its registered model's) has no files, and its placeholder source is never resolved.
   */
  async downloadUri(name: string, version: string): Promise<string> {
    return this.sources.downloadUri(await this.writes.modelVersion(name, version));
  }

  async setTag(name: string, version: string, tag: ModelVersionTag, ctx: WriteContext): Promise<void> {
    validateRegistryTag(tag);
    await this.writes.atomic(async () => {
      const existing = await this.writes.modelVersion(name, version);
      await this.writes.store.setModelVersionTag(name, existing.version, tag, this.writes.clock());
      const previous = existing.tags.find((candidate) => candidate.key === tag.key);
      await this.writes.audit.record(ctx, {
        action: "registry.model_version_tag.set",
        entityType: "model_version",
        entityId: versionEntity(name, existing.version),
        before: previous ? { key: tag.key, value: previous.value } : null,
        after: { key: tag.key, value: tag.value },
      });
      await this.writes.events.versionTagSet(existing, tag, ctx);
    });
  }

  async deleteTag(name: string, version: string, key: string, ctx: WriteContext): Promise<void> {
    validateRegistryTagKey(key);
    await this.writes.atomic(async () => {
      const existing = await this.writes.modelVersion(name, version);
      await this.writes.store.deleteModelVersionTag(name, existing.version, key, this.writes.clock());
      const previous = existing.tags.find((candidate) => candidate.key === key);
      await this.writes.audit.record(ctx, {
        action: "registry.model_version_tag.delete",
        entityType: "model_version",
        entityId: versionEntity(name, existing.version),
        before: previous ? { key, value: previous.value } : null,
        after: null,
      });
      await this.writes.events.versionTagDeleted(existing, key, ctx);
    });
  }
}
