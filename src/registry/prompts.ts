import type { ModelVersionTag, RegisteredModelTag } from "../protocol/mlflow/registry-entities.js";

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
