/**
 * MLflow keeps prompts as registered models and model versions marked with a tag (mlflow/prompt/constants.py), and
 * its webhooks announce them as prompt events instead of model events. These helpers choose the event type.
 */
export const PROMPT_TAG_KEY = "mlflow.prompt.is_prompt";
export const PROMPT_TEXT_TAG_KEY = "mlflow.prompt.text";

interface Tag {
  key: string;
  value: string;
}

export const hasPromptTag = (tags: readonly Tag[]): boolean =>
  tags.some((tag) => tag.key === PROMPT_TAG_KEY && tag.value.toLowerCase() === "true");

/** A prompt's (or prompt version's) tags as its events show them: without the two that make it a prompt (the text is `template`). */
export const promptEventTags = (tags: readonly Tag[]): Record<string, string> =>
  Object.fromEntries(tags.filter((tag) => tag.key !== PROMPT_TAG_KEY && tag.key !== PROMPT_TEXT_TAG_KEY).map((tag) => [tag.key, tag.value]));

export const promptTemplate = (tags: readonly Tag[]): string => tags.find((tag) => tag.key === PROMPT_TEXT_TAG_KEY)?.value ?? "";
