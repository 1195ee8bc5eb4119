import type { KeyValue as Tag } from "../protocol/mlflow/entities.js";
import { IS_PROMPT_TAG_KEY, PROMPT_TEXT_TAG_KEY } from "./prompts.js";

/**
 * MLflow's webhooks announce prompts (see prompts.ts) with prompt events instead of model events, with the template
 * as `template` and without the two tags that make a model a prompt.
 */

/** A prompt's (or prompt version's) tags as its events show them: without the two that make it a prompt (the text is `template`). */
export const promptEventTags = (tags: readonly Tag[]): Record<string, string> =>
  Object.fromEntries(tags.filter((tag) => tag.key !== IS_PROMPT_TAG_KEY && tag.key !== PROMPT_TEXT_TAG_KEY).map((tag) => [tag.key, tag.value]));

export const promptTemplate = (tags: readonly Tag[]): string => tags.find((tag) => tag.key === PROMPT_TEXT_TAG_KEY)?.value ?? "";
