/**
 * Reads a suite YAML strictly: an unknown key, expectation or argument, a wrong type or a missing argument is a
 * CairnError naming it and its line, so a typo never silently turns a test off.
 */
import { isMap, isScalar, isSeq, type LineCounter, type Node, type Pair, type YAMLMap } from "yaml";
import { invalidParameter } from "../../core/errors.js";
import { parseLimitedYaml } from "../../core/limited-yaml.js";
import { resolveDriftMethod } from "../../monitoring/drift/methods.js";
import { type ArgumentType, CATALOGUE, COMMON_ARGUMENTS, type ExpectationName, isExpectationName } from "./catalogue.js";
import { parseRowCondition } from "./row-condition.js";
import type { ArgumentValue, Expectation, PartitionObject, QuantileRanges, Suite, SuiteScalar } from "./suite.js";

class SuiteReader {
  constructor(
    private readonly lines: LineCounter,
    private readonly label: string,
  ) {}

  lineOf(node: Node | Pair | null | undefined): number {
    const range = node && "range" in node ? node.range : node && "key" in node && isScalar(node.key) ? node.key.range : undefined;
    return range ? this.lines.linePos(range[0]).line : 0;
  }

  fail(line: number, message: string): never {
    throw invalidParameter(`${this.label} line ${line}: ${message}`);
  }

  map(node: unknown, line: number, what: string): YAMLMap {
    if (!isMap(node)) return this.fail(line, `${what} must be a mapping`);
    return node;
  }

  scalar(node: unknown, line: number, what: string): SuiteScalar | null {
    if (!isScalar(node)) return this.fail(line, `${what} must be a single value`);
    const value: unknown = node.value;
    if (value === null || typeof value === "number" || typeof value === "string" || typeof value === "boolean") return value;
    return this.fail(line, `${what} must be a number, text or true/false`);
  }

  number(node: unknown, line: number, what: string): number {
    const value = this.scalar(node, line, what);
    if (typeof value !== "number" || Number.isNaN(value)) return this.fail(line, `${what} must be a number, got ${JSON.stringify(value)}`);
    return value;
  }

  list(node: unknown, line: number, what: string): unknown[] {
    if (!isSeq(node)) return this.fail(line, `${what} must be a list`);
    return node.items;
  }

  argument(type: ArgumentType, node: unknown, line: number, what: string): ArgumentValue {
    switch (type) {
      case "column":
      case "path":
      case "string": {
        const value = this.scalar(node, line, what);
        if (typeof value !== "string" || value === "") return this.fail(line, `${what} must be non-empty text`);
        return value;
      }
      case "number":
        return this.number(node, line, what);
      case "integer": {
        const value = this.number(node, line, what);
        if (!Number.isInteger(value) || value < 0) return this.fail(line, `${what} must be a whole number >= 0, got ${value}`);
        return value;
      }
      case "fraction": {
        const value = this.number(node, line, what);
        if (value < 0 || value > 1) return this.fail(line, `${what} must be between 0 and 1, got ${value}`);
        return value;
      }
      case "boolean": {
        const value = this.scalar(node, line, what);
        if (typeof value !== "boolean") return this.fail(line, `${what} must be true or false`);
        return value;
      }
      case "column_list":
        return this.list(node, line, what).map((item, index) => this.argument("column", item, this.lineOf(item as Node), `${what}[${index}]`) as string);
      case "value_list":
        return this.list(node, line, what).map((item, index) => {
          const value = this.scalar(item, this.lineOf(item as Node), `${what}[${index}]`);
          if (value === null) return this.fail(this.lineOf(item as Node), `${what}[${index}] must not be null`);
          return value;
        });
      case "quantile_ranges":
        return this.quantileRanges(node, line, what);
      case "partition_object":
        return this.partition(node, line, what);
      case "drift_method": {
        const value = this.argument("string", node, line, what) as string;
        try {
          // Kept as written; checked now so a misspelt method fails the parse, not the run.
          resolveDriftMethod(value);
        } catch (error) {
          return this.fail(line, `${what}: ${(error as Error).message}`);
        }
        return value;
      }
    }
  }

  private quantileRanges(node: unknown, line: number, what: string): QuantileRanges {
    const map = this.map(node, line, what);
    const fields = this.fields(map, what, ["quantiles", "value_ranges"]);
    const quantiles = this.list(fields.quantiles, line, `${what}.quantiles`).map((q, i) => this.argument("fraction", q, line, `${what}.quantiles[${i}]`) as number);
    const ranges = this.list(fields.value_ranges, line, `${what}.value_ranges`).map((range, i): [number | null, number | null] => {
      const pair = this.list(range, line, `${what}.value_ranges[${i}]`);
      if (pair.length !== 2) return this.fail(line, `${what}.value_ranges[${i}] must be [min, max]`);
      const side = (n: unknown): number | null => (isScalar(n) && n.value === null ? null : this.number(n, line, `${what}.value_ranges[${i}]`));
      return [side(pair[0]), side(pair[1])];
    });
    if (ranges.length !== quantiles.length) this.fail(line, `${what} has ${quantiles.length} quantiles but ${ranges.length} value_ranges`);
    return { quantiles, value_ranges: ranges };
  }

  private partition(node: unknown, line: number, what: string): PartitionObject {
    const map = this.map(node, line, what);
    const fields = this.fields(map, what, ["weights"], ["bins", "values", "tail_weights"]);
    const weights = this.list(fields.weights, line, `${what}.weights`).map((w, i) => this.argument("fraction", w, line, `${what}.weights[${i}]`) as number);
    const partition: PartitionObject = { weights };
    if ((fields.bins === undefined) === (fields.values === undefined)) this.fail(line, `${what} needs exactly one of bins (numbers) or values (categories)`);
    if (fields.bins !== undefined) {
      const bins = this.list(fields.bins, line, `${what}.bins`).map((b, i) => this.number(b, line, `${what}.bins[${i}]`));
      if (bins.length !== weights.length + 1) this.fail(line, `${what} has ${bins.length} bins edges; ${weights.length} weights need ${weights.length + 1}`);
      if (bins.some((b, i) => i > 0 && b <= (bins[i - 1] ?? b))) this.fail(line, `${what}.bins must increase`);
      partition.bins = bins;
    } else {
      const values = this.argument("value_list", fields.values, line, `${what}.values`) as SuiteScalar[];
      if (values.length !== weights.length) this.fail(line, `${what} has ${values.length} values but ${weights.length} weights`);
      if (new Set(values).size !== values.length) this.fail(line, `${what}.values has duplicates`);
      partition.values = values;
    }
    if (fields.tail_weights !== undefined) {
      const tails = this.list(fields.tail_weights, line, `${what}.tail_weights`).map((w, i) => this.argument("fraction", w, line, `${what}.tail_weights[${i}]`) as number);
      if (tails.length !== 2) this.fail(line, `${what}.tail_weights must be [below, above]`);
      partition.tail_weights = [tails[0] ?? 0, tails[1] ?? 0];
    }
    const total = weights.reduce((a, b) => a + b, 0) + (partition.tail_weights?.[0] ?? 0) + (partition.tail_weights?.[1] ?? 0);
    if (Math.abs(total - 1) > 1e-9) this.fail(line, `${what} weights (with tail_weights) must sum to 1, got ${total}`);
    return partition;
  }

  /** A mapping's values by key, refusing keys outside `required` + `optional` and missing required ones. */
  fields(map: YAMLMap, what: string, required: string[], optional: string[] = []): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const pair of map.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : "";
      const line = this.lineOf(pair.key as Node);
      if (!required.includes(key) && !optional.includes(key)) {
        this.fail(line, `unknown key '${key}' in ${what} (known: ${[...required, ...optional].join(", ")})`);
      }
      out[key] = pair.value;
    }
    for (const key of required) if (!(key in out)) this.fail(this.lineOf(map), `${what} is missing '${key}'`);
    return out;
  }
}

const RANGE_FAMILY = (name: ExpectationName): boolean => "min_value" in CATALOGUE[name].optional;

const readExpectation = (reader: SuiteReader, node: unknown, index: number, fallbackLine: number): Expectation => {
  const line = reader.lineOf(node as Node) || fallbackLine;
  const map = reader.map(node, line, `expectations[${index}]`);
  const namePair = map.items.find((pair) => isScalar(pair.key) && pair.key.value === "expectation");
  if (!namePair) return reader.fail(line, `expectations[${index}] has no 'expectation' key`);
  const name = reader.scalar(namePair.value, line, "expectation");
  if (typeof name !== "string" || !isExpectationName(name)) {
    return reader.fail(line, `unknown expectation '${String(name)}'`);
  }
  const spec = CATALOGUE[name];
  const known: Record<string, ArgumentType> = { ...spec.required, ...spec.optional, ...COMMON_ARGUMENTS };
  const kwargs: Record<string, ArgumentValue> = {};
  for (const pair of map.items) {
    const key = isScalar(pair.key) ? String(pair.key.value) : "";
    if (key === "expectation") continue;
    const keyLine = reader.lineOf(pair.key as Node);
    const type = known[key];
    if (!type) reader.fail(keyLine, `${name} has no argument '${key}' (arguments: ${Object.keys(known).join(", ")})`);
    else kwargs[key] = reader.argument(type, pair.value, keyLine, `${name}.${key}`);
  }
  for (const key of Object.keys(spec.required)) {
    if (!(key in kwargs)) reader.fail(line, `${name} is missing its argument '${key}'`);
  }
  if (RANGE_FAMILY(name) && kwargs.min_value === undefined && kwargs.max_value === undefined && kwargs.value === undefined) {
    reader.fail(line, `${name} needs min_value, max_value or both`);
  }
  if (typeof kwargs.min_value === "number" && typeof kwargs.max_value === "number" && kwargs.min_value > kwargs.max_value) {
    reader.fail(line, `${name}: min_value ${kwargs.min_value} is greater than max_value ${kwargs.max_value}`);
  }
  if (typeof kwargs.regex === "string") {
    try {
      new RegExp(kwargs.regex, "u");
    } catch (error) {
      reader.fail(line, `${name}: regex ${JSON.stringify(kwargs.regex)} is not a valid regular expression (${(error as Error).message})`);
    }
  }
  if (spec.family === "drift") {
    // The drift library compares whole columns; a row condition would silently apply to one side only.
    if (kwargs.row_condition !== undefined) reader.fail(line, `${name} does not take a row_condition`);
    if (typeof kwargs.threshold === "number" && kwargs.threshold < 0) reader.fail(line, `${name}.threshold must be a number >= 0, got ${kwargs.threshold}`);
    if (Array.isArray(kwargs.columns) && kwargs.columns.length === 0) reader.fail(line, `${name}.columns must name at least one column`);
  }
  const expectation: Expectation = { expectation: name, kwargs, line };
  if (typeof kwargs.row_condition === "string") {
    try {
      expectation.rowCondition = parseRowCondition(kwargs.row_condition);
    } catch (error) {
      reader.fail(line, `${name}: ${(error as Error).message}`);
    }
  }
  return expectation;
};

/**
 * Parses a suite's YAML text; `label` names the file in messages. Suites reach the server inside monitors, so the
 * text is bounded (size, depth, aliases; see core/limited-yaml.ts) before and while it is parsed.
 */
export const parseSuite = (text: string, label = "suite"): Suite => {
  const { document, lines } = parseLimitedYaml(text, label);
  const reader = new SuiteReader(lines, label);
  const firstError = document.errors[0];
  if (firstError) reader.fail(firstError.linePos?.[0]?.line ?? 0, `not valid YAML: ${firstError.message.split("\n")[0] ?? ""}`);
  const root = reader.map(document.contents, 1, "a suite");
  const fields = reader.fields(root, "the suite", ["suite", "expectations"], ["meta"]);
  const name = reader.argument("string", fields.suite, reader.lineOf(root), "suite") as string;
  const items = reader.list(fields.expectations, reader.lineOf(root), "expectations");
  return { suite: name, expectations: items.map((item, index) => readExpectation(reader, item, index, reader.lineOf(root))) };
};
