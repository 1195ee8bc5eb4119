import type { DatasetKey, FilterEntity, RunAttributeKey } from "./ast.js";
import type { Scanner } from "./scanner.js";

/**
 * `<entity>.<key>` as MLflow's SearchUtils reads it: entity aliases, quoted keys (double quotes or backticks),
 * a bare key meaning an attribute, and attribute key aliases (`created` -> start_time, `Run Name` -> run_name).
 */

export interface RawIdentifier {
  /** The entity as written, or undefined for a bare key (an attribute). */
  entity: string | undefined;
  key: string;
  start: number;
}

export interface ResolvedIdentifier {
  entity: FilterEntity;
  key: string;
  start: number;
}

const ENTITY_BY_ALIAS: ReadonlyMap<string, FilterEntity> = new Map([
  ["metric", "metric"],
  ["metrics", "metric"],
  ["parameter", "param"],
  ["parameters", "param"],
  ["param", "param"],
  ["params", "param"],
  ["tag", "tag"],
  ["tags", "tag"],
  ["attribute", "attribute"],
  ["attributes", "attribute"],
  ["attr", "attribute"],
  ["run", "attribute"],
  ["dataset", "dataset"],
  ["datasets", "dataset"],
]);

const ATTRIBUTE_ALIASES: ReadonlyMap<string, RunAttributeKey> = new Map([
  ["created", "start_time"],
  ["Created", "start_time"],
  ["run name", "run_name"],
  ["Run name", "run_name"],
  ["Run Name", "run_name"],
]);

/** RunInfo's searchable attributes in MLflow; lifecycle_stage is not one (view_type selects it). */
const SEARCHABLE_ATTRIBUTES: readonly RunAttributeKey[] = [
  "artifact_uri",
  "end_time",
  "run_id",
  "run_name",
  "start_time",
  "status",
  "user_id",
];

/** MLflow accepts the numeric aliases in order_by but not the `run name` ones. */
const SEARCH_KEYS: ReadonlySet<string> = new Set([...SEARCHABLE_ATTRIBUTES, ...ATTRIBUTE_ALIASES.keys()]);
const ORDER_BY_KEYS: ReadonlySet<string> = new Set([...SEARCHABLE_ATTRIBUTES, "created", "Created"]);

export const DATASET_KEYS: readonly DatasetKey[] = ["context", "digest", "name"];

const listed = (values: Iterable<string>): string => `[${[...values].sort().map((v) => `'${v}'`).join(", ")}]`;

export function readIdentifier(scanner: Scanner): RawIdentifier {
  scanner.skipWhitespace();
  const start = scanner.pos;
  const first = readPart(scanner, false);
  if (first === undefined) {
    const token = scanner.tokenAt();
    throw scanner.fail(
      token === ""
        ? "Expected an identifier such as metrics.<key>, params.<key>, tags.<key> or attributes.<key>, found the end"
        : `Expected an identifier such as metrics.<key>, params.<key>, tags.<key> or attributes.<key>, found '${token}'`,
    );
  }
  if (scanner.peek() !== ".") return { entity: undefined, key: first, start };
  scanner.pos++;
  const key = readPart(scanner, true);
  if (key === undefined) throw scanner.fail(`Missing key after '${first}.'`);
  return { entity: first, key, start };
}

/** A quoted part (double quotes or backticks) or a bare word; a bare key may contain dots (`metrics.a.b`). */
function readPart(scanner: Scanner, isKey: boolean): string | undefined {
  const ch = scanner.peek();
  if (ch === '"' || ch === "`") return scanner.readQuoted();
  return scanner.readWord(isKey);
}

export function resolveRunIdentifier(
  scanner: Scanner,
  raw: RawIdentifier,
  purpose: "filter" | "order_by",
): ResolvedIdentifier {
  const entity = raw.entity === undefined ? "attribute" : ENTITY_BY_ALIAS.get(raw.entity);
  if (entity === undefined) {
    throw scanner.fail(
      `Invalid entity type '${raw.entity}'. Valid values are ['metric', 'parameter', 'tag', 'attribute', 'dataset']`,
      raw.start,
    );
  }
  if (entity === "attribute") {
    const valid = purpose === "filter" ? SEARCH_KEYS : ORDER_BY_KEYS;
    if (!valid.has(raw.key)) {
      throw scanner.fail(`Invalid attribute key '${raw.key}' specified. Valid keys are ${listed(valid)}`, raw.start);
    }
    return { entity, key: ATTRIBUTE_ALIASES.get(raw.key) ?? raw.key, start: raw.start };
  }
  if (entity === "dataset" && !(DATASET_KEYS as readonly string[]).includes(raw.key)) {
    throw scanner.fail(
      `Invalid dataset key '${raw.key}' specified. Valid keys are ${listed(DATASET_KEYS)}`,
      raw.start,
    );
  }
  return { entity, key: raw.key, start: raw.start };
}
