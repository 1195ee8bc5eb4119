import { invalidParameter } from "../../core/errors.js";
import { readIdentifier } from "../../tracking/search/run-identifier.js";
import { readQuotedList, Scanner } from "../../tracking/search/scanner.js";
import { readSortDirection } from "../../tracking/search/sort-direction.js";
import { NUMERIC_TRACE_ATTRIBUTES, type TraceCondition, type TraceOrderBy } from "./ast.js";
import { resolveTraceIdentifier, type ResolvedTraceIdentifier } from "./identifiers.js";

/**
 * MLflow's trace search filter (`attributes.status = 'OK' AND tags.topic = 'sql'`) and order_by clauses, with
 * MLflow's messages. Only AND, as MLflow; every error names the token and its position.
 */
export const MAX_TRACE_FILTER_LENGTH = 10_000;
export const MAX_TRACE_FILTER_CLAUSES = 50;
export const MAX_TRACE_ORDER_BY = 10;

const NUMERIC = ["=", "!=", ">", ">=", "<", "<="];
const STRING = ["=", "!=", "LIKE", "ILIKE", "IN", "NOT IN"];

export const parseTraceFilter = (filter: string | undefined): TraceCondition[] => {
  if (filter === undefined || filter.trim() === "") return [];
  if (filter.length > MAX_TRACE_FILTER_LENGTH) {
    throw invalidParameter(`Invalid filter: it is ${filter.length} characters long, the limit is ${MAX_TRACE_FILTER_LENGTH} characters`);
  }
  const scanner = new Scanner(filter, "filter");
  const conditions = [parseComparison(scanner)];
  while (scanner.readKeyword("AND")) {
    if (conditions.length >= MAX_TRACE_FILTER_CLAUSES) {
      throw scanner.fail(`Invalid filter: more than ${MAX_TRACE_FILTER_CLAUSES} comparisons`);
    }
    conditions.push(parseComparison(scanner));
  }
  if (!scanner.atEnd()) {
    throw scanner.fail(`Invalid clause(s) in filter string: '${scanner.tokenAt()}'; expected AND or the end of the filter`);
  }
  return conditions;
};

const parseComparison = (scanner: Scanner): TraceCondition => {
  const id = resolveTraceIdentifier(scanner, readIdentifier(scanner), "filter");
  scanner.skipWhitespace();
  const at = scanner.pos;
  const comparator = readComparator(scanner);
  const numeric = id.entity === "attribute" && NUMERIC_TRACE_ATTRIBUTES.has(id.key);
  const allowed = numeric ? NUMERIC : STRING;
  if (!allowed.includes(comparator)) {
    throw scanner.fail(
      `Invalid comparator '${comparator}' for ${id.entity} '${id.key}'; valid comparators are ${allowed.map((c) => `'${c}'`).join(", ")}`,
      at,
    );
  }
  scanner.skipWhitespace();
  if (numeric) {
    const number = scanner.readNumber();
    if (number === undefined || !Number.isSafeInteger(number.value)) {
      throw scanner.fail(`Expected an integer number of milliseconds for attribute '${id.key}'. Found ${scanner.tokenAt() || "nothing"}`);
    }
    return { entity: "attribute", key: id.key as "request_time", comparator: comparator as "=", value: number.value };
  }
  if (id.entity === "attribute" && id.key === "experiment_id") throw scanner.fail("experiment_id cannot be filtered on", at);
  if (comparator === "IN" || comparator === "NOT IN") {
    return withValue(id, comparator, readQuotedList(scanner));
  }
  const quote = scanner.peek();
  if (quote !== "'" && quote !== '"') {
    throw scanner.fail(`Expected a quoted string value for ${id.entity} '${id.key}' (e.g. 'my-value'). Got value ${scanner.tokenAt() || "nothing"}`);
  }
  return withValue(id, comparator as "=", scanner.readQuoted());
};

const withValue = (
  id: ResolvedTraceIdentifier,
  comparator: "=" | "!=" | "LIKE" | "ILIKE" | "IN" | "NOT IN",
  value: string | string[],
): TraceCondition =>
  ({ entity: id.entity, key: id.key, comparator, value }) as TraceCondition;

const readComparator = (scanner: Scanner): string => {
  const operator = scanner.readOperator();
  if (operator !== undefined) return operator;
  const word = scanner.readWord();
  if (word === undefined) throw scanner.fail(`Expected a comparison operator, found '${scanner.tokenAt() || "the end"}'`);
  const upper = word.toUpperCase();
  if (upper !== "NOT") return upper;
  if (scanner.readKeyword("IN")) return "NOT IN";
  return `NOT ${scanner.readWord()?.toUpperCase() ?? ""}`.trim();
};

/** `order_by` of SearchTracesV3: `<key> [ASC|DESC]`; MLflow's default order (newest first) breaks the ties. */
export const parseTraceOrderBy = (clauses: readonly string[]): TraceOrderBy[] => {
  if (clauses.length > MAX_TRACE_ORDER_BY) {
    throw invalidParameter(`Invalid value for parameter 'order_by' supplied: at most ${MAX_TRACE_ORDER_BY} clauses`);
  }
  return clauses.map((clause) => {
    const unparsable = (): Error => invalidParameter(`Invalid order_by clause '${clause.slice(0, 200)}'. Could not be parsed.`);
    if (clause.trim() === "" || clause.length > 1000) throw unparsable();
    const scanner = new Scanner(clause, "order_by clause");
    const id = resolveTraceIdentifier(scanner, readIdentifier(scanner), "order_by");
    return { ...id, ascending: readSortDirection(scanner, clause, unparsable) } as TraceOrderBy;
  });
};
