import { invalidParameter } from "../../core/errors.js";
import { LOGGED_MODEL_STATUSES } from "../../protocol/mlflow/logged-model-entities.js";
import type { Comparator } from "../search/ast.js";
import { MAX_FILTER_LENGTH } from "../search/parse-filter.js";
import { readIdentifier } from "../search/run-identifier.js";
import { readQuotedList, Scanner } from "../search/scanner.js";

/**
 * The logged-model search grammar of MLflow 3 (mlflow/utils/search_logged_model_utils.py and
 * SearchLoggedModelsUtils): comparisons joined by AND on attributes (a bare key), `metrics.<key>`, `params.<key>`
 * and `tags.<key>`. Attributes: name, model_id, model_type, status, source_run_id (strings: = != LIKE ILIKE, and IN /
 * NOT IN as SearchLoggedModelsUtils allows) and creation_time / creation_timestamp, last_updated_time /
 * last_updated_timestamp (numbers). Metrics compare numbers; params and tags strings with = != LIKE ILIKE.
 * Anything else is INVALID_PARAMETER_VALUE naming the key, where MLflow would fail deeper (an unknown attribute is
 * an AttributeError there).
 */

export type LoggedModelAttribute =
  | "name"
  | "model_id"
  | "model_type"
  | "status"
  | "source_run_id"
  | "creation_time"
  | "last_updated_time";

export type NumericComparator = "=" | "!=" | ">" | ">=" | "<" | "<=";
export type StringComparator = "=" | "!=" | "LIKE" | "ILIKE";

export type LoggedModelComparison =
  | { entity: "attribute"; key: LoggedModelAttribute; comparator: Comparator; value: string | number | string[] }
  | { entity: "metric"; key: string; comparator: NumericComparator; value: number }
  | { entity: "param" | "tag"; key: string; comparator: StringComparator; value: string };

export type LoggedModelOrderBy =
  | { kind: "attribute"; key: LoggedModelAttribute; ascending: boolean }
  | { kind: "metric"; key: string; ascending: boolean; datasetName?: string; datasetDigest?: string };

/** Attribute keys as clients write them, to the column they mean. */
const ATTRIBUTE_KEYS: ReadonlyMap<string, LoggedModelAttribute> = new Map([
  ["name", "name"],
  ["model_id", "model_id"],
  ["model_type", "model_type"],
  ["status", "status"],
  ["source_run_id", "source_run_id"],
  ["creation_time", "creation_time"],
  ["creation_timestamp", "creation_time"],
  ["creation_timestamp_ms", "creation_time"],
  ["last_updated_time", "last_updated_time"],
  ["last_updated_timestamp", "last_updated_time"],
  ["last_updated_timestamp_ms", "last_updated_time"],
]);
const NUMERIC: ReadonlySet<LoggedModelAttribute> = new Set(["creation_time", "last_updated_time"]);

type Entity = "attribute" | "metric" | "param" | "tag";
const ENTITIES: ReadonlyMap<string, Entity> = new Map([
  ["attributes", "attribute"],
  ["attribute", "attribute"],
  ["attr", "attribute"],
  ["metrics", "metric"],
  ["metric", "metric"],
  ["params", "param"],
  ["param", "param"],
  ["parameters", "param"],
  ["parameter", "param"],
  ["tags", "tag"],
  ["tag", "tag"],
]);

const NUMERIC_COMPARATORS: readonly Comparator[] = ["=", "!=", ">", ">=", "<", "<="];
const STRING_COMPARATORS: readonly Comparator[] = ["=", "!=", "LIKE", "ILIKE"];
const ATTRIBUTE_STRING_COMPARATORS: readonly Comparator[] = ["=", "!=", "LIKE", "ILIKE", "IN", "NOT IN"];

const validAttributes = (): string => [...ATTRIBUTE_KEYS.keys()].sort().map((key) => `'${key}'`).join(", ");

/** `status = 'READY'` means LOGGED_MODEL_READY: the client's enum names both spellings. */
const normalizeStatus = (value: string): string =>
  !value.startsWith("LOGGED_MODEL_") && (LOGGED_MODEL_STATUSES as readonly string[]).includes(`LOGGED_MODEL_${value}`)
    ? `LOGGED_MODEL_${value}`
    : value;

export function parseLoggedModelFilter(filter: string | undefined): LoggedModelComparison[] {
  if (filter === undefined || filter.trim() === "") return [];
  if (filter.length > MAX_FILTER_LENGTH) {
    throw invalidParameter(`Invalid filter: it is ${filter.length} characters long, the limit is ${MAX_FILTER_LENGTH} characters`);
  }
  const scanner = new Scanner(filter, "filter");
  const comparisons = [parseComparison(scanner)];
  while (!scanner.atEnd()) {
    if (!scanner.readKeyword("AND")) {
      throw scanner.fail(
        `Invalid filter string: expected a list of comparisons separated by 'AND' ` +
          `(e.g. 'metrics.loss > 0.1 AND params.lr = 0.01'), found '${scanner.tokenAt()}'`,
      );
    }
    comparisons.push(parseComparison(scanner));
  }
  return comparisons;
}

function parseComparison(scanner: Scanner): LoggedModelComparison {
  const raw = readIdentifier(scanner);
  const entity = raw.entity === undefined ? "attribute" : ENTITIES.get(raw.entity);
  if (entity === undefined) {
    throw scanner.fail(`Invalid entity type '${raw.entity}'. Expected one of ['attributes', 'metrics', 'params', 'tags']`, raw.start);
  }
  let attribute: LoggedModelAttribute | undefined;
  if (entity === "attribute") {
    attribute = ATTRIBUTE_KEYS.get(raw.key);
    if (attribute === undefined) {
      throw scanner.fail(`Invalid logged model search key '${raw.key}'. Valid attribute keys are [${validAttributes()}]`, raw.start);
    }
  }
  scanner.skipWhitespace();
  const comparatorAt = scanner.pos;
  const comparator = readComparator(scanner, raw.key);
  const numeric = entity === "metric" || (attribute !== undefined && NUMERIC.has(attribute));
  const allowed = numeric ? NUMERIC_COMPARATORS : entity === "attribute" ? ATTRIBUTE_STRING_COMPARATORS : STRING_COMPARATORS;
  if (!(allowed as readonly string[]).includes(comparator)) {
    throw scanner.fail(
      `Invalid comparison operator for ${raw.entity ?? "attributes"}.${raw.key}: '${comparator}'. Expected one of ` +
        allowed.map((c) => `'${c}'`).join(", "),
      comparatorAt,
    );
  }
  scanner.skipWhitespace();
  if (numeric) {
    const number = scanner.readNumber();
    if (number === undefined) {
      throw scanner.fail(`Expected a numeric value for ${raw.entity ?? "attributes"}.${raw.key}, found '${scanner.tokenAt() || "nothing"}'`);
    }
    if (entity === "metric") return { entity, key: raw.key, comparator: comparator as NumericComparator, value: number.value };
    return { entity: "attribute", key: attribute as LoggedModelAttribute, comparator: comparator as Comparator, value: number.value };
  }
  if (comparator === "IN" || comparator === "NOT IN") {
    const values = readQuotedList(scanner);
    return {
      entity: "attribute",
      key: attribute as LoggedModelAttribute,
      comparator,
      value: attribute === "status" ? values.map(normalizeStatus) : values,
    };
  }
  const quote = scanner.peek();
  if (quote !== "'" && quote !== '"') {
    throw scanner.fail(`Expected a quoted string value for ${raw.entity ?? "attributes"}.${raw.key}, found '${scanner.tokenAt() || "nothing"}'`);
  }
  const text = scanner.readQuoted();
  if (entity === "attribute") {
    const value = attribute === "status" && (comparator === "=" || comparator === "!=") ? normalizeStatus(text) : text;
    return { entity, key: attribute as LoggedModelAttribute, comparator: comparator as Comparator, value };
  }
  return { entity: entity as "param" | "tag", key: raw.key, comparator: comparator as StringComparator, value: text };
}

function readComparator(scanner: Scanner, key: string): string {
  const operator = scanner.readOperator();
  if (operator !== undefined) return operator;
  const word = scanner.readWord();
  if (word === undefined) throw scanner.fail(`Expected a comparison operator after '${key}', found '${scanner.tokenAt() || "nothing"}'`);
  const upper = word.toUpperCase();
  if (upper === "NOT" && scanner.readKeyword("IN")) return "NOT IN";
  return upper;
}

/** One SearchLoggedModels.OrderBy message, already read from the wire. */
export interface OrderByRequest {
  fieldName: string;
  ascending?: boolean;
  datasetName?: string;
  datasetDigest?: string;
}

/** MLflow's parse_order_by_for_logged_models: `metrics.<key>` (with optional dataset) or an attribute key. */
export function parseLoggedModelOrderBy(requests: readonly OrderByRequest[]): LoggedModelOrderBy[] {
  return requests.map((request, index): LoggedModelOrderBy => {
    const name = request.fieldName.trim();
    const ascending = request.ascending ?? true;
    if (request.datasetDigest && !request.datasetName) {
      throw invalidParameter(`order_by[${index}]: \`dataset_digest\` can only be specified if \`dataset_name\` is also specified.`);
    }
    const dot = name.indexOf(".");
    if (dot >= 0) {
      const entity = name.slice(0, dot);
      const key = name.slice(dot + 1).replace(/^`(.*)`$/, "$1");
      if (entity !== "metrics" || key === "") {
        throw invalidParameter(`Invalid order by field name: ${entity}, only \`metrics.<name>\` is allowed (order_by[${index}].field_name).`);
      }
      return {
        kind: "metric",
        key,
        ascending,
        ...(request.datasetName ? { datasetName: request.datasetName } : {}),
        ...(request.datasetDigest ? { datasetDigest: request.datasetDigest } : {}),
      };
    }
    const key = ATTRIBUTE_KEYS.get(name);
    if (key === undefined) {
      throw invalidParameter(`Invalid order by field name: ${name.slice(0, 100)} (order_by[${index}].field_name). Valid keys are [${validAttributes()}]`);
    }
    return { kind: "attribute", key, ascending };
  });
}
