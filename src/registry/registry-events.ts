import type { WriteContext } from "../core/actor.js";
import type { Clock } from "../core/clock.js";
import { RegistryEventType, type EventSink } from "../core/events.js";
import type { KeyValue as Tag } from "../protocol/mlflow/entities.js";
import type { ModelVersion, ModelVersionTag, RegisteredModel } from "../protocol/mlflow/registry-entities.js";
import { hasPromptTag, isPrompt, IS_PROMPT_TAG_KEY, PROMPT_TEXT_TAG_KEY } from "./prompts.js";
import type { RegistryStore } from "./store.js";

/** Tags as events and audit entries show them: one object, key to value. */
export const tagMap = (tags: readonly Tag[]): Record<string, string> => Object.fromEntries(tags.map((tag) => [tag.key, tag.value]));

/** A prompt's (or prompt version's) tags as its events show them: without the two that make it a prompt (the text is `template`). */
const promptEventTags = (tags: readonly Tag[]): Record<string, string> =>
  tagMap(tags.filter((tag) => tag.key !== IS_PROMPT_TAG_KEY && tag.key !== PROMPT_TEXT_TAG_KEY));

const promptTemplate = (tags: readonly Tag[]): string => tags.find((tag) => tag.key === PROMPT_TEXT_TAG_KEY)?.value ?? "";

/** Why an alias ended, as its alias.deleted event says. */
export type AliasRemoval = "alias_deleted" | "registered_model_deleted" | "model_version_deleted";

/**
 * What the registry announces after a write (webhooks hear it, deployments follow aliases through it). MLflow's
 * webhooks announce a prompt (prompts.ts) with prompt events instead of model events, with the template as `template`
 * and without the two tags that make a model a prompt: this is the one place that chooses between the two.
 */
export class RegistryEvents {
  constructor(
    private readonly sink: EventSink,
    private readonly clock: Clock,
    private readonly models: Pick<RegistryStore, "getRegisteredModel">,
  ) {}

  async publish(type: RegistryEventType, ctx: WriteContext, payload: Record<string, unknown>): Promise<void> {
    await this.sink.publish({ type, time: this.clock(), actor: ctx.actor, requestId: ctx.requestId, payload });
  }

  /** A prompt or a prompt version (its tag, or its registered model's): announced with prompt events. */
  isPrompt(name: string, versionTags: readonly ModelVersionTag[]): Promise<boolean> {
    return isPrompt(this.models, name, versionTags);
  }

  async modelCreated(model: RegisteredModel, ctx: WriteContext): Promise<void> {
    const prompt = hasPromptTag(model.tags);
    await this.publish(prompt ? RegistryEventType.PROMPT_CREATED : RegistryEventType.REGISTERED_MODEL_CREATED, ctx, {
      name: model.name,
      tags: prompt ? promptEventTags(model.tags) : tagMap(model.tags),
      description: model.description ?? null,
    });
  }

  /** MLflow has no event for a model's tags, only for a prompt's (the model as it was, or the tag that makes it one). */
  async modelTagSet(before: RegisteredModel, tag: Tag, ctx: WriteContext): Promise<void> {
    if (!hasPromptTag(before.tags) && !hasPromptTag([tag])) return;
    await this.publish(RegistryEventType.PROMPT_TAG_SET, ctx, { name: before.name, key: tag.key, value: tag.value });
  }

  async modelTagDeleted(before: RegisteredModel, key: string, ctx: WriteContext): Promise<void> {
    if (hasPromptTag(before.tags)) await this.publish(RegistryEventType.PROMPT_TAG_DELETED, ctx, { name: before.name, key });
  }

  /** model_version.created, or prompt_version.created for a prompt's version (MLflow's payload for each). */
  async versionCreated(version: ModelVersion, ctx: WriteContext): Promise<void> {
    if (await this.isPrompt(version.name, version.tags)) {
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

  async versionTagSet(version: ModelVersion, tag: Tag, ctx: WriteContext): Promise<void> {
    const prompt = await this.isPrompt(version.name, version.tags);
    await this.publish(prompt ? RegistryEventType.PROMPT_VERSION_TAG_SET : RegistryEventType.MODEL_VERSION_TAG_SET, ctx, {
      name: version.name,
      version: version.version,
      key: tag.key,
      value: tag.value,
    });
  }

  async versionTagDeleted(version: ModelVersion, key: string, ctx: WriteContext): Promise<void> {
    const prompt = await this.isPrompt(version.name, version.tags);
    await this.publish(prompt ? RegistryEventType.PROMPT_VERSION_TAG_DELETED : RegistryEventType.MODEL_VERSION_TAG_DELETED, ctx, {
      name: version.name,
      version: version.version,
      key,
    });
  }

  async aliasSet(target: ModelVersion, alias: string, previousVersion: string | undefined, ctx: WriteContext): Promise<void> {
    const prompt = await this.isPrompt(target.name, target.tags);
    await this.publish(prompt ? RegistryEventType.PROMPT_ALIAS_CREATED : RegistryEventType.ALIAS_SET, ctx, {
      name: target.name,
      alias,
      version: target.version,
      previous_version: previousVersion ?? null,
    });
  }

  /** `prompt`: the caller knows already (it read the model or version), so no read is repeated per alias. */
  async aliasRemoved(name: string, alias: string, version: string, reason: AliasRemoval, prompt: boolean, ctx: WriteContext): Promise<void> {
    await this.publish(prompt ? RegistryEventType.PROMPT_ALIAS_DELETED : RegistryEventType.ALIAS_DELETED, ctx, {
      name,
      alias,
      previous_version: version,
      reason,
    });
  }
}
