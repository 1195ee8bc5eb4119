import type { WriteContext } from "../core/actor.js";
import type { RegisteredModel, RegisteredModelTag } from "../protocol/mlflow/registry-entities.js";
import type { Page } from "../tracking/store.js";
import type { ModelAliases } from "./model-aliases.js";
import { hasPromptTag } from "./prompts.js";
import { tagMap } from "./registry-events.js";
import { declaredUserId, type RegistryWrites } from "./registry-writes.js";
import { registeredModelSearch, type RegistrySearchRequest } from "./search-queries.js";
import type { NewRegisteredModel } from "./store.js";
import { validateDescription, validateModelName, validateRegistryTag, validateRegistryTagKey } from "./validation.js";

/** A CreateRegisteredModel request: the new model as the store takes it, less what the service adds (user, time). */
export type NewRegisteredModelRequest = Omit<NewRegisteredModel, "userId" | "now">;

/**
 * Registered models (a prompt is one too, tagged as prompts.ts says): MLflow's validation and messages, an audit entry
 * for every change, and followers (governance, permissions) told of renames and deletes in the same transaction.
 */
export class RegisteredModels {
  constructor(
    private readonly writes: RegistryWrites,
    private readonly aliases: ModelAliases,
  ) {}

  async create(request: NewRegisteredModelRequest, ctx: WriteContext): Promise<RegisteredModel> {
    validateModelName(request.name);
    if (request.description !== undefined) validateDescription(request.description);
    for (const tag of request.tags) validateRegistryTag(tag);
    const userId = declaredUserId(ctx);
    return this.writes.atomic(async () => {
      const model = await this.writes.store.createRegisteredModel({
        name: request.name,
        ...(request.description !== undefined ? { description: request.description } : {}),
        tags: request.tags,
        ...(userId ? { userId } : {}),
        now: this.writes.clock(),
      });
      await this.writes.audit.record(ctx, {
        action: "registry.registered_model.create",
        entityType: "registered_model",
        entityId: model.name,
        after: { name: model.name, description: model.description ?? null, tags: tagMap(model.tags) },
      });
      await this.writes.events.modelCreated(model, ctx);
      return model;
    });
  }

  get(name: string): Promise<RegisteredModel> {
    return this.writes.registeredModel(name);
  }

  async rename(name: string, newName: string, ctx: WriteContext): Promise<RegisteredModel> {
    validateModelName(name);
    validateModelName(newName, "new_name");
    return this.writes.atomic(async () => {
      const model = await this.writes.store.renameRegisteredModel(name, newName, this.writes.clock());
      for (const follower of this.writes.followers) await follower.renameModel(name, newName);
      await this.writes.audit.record(ctx, {
        action: "registry.registered_model.rename",
        entityType: "registered_model",
        entityId: name,
        before: { name },
        after: { name: model.name },
      });
      return model;
    });
  }

  async update(name: string, description: string | undefined, ctx: WriteContext): Promise<RegisteredModel> {
    if (description !== undefined) validateDescription(description);
    return this.writes.atomic(async () => {
      const before = await this.writes.registeredModel(name);
      const model = await this.writes.store.updateRegisteredModel(name, description !== undefined ? { description } : {}, this.writes.clock());
      await this.writes.audit.record(ctx, {
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
  async delete(name: string, ctx: WriteContext): Promise<void> {
    await this.writes.atomic(async () => {
      const model = await this.writes.registeredModel(name);
      await this.writes.store.deleteRegisteredModel(name);
      for (const follower of this.writes.followers) await follower.deleteModel(name);
      await this.writes.audit.record(ctx, {
        action: "registry.registered_model.delete",
        entityType: "registered_model",
        entityId: name,
        before: { name, aliases: model.aliases, tags: tagMap(model.tags) },
      });
      const prompt = hasPromptTag(model.tags);
      for (const alias of model.aliases) await this.aliases.recordRemoved(name, alias.alias, alias.version, "registered_model_deleted", prompt, ctx);
    });
  }

  async search(request: RegistrySearchRequest): Promise<Page<RegisteredModel>> {
    return this.writes.store.searchRegisteredModels(registeredModelSearch(request));
  }

  async setTag(name: string, tag: RegisteredModelTag, ctx: WriteContext): Promise<void> {
    validateModelName(name);
    validateRegistryTag(tag);
    await this.writes.atomic(async () => {
      const model = await this.writes.registeredModel(name);
      await this.writes.store.setRegisteredModelTag(name, tag, this.writes.clock());
      const previous = model.tags.find((existing) => existing.key === tag.key);
      await this.writes.audit.record(ctx, {
        action: "registry.registered_model_tag.set",
        entityType: "registered_model",
        entityId: name,
        before: previous ? { key: tag.key, value: previous.value } : null,
        after: { key: tag.key, value: tag.value },
      });
      await this.writes.events.modelTagSet(model, tag, ctx);
    });
  }

  async deleteTag(name: string, key: string, ctx: WriteContext): Promise<void> {
    validateModelName(name);
    validateRegistryTagKey(key);
    await this.writes.atomic(async () => {
      const model = await this.writes.registeredModel(name);
      await this.writes.store.deleteRegisteredModelTag(name, key, this.writes.clock());
      const previous = model.tags.find((existing) => existing.key === key);
      await this.writes.audit.record(ctx, {
        action: "registry.registered_model_tag.delete",
        entityType: "registered_model",
        entityId: name,
        before: previous ? { key, value: previous.value } : null,
        after: null,
      });
      await this.writes.events.modelTagDeleted(model, key, ctx);
    });
  }
}
