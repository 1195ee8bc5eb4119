import type { KnownKeys } from "./run-columns";
import { quoteKey } from "./order-by";

/**
 * Key completion for the runs filter box: given the text and the caret, which identifiers to offer and what part of
 * the text accepting one replaces. Pure, so that what is offered for a given text is tested without a browser.
 */

export type CompletionEntity = "metrics" | "params" | "tags" | "attributes";

/** The run attributes a filter most often names (run_id and artifact_uri exist too, but nobody types them). */
export const FILTER_ATTRIBUTES: readonly string[] = ["run_name", "status", "start_time", "end_time", "user_id"];

export interface CompletionOption {
  entity: CompletionEntity;
  key: string;
  /** The identifier as it is inserted: `metrics.acc`, ``params.`learning rate` ``. */
  text: string;
}

export interface Completion {
  /** The typed identifier occupies text[from, to): accepting an option replaces it. */
  from: number;
  to: number;
  options: CompletionOption[];
}

const ENTITY_ALIASES: Record<string, CompletionEntity> = {
  metric: "metrics",
  metrics: "metrics",
  param: "params",
  params: "params",
  parameter: "params",
  parameters: "params",
  tag: "tags",
  tags: "tags",
  attribute: "attributes",
  attributes: "attributes",
  attr: "attributes",
  run: "attributes",
};

const ENTITY_ORDER: readonly CompletionEntity[] = ["metrics", "params", "tags", "attributes"];

export const identifierText = (entity: CompletionEntity, key: string): string => `${entity}.${quoteKey(key)}`;

const allOptions = (keys: KnownKeys): CompletionOption[] =>
  ENTITY_ORDER.flatMap((entity) =>
    (entity === "attributes" ? FILTER_ATTRIBUTES : keys[entity]).map((key) => ({ entity, key, text: identifierText(entity, key) })),
  );

// An identifier being typed: an entity word, then optionally a dot and a key part, bare or in an unfinished quote.
const TYPED_IDENTIFIER = /([A-Za-z_][\p{L}\p{N}_$#]*)(\.(?:`(?:[^`]|``)*`?|"[^"]*"?|[\p{L}\p{N}_$#.]*))?$/u;
const WORD_AFTER = /^[\p{L}\p{N}_$#.]*/u;

/** Whether the caret stands inside a single-quoted value (a doubled quote inside counts twice, so parity holds). */
const insideStringValue = (before: string): boolean => (before.match(/'/g)?.length ?? 0) % 2 === 1;

const unquotePartial = (part: string): string => {
  const quote = part[0];
  if (quote !== "`" && quote !== '"') return part;
  let inner = part.slice(1);
  if (inner.endsWith(quote) && !inner.endsWith(quote + quote)) inner = inner.slice(0, -1);
  return quote === "`" ? inner.replaceAll("``", "`") : inner;
};

/**
 * The completion at `caret`, or undefined when the caret is not on an identifier (in a value, on an operator, after
 * a space) or nothing matches. Without a dot the typed word matches whole identifiers (`par` -> `params.lr`) first,
 * then bare keys (`acc` -> `metrics.acc`); after a dot it matches that entity's keys. Matching ignores case.
 */
export const completionAt = (text: string, caret: number, keys: KnownKeys, limit = 50): Completion | undefined => {
  const before = text.slice(0, caret);
  if (insideStringValue(before)) return undefined;
  const match = TYPED_IDENTIFIER.exec(before);
  if (!match) return undefined;
  const from = match.index;
  if (from > 0 && !/[\s(]/.test(before[from - 1] ?? "")) return undefined;
  const word = match[1] ?? "";
  const rest = match[2];
  const quoted = rest !== undefined && (rest[1] === "`" || rest[1] === '"');
  const to = quoted ? caret : caret + (WORD_AFTER.exec(text.slice(caret))?.[0].length ?? 0);

  let options: CompletionOption[];
  if (rest === undefined) {
    const typed = word.toLowerCase();
    const all = allOptions(keys);
    const whole = all.filter((option) => option.text.toLowerCase().startsWith(typed));
    const bare = all.filter((option) => !whole.includes(option) && option.key.toLowerCase().startsWith(typed));
    options = [...whole, ...bare];
  } else {
    const entity = ENTITY_ALIASES[word.toLowerCase()];
    if (!entity) return undefined;
    const typedKey = unquotePartial(rest.slice(1)).toLowerCase();
    options = allOptions(keys).filter((option) => option.entity === entity && option.key.toLowerCase().startsWith(typedKey));
  }
  // What is typed is already the one identifier on offer: nothing left to complete.
  const typedText = text.slice(from, to);
  if (options.length === 0 || (options.length === 1 && options[0]?.text === typedText)) return undefined;
  return { from, to, options: options.slice(0, limit) };
};

/** The text after accepting an option, and where the caret goes: right after the inserted identifier. */
export const acceptCompletion = (text: string, completion: Completion, option: CompletionOption): { text: string; caret: number } => ({
  text: text.slice(0, completion.from) + option.text + text.slice(completion.to),
  caret: completion.from + option.text.length,
});
