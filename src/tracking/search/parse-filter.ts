import { invalidParameter } from "../../core/errors.js";
import { NUMERIC_ATTRIBUTES, type Comparator, type FilterExpression, type RunAttributeKey } from "./ast.js";
import { readIdentifier, resolveRunIdentifier, type ResolvedIdentifier } from "./run-identifier.js";
import { readQuotedList, Scanner } from "./scanner.js";

/**
 * The run search filter: MLflow's grammar (comparisons joined by AND) plus OR (AND binds tighter), parentheses and
 * `IS [NOT] NULL`. Every filter MLflow accepts parses to its MLflow meaning. Recursive descent over a Scanner, so
 * every error names the token and its position.
 */

export const MAX_FILTER_LENGTH = 10_000;
export const MAX_FILTER_DEPTH = 50;

const NUMERIC_COMPARATORS: readonly Comparator[] = ["=", "!=", ">", ">=", "<", "<="];
const STRING_COMPARATORS: readonly Comparator[] = ["=", "!=", "LIKE", "ILIKE"];
const LIST_COMPARATORS: readonly Comparator[] = ["=", "!=", "LIKE", "ILIKE", "IN", "NOT IN"];

export function parseRunFilter(filter: string): FilterExpression | undefined {
  if (filter.trim() === "") return undefined;
  if (filter.length > MAX_FILTER_LENGTH) {
    throw invalidParameter(
      `Invalid filter: it is ${filter.length} characters long, the limit is ${MAX_FILTER_LENGTH} characters`,
    );
  }
  const scanner = new Scanner(filter, "filter");
  const expression = parseOr(scanner, 0);
  if (!scanner.atEnd()) throw invalidClause(scanner, "expected AND, OR or the end of the filter");
  return expression;
}

function invalidClause(scanner: Scanner, expected: string): Error {
  scanner.skipWhitespace();
  return scanner.fail(`Invalid clause(s) in filter string: '${scanner.tokenAt()}'; ${expected}`);
}

function parseOr(scanner: Scanner, depth: number): FilterExpression {
  const operands = [parseAnd(scanner, depth)];
  while (scanner.readKeyword("OR")) operands.push(parseAnd(scanner, depth));
  return operands.length === 1 && operands[0] ? operands[0] : { kind: "or", operands };
}

function parseAnd(scanner: Scanner, depth: number): FilterExpression {
  const operands = [parsePrimary(scanner, depth)];
  while (scanner.readKeyword("AND")) operands.push(parsePrimary(scanner, depth));
  return operands.length === 1 && operands[0] ? operands[0] : { kind: "and", operands };
}

function parsePrimary(scanner: Scanner, depth: number): FilterExpression {
  scanner.skipWhitespace();
  if (scanner.peek() !== "(") return parseComparison(scanner);
  const open = scanner.pos;
  if (depth + 1 > MAX_FILTER_DEPTH) {
    throw scanner.fail(`Invalid filter: parentheses nest deeper than ${MAX_FILTER_DEPTH} levels`);
  }
  scanner.pos++;
  const inner = parseOr(scanner, depth + 1);
  scanner.skipWhitespace();
  if (scanner.peek() !== ")") {
    if (scanner.atEnd()) throw scanner.fail(`Missing ')' for the '(' at position ${open}`);
    throw invalidClause(scanner, "expected AND, OR or ')'");
  }
  scanner.pos++;
  return inner;
}

function parseComparison(scanner: Scanner): FilterExpression {
  const id = resolveRunIdentifier(scanner, readIdentifier(scanner), "filter");
  scanner.skipWhitespace();
  const comparatorAt = scanner.pos;

  if (scanner.readKeyword("IS")) {
    const negated = scanner.readKeyword("NOT");
    if (!scanner.readKeyword("NULL")) {
      scanner.skipWhitespace();
      throw scanner.fail(`Expected NULL after '${negated ? "IS NOT" : "IS"}', found '${scanner.tokenAt()}'`);
    }
    if (id.entity === "dataset") {
      throw scanner.fail(`IS NULL is not supported for dataset key '${id.key}'`, comparatorAt);
    }
    return { kind: "null-check", entity: id.entity, key: id.key, negated };
  }

  const comparator = readComparator(scanner, id);
  const allowed = allowedComparators(id);
  if (!(allowed as readonly string[]).includes(comparator)) {
    throw scanner.fail(
      `Invalid comparator '${comparator}' for ${id.entity} '${id.key}'; valid comparators are ` +
        allowed.map((c) => `'${c}'`).join(", "),
      comparatorAt,
    );
  }
  const value = readValue(scanner, id, comparator as Comparator);
  return { kind: "compare", entity: id.entity, key: id.key, comparator: comparator as Comparator, value };
}

function readComparator(scanner: Scanner, id: ResolvedIdentifier): string {
  const operator = scanner.readOperator();
  if (operator !== undefined) return operator;
  const start = scanner.pos;
  const word = scanner.readWord();
  if (word === undefined) {
    const token = scanner.tokenAt();
    throw scanner.fail(
      token === ""
        ? `Missing comparison operator after '${id.key}'`
        : `Expected a comparison operator after '${id.key}', found '${token}'`,
    );
  }
  const upper = word.toUpperCase();
  if (upper !== "NOT") return upper;
  // `NOT IN` is one comparator; `NOT LIKE` reads as one too, so that it is refused by name.
  if (scanner.readKeyword("IN")) return "NOT IN";
  scanner.skipWhitespace();
  const next = scanner.readWord();
  if (next === undefined) throw scanner.fail("Expected IN after NOT", start);
  return `NOT ${next.toUpperCase()}`;
}

function allowedComparators(id: ResolvedIdentifier): readonly Comparator[] {
  switch (id.entity) {
    case "metric":
      return NUMERIC_COMPARATORS;
    case "param":
    case "tag":
      return STRING_COMPARATORS;
    case "dataset":
      return LIST_COMPARATORS;
    case "attribute":
      return NUMERIC_ATTRIBUTES.has(id.key as RunAttributeKey) ? NUMERIC_COMPARATORS : LIST_COMPARATORS;
  }
}

function readValue(scanner: Scanner, id: ResolvedIdentifier, comparator: Comparator): number | string | string[] {
  scanner.skipWhitespace();
  const found = (): string => scanner.tokenAt() || "nothing";
  if (comparator === "IN" || comparator === "NOT IN") return readQuotedList(scanner, { namesEmptyList: true });

  const numeric = id.entity === "metric" || (id.entity === "attribute" && NUMERIC_ATTRIBUTES.has(id.key as RunAttributeKey));
  if (numeric) {
    const number = scanner.readNumber();
    if (number !== undefined) return number.value;
    throw scanner.fail(
      id.entity === "metric"
        ? `Expected numeric value type for metric. Found ${found()}`
        : `Expected numeric value type for numeric attribute: ${id.key}. Found ${found()}`,
    );
  }
  const quote = scanner.peek();
  if (quote === "'" || quote === '"') return scanner.readQuoted();
  const label =
    id.entity === "param"
      ? "parameter (e.g. 'my-value')"
      : id.entity === "tag"
        ? "tag (e.g. 'my-value')"
        : id.entity === "dataset"
          ? "dataset attributes"
          : "attributes";
  throw scanner.fail(`Expected a quoted string value for ${label}. Got value ${found()}`);
}
