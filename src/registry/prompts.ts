import type { ModelVersionTag, RegisteredModelTag } from "../protocol/mlflow/registry-entities.js";
import type { RegistryStore } from "./store.js";

/**
 * MLflow's prompt registry stores a prompt as a registered model tagged `mlflow.prompt.is_prompt=true` and each of
 * its versions as a model version with the same tag, the template in `mlflow.prompt.text` and a placeholder source
 * (`mlflow.genai.register_prompt` sends "dummy-source"; the store-level create_prompt_version of later 3.x clients
 * sends "prompt-template"). A prompt version has no files: its source is never resolved or downloaded.
 */
export const IS_PROMPT_TAG_KEY = "mlflow.prompt.is_prompt";
export const PROMPT_TEXT_TAG_KEY = "mlflow.prompt.text";
export const PROMPT_SOURCE_PLACEHOLDERS: readonly string[] = ["dummy-source", "prompt-template"];

/** Both MLflow clients write the value "true"; MLflow's own readers (has_prompt_tag) compare with it exactly. */
export const hasPromptTag = (tags: readonly (RegisteredModelTag | ModelVersionTag)[]): boolean =>
  tags.some((tag) => tag.key === IS_PROMPT_TAG_KEY && tag.value === "true");

export const isPromptSourcePlaceholder = (source: string): boolean => PROMPT_SOURCE_PLACEHOLDERS.includes(source);

/**
 * A prompt or a prompt version: the version's tag, or its registered model's. Decides both the prompt refusal of
 * downloads (version-sources.ts) and which of MLflow's events announce a write (registry-events.ts).
 */
export const isPrompt = async (
  models: Pick<RegistryStore, "getRegisteredModel">,
  name: string,
  versionTags: readonly ModelVersionTag[],
): Promise<boolean> => {
  if (hasPromptTag(versionTags)) return true;
  const model = await models.getRegisteredModel(name);
  return model !== undefined && hasPromptTag(model.tags);
};
