import { invalidParameter } from "../../core/errors.js";
import { MAX_FILTER_LENGTH } from "../../tracking/search/parse-filter.js";
import { Scanner } from "../../tracking/search/scanner.js";
import type { RegistryComparison } from "../store.js";
import { pythonSet, readRegistryIdentifier, resolveRegistryEntity } from "./registry-identifier.js";

/**
 * The registry search filters, as MLflow's SearchModelUtils (search-registered-models) and SearchModelVersionUtils
 * (search-model-versions) read them and its sqlalchemy registry store checks them: comparisons joined by AND only.
 * Checks run in MLflow's order (key, then value, then comparator) so that a filter MLflow refuses gets MLflow's
 * message. Syntax errors name the position; semantic errors carry MLflow's exact text.
 *
 *   models:   name (=, !=, LIKE, ILIKE), tags.<key> (=, !=, LIKE, ILIKE)
 *   versions: name, source_path (=, !=, LIKE, ILIKE), run_id (also IN (...)), version_number (=, !=, <, <=, >, >=),
 *             tags.<key> (=, !=, LIKE, ILIKE)
 */

type Comparator = RegistryComparison["comparator"];
type Value = RegistryComparison["value"];

interface Grammar {
  attributes: readonly string[];
  numericAttributes: ReadonlySet<string>;
  /** MLflow's NUMERIC_ATTRIBUTES, as printed in its "support comparison with numeric values" message. */
  numericAttributesShown: readonly string[];
}

const MODEL_GRAMMAR: Grammar = {
  attributes: ["name"],
  numericAttributes: new Set(),
  numericAttributesShown: [],
};

const VERSION_GRAMMAR: Grammar = {
  attributes: ["name", "version_number", "run_id", "source_path"],
  numericAttributes: new Set(["version_number"]),
  numericAttributesShown: ["version_number", "creation_timestamp", "last_updated_timestamp"],
};

const STRING_COMPARATORS: readonly Comparator[] = ["=", "!=", "LIKE", "ILIKE"];
const NUMERIC_COMPARATORS: readonly Comparator[] = ["=", "!=", ">", ">=", "<", "<="];
const OPERATORS: ReadonlySet<string> = new Set(NUMERIC_COMPARATORS);

export function parseRegisteredModelFilter(filter: string | undefined): RegistryComparison[] {
  return parse(filter, MODEL_GRAMMAR);
}

export function parseModelVersionFilter(filter: string | undefined): RegistryComparison[] {
  return parse(filter, VERSION_GRAMMAR);
}

function parse(filter: string | undefined, grammar: Grammar): RegistryComparison[] {
  if (filter === undefined || filter.trim() === "") return [];
  if (filter.length > MAX_FILTER_LENGTH) {
    throw invalidParameter(
      `Invalid filter: it is ${filter.length} characters long, the limit is ${MAX_FILTER_LENGTH} characters`,
    );
  }
  const scanner = new Scanner(filter, "filter");
  const parsed = [parseComparison(scanner, grammar)];
  while (scanner.readKeyword("AND")) parsed.push(parseComparison(scanner, grammar));
  if (!scanner.atEnd()) {
    throw scanner.fail(`Invalid clause(s) in filter string: '${scanner.tokenAt()}'; expected AND or the end of the filter`);
  }
  return parsed;
}

function readComparator(scanner: Scanner, key: string): string {
  scanner.skipWhitespace();
  const at = scanner.pos;
  const operator = scanner.readOperator();
  if (operator !== undefined) return operator === "<>" ? "!=" : operator;
  const word = scanner.readWord()?.toUpperCase();
  if (word === "LIKE" || word === "ILIKE" || word === "IN") return word;
  if (word === "NOT" && scanner.readKeyword("IN")) return "NOT IN";
  scanner.pos = at;
  throw scanner.fail(
    `Invalid comparison clause. Expected comparison after '${key}', found '${scanner.tokenAt() || "nothing"}'`,
  );
}

type RawValue = { kind: "string"; value: string } | { kind: "number"; value: number; text: string } | { kind: "list"; value: string[]; text: string };

function readValue(scanner: Scanner, describeExpected: () => string): RawValue {
  scanner.skipWhitespace();
  const start = scanner.pos;
  const ch = scanner.peek();
  if (ch === "'" || ch === '"') return { kind: "string", value: scanner.readQuoted() };
  if (ch === "(") return { kind: "list", value: readList(scanner), text: scanner.text.slice(start, scanner.pos) };
  const number = scanner.readNumber();
  if (number !== undefined) return { kind: "number", value: number.value, text: number.text };
  throw invalidParameter(`${describeExpected()}. Got value ${scanner.tokenAt() || "nothing"}`);
}

/** `('a', "b", ...)`: quoted strings only (MLflow evaluates the list as a Python literal and wants strings). */
function readList(scanner: Scanner): string[] {
  const open = scanner.pos;
  scanner.pos++;
  const values: string[] = [];
  scanner.skipWhitespace();
  if (scanner.peek() === ")") {
    scanner.pos++;
    throw invalidParameter("While parsing a list in the query, expected a non-empty list of string values, but got empty list");
  }
  for (;;) {
    scanner.skipWhitespace();
    const ch = scanner.peek();
    if (ch !== "'" && ch !== '"') {
      if (scanner.atEnd()) throw scanner.fail(`Missing ')' for the '(' at position ${open}`);
      throw invalidParameter(
        "While parsing a list in the query, expected string value, punctuation, or whitespace, " +
          `but got different type in list: ${scanner.tokenAt()}`,
      );
    }
    values.push(scanner.readQuoted());
    scanner.skipWhitespace();
    const next = scanner.peek();
    scanner.pos++;
    if (next === ")") return values;
    if (next !== ",") {
      if (next === "") throw scanner.fail(`Missing ')' for the '(' at position ${open}`);
      throw scanner.fail(`Expected ',' or ')' in the list, found '${next}'`, scanner.pos - 1);
    }
  }
}

function parseComparison(scanner: Scanner, grammar: Grammar): RegistryComparison {
  const raw = readRegistryIdentifier(scanner);
  const entity = resolveRegistryEntity(raw);
  const key = raw.key;
  if (entity === "attribute" && !grammar.attributes.includes(key)) {
    throw invalidParameter(`Invalid attribute key '${key}' specified. Valid keys are '${pythonSet(grammar.attributes)}'`);
  }
  const comparator = readComparator(scanner, key);
  const rawValue = readValue(scanner, () =>
    entity === "tag"
      ? "Expected a quoted string value for tag (e.g. 'my-value')"
      : "Expected a quoted string value or a list of quoted string values for attributes",
  );
  const value = entity === "tag" ? tagValue(rawValue) : attributeValue(grammar, key, rawValue);
  return { entity, key, comparator: checkComparator(grammar, entity, key, comparator, value), value };
}

function tagValue(value: RawValue): string {
  if (value.kind !== "string") {
    throw invalidParameter(`Expected a quoted string value for tag (e.g. 'my-value'). Got value ${value.text}`);
  }
  return value.value;
}

function attributeValue(grammar: Grammar, key: string, value: RawValue): Value {
  if (value.kind === "list") {
    if (key !== "run_id") {
      throw invalidParameter("Only the 'run_id' attribute supports comparison with a list of quoted string values.");
    }
    return value.value;
  }
  const numeric = grammar.numericAttributes.has(key);
  if (value.kind === "number") {
    if (grammar.numericAttributesShown.length === 0) {
      throw invalidParameter(
        `Expected a quoted string value or a list of quoted string values for attributes. Got value ${value.text}`,
      );
    }
    if (!numeric) {
      throw invalidParameter(
        `Only the '${pythonSet(grammar.numericAttributesShown)}' attributes support comparison with numeric values.`,
      );
    }
    return value.value;
  }
  if (!numeric) return value.value;
  // MLflow's SQL compares the integer column with the quoted text, so '3' means 3; anything else matches nothing
  // in MLflow (or everything with < on SQLite), which Cairn refuses instead.
  if (!/^\s*-?\d+(?:\.\d*)?\s*$/.test(value.value)) {
    throw invalidParameter(`Expected numeric value type for numeric attribute: ${key}. Found '${value.value}'`);
  }
  return Number(value.value);
}

function checkComparator(grammar: Grammar, entity: "attribute" | "tag", key: string, comparator: string, value: Value): Comparator {
  if (entity === "tag") {
    if (!(STRING_COMPARATORS as readonly string[]).includes(comparator)) {
      throw invalidParameter(`Invalid comparator for tag: ${comparator}`);
    }
    return comparator as Comparator;
  }
  if (grammar.numericAttributes.has(key)) {
    if (!OPERATORS.has(comparator)) throw invalidParameter(`Invalid comparator for attribute ${key}: ${comparator}`);
    return comparator as Comparator;
  }
  const allowed = (STRING_COMPARATORS as readonly string[]).includes(comparator) || (comparator === "IN" && key === "run_id");
  if (!allowed) throw invalidParameter(`Invalid comparator for attribute: ${comparator}`);
  if (comparator === "IN" && !Array.isArray(value)) {
    throw invalidParameter(`Expected a list of quoted string values after IN, e.g. run_id IN ('a', 'b'). Got value '${String(value)}'`);
  }
  if (comparator !== "IN" && Array.isArray(value)) {
    throw invalidParameter(`Invalid comparator for a list of values: ${comparator}; use IN`);
  }
  return comparator as Comparator;
}
