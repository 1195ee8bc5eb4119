import { invalidParameter } from "../../core/errors.js";
import type { ExperimentFilter, ExperimentOrderBy } from "../store.js";
import { MAX_FILTER_LENGTH } from "./parse-filter.js";
import { readIdentifier, type RawIdentifier } from "./run-identifier.js";
import { Scanner } from "./scanner.js";
import { readSortDirection } from "./sort-direction.js";

/**
 * search-experiments `filter` and `order_by`, as MLflow's SearchExperimentsUtils reads them: comparisons on the
 * attributes name / creation_time / last_update_time and on tags, joined by AND only (MLflow has no OR here and
 * Cairn adds none, so the grammar stays the one every MLflow client knows).
 */

type Comparator = ExperimentFilter["comparator"];

const FILTER_ATTRIBUTES = ["creation_time", "last_update_time", "name"] as const;
const NUMERIC_ATTRIBUTES: ReadonlySet<string> = new Set(["creation_time", "last_update_time"]);
const ORDER_BY_KEYS: readonly ExperimentOrderBy["key"][] = ["creation_time", "experiment_id", "last_update_time", "name"];
const NUMERIC_COMPARATORS: readonly Comparator[] = ["=", "!=", ">", ">=", "<", "<="];
const STRING_COMPARATORS: readonly Comparator[] = ["=", "!=", "LIKE", "ILIKE"];

const listed = (values: readonly string[]): string => `[${values.map((v) => `'${v}'`).join(", ")}]`;

function resolveEntity(scanner: Scanner, raw: RawIdentifier): "attribute" | "tag" {
  if (raw.entity === undefined || raw.entity === "attribute") return "attribute";
  if (raw.entity === "tag" || raw.entity === "tags") return "tag";
  throw scanner.fail(
    `Invalid entity type '${raw.entity}'. Valid entity types are ('attribute', 'tag', 'tags')`,
    raw.start,
  );
}

export function parseExperimentFilter(filter: string | undefined): ExperimentFilter[] {
  if (filter === undefined || filter.trim() === "") return [];
  if (filter.length > MAX_FILTER_LENGTH) {
    throw invalidParameter(
      `Invalid filter: it is ${filter.length} characters long, the limit is ${MAX_FILTER_LENGTH} characters`,
    );
  }
  const scanner = new Scanner(filter, "filter");
  const parsed = [parseComparison(scanner)];
  while (scanner.readKeyword("AND")) parsed.push(parseComparison(scanner));
  if (!scanner.atEnd()) {
    throw scanner.fail(`Invalid clause(s) in filter string: '${scanner.tokenAt()}'; expected AND or the end of the filter`);
  }
  return parsed;
}

function parseComparison(scanner: Scanner): ExperimentFilter {
  const raw = readIdentifier(scanner);
  const entity = resolveEntity(scanner, raw);
  if (entity === "attribute" && !(FILTER_ATTRIBUTES as readonly string[]).includes(raw.key)) {
    throw scanner.fail(
      `Invalid attribute key '${raw.key}' specified. Valid keys are ${listed(FILTER_ATTRIBUTES)}`,
      raw.start,
    );
  }
  const numeric = entity === "attribute" && NUMERIC_ATTRIBUTES.has(raw.key);
  scanner.skipWhitespace();
  const comparatorAt = scanner.pos;
  const comparator = scanner.readOperator() ?? scanner.readWord()?.toUpperCase();
  if (comparator === undefined) {
    throw scanner.fail(`Expected a comparison operator after '${raw.key}', found '${scanner.tokenAt() || "nothing"}'`);
  }
  const allowed = numeric ? NUMERIC_COMPARATORS : STRING_COMPARATORS;
  if (!(allowed as readonly string[]).includes(comparator)) {
    const what = entity === "tag" ? "tag" : numeric ? "numeric attribute" : "string attribute";
    throw scanner.fail(
      `Invalid comparator '${comparator}' for ${what} '${raw.key}'; valid comparators are ` +
        allowed.map((c) => `'${c}'`).join(", "),
      comparatorAt,
    );
  }
  scanner.skipWhitespace();
  const found = (): string => scanner.tokenAt() || "nothing";
  if (numeric) {
    const number = scanner.readNumber();
    if (number === undefined) {
      throw scanner.fail(`Expected numeric value type for numeric attribute: ${raw.key}. Found ${found()}`);
    }
    return { entity, key: raw.key, comparator: comparator as Comparator, value: number.value };
  }
  const quote = scanner.peek();
  if (quote !== "'" && quote !== '"') {
    const label = entity === "tag" ? "tag (e.g. 'my-value')" : "attributes";
    throw scanner.fail(`Expected a quoted string value for ${label}. Got value ${found()}`);
  }
  return { entity, key: raw.key, comparator: comparator as Comparator, value: scanner.readQuoted() };
}

/** Clauses `<key> [ASC|DESC]`; the store appends MLflow's defaults (creation_time DESC, experiment_id). */
export function parseExperimentOrderBy(clauses: readonly string[]): ExperimentOrderBy[] {
  return clauses.map((clause) => {
    const unparsable = (): Error => invalidParameter(`Invalid order_by clause '${clause}'. Could not be parsed.`);
    if (clause.trim() === "" || clause.length > MAX_FILTER_LENGTH) throw unparsable();
    const scanner = new Scanner(clause, "order_by clause");
    const raw = readIdentifier(scanner);
    if (resolveEntity(scanner, raw) !== "attribute") {
      throw invalidParameter(`Invalid order_by entity: tag`);
    }
    if (!(ORDER_BY_KEYS as readonly string[]).includes(raw.key)) {
      throw invalidParameter(`Invalid attribute key '${raw.key}' specified. Valid keys are ${listed(ORDER_BY_KEYS)}`);
    }
    const ascending = readSortDirection(scanner, clause, unparsable);
    return { key: raw.key as ExperimentOrderBy["key"], ascending };
  });
}
