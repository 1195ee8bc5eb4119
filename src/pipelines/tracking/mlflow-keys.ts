/**
 * Turning a pipeline's names and values into what MLflow accepts. MLflow's keys may hold letters, digits, `_`, `.`,
 * `-`, ` ` and `/`, and must not act as another path when treated as one (no empty, `.` or `..` segment); a param
 * value is at most 6000 characters and Cairn's server rejects (never truncates) a longer one. A pipeline's names come
 * from users' YAML and JSON, so they are made valid here rather than failing a whole log-batch.
 */
export const MAX_KEY_LENGTH = 250;
export const MAX_PARAM_VALUE_LENGTH = 6000;
export const MAX_TAG_VALUE_LENGTH = 5000;

const INVALID_KEY_CHARACTER = /[^/\p{L}\p{N}_.\- ]/gu;

/**
 * A valid MLflow param, metric or tag key for `raw`: other characters become `_`, empty segments are dropped and
 * `.`/`..` segments become `_`/`__`. Undefined when nothing is left or the key is longer than MLflow's 250.
 */
export const mlflowKey = (raw: string): string | undefined => {
  const segments = raw
    .replace(INVALID_KEY_CHARACTER, "_")
    .split("/")
    .filter((segment) => segment !== "")
    .map((segment) => (segment === "." ? "_" : segment === ".." ? "__" : segment));
  const key = segments.join("/");
  return key === "" || key.length > MAX_KEY_LENGTH ? undefined : key;
};

/** `text` cut to `limit` characters, the cut marked so that a reader knows the value is not whole. */
export const bounded = (text: string, limit: number): string => (text.length <= limit ? text : `${text.slice(0, limit - 3)}...`);

/** A param value as text: strings as they are, numbers and booleans as YAML writes them, lists and nulls as JSON. */
export const paramText = (value: unknown): string => {
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean" || typeof value === "bigint") return String(value);
  if (value === undefined) return "";
  return JSON.stringify(value) ?? "";
};

const isMapping = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

/**
 * The leaves of a nested mapping under dotted keys (`{train: {lr: 0.1}}` -> `train.lr`), lists kept whole. At most
 * `limit` leaves, so that a huge params section cannot make thousands of requests; `truncated` says some were left.
 */
export const flattenMapping = (prefix: string, value: unknown, limit: number): { entries: [string, unknown][]; truncated: boolean } => {
  const entries: [string, unknown][] = [];
  let truncated = false;
  const walk = (key: string, node: unknown, depth: number): void => {
    if (entries.length >= limit) {
      truncated = true;
      return;
    }
    if (isMapping(node) && depth < 32 && Object.keys(node).length > 0) {
      for (const [child, childValue] of Object.entries(node)) walk(key === "" ? child : `${key}.${child}`, childValue, depth + 1);
      return;
    }
    entries.push([key, node]);
  };
  walk(prefix, value, 0);
  return { entries, truncated };
};
