import { describe, expect, it } from "vitest";
import { CairnError } from "../../core/errors.js";
import type { FilterExpression } from "./ast.js";
import { parseRunFilter } from "./parse-filter.js";

const cmp = (entity: string, key: string, comparator: string, value: unknown): FilterExpression =>
  ({ kind: "compare", entity, key, comparator, value }) as FilterExpression;

function errorOf(filter: string): CairnError {
  try {
    parseRunFilter(filter);
  } catch (error) {
    expect(error).toBeInstanceOf(CairnError);
    expect((error as CairnError).code).toBe("INVALID_PARAMETER_VALUE");
    return error as CairnError;
  }
  throw new Error(`expected '${filter}' to be refused`);
}

describe("parseRunFilter: MLflow's grammar", () => {
  it("returns undefined for an empty or blank filter", () => {
    expect(parseRunFilter("")).toBeUndefined();
    expect(parseRunFilter("  \n\t ")).toBeUndefined();
  });

  it.each([
    ["metrics.acc > 0.5", cmp("metric", "acc", ">", 0.5)],
    ["metric.acc >= 1", cmp("metric", "acc", ">=", 1)],
    ["params.lr = '0.1'", cmp("param", "lr", "=", "0.1")],
    ["param.lr != '0.1'", cmp("param", "lr", "!=", "0.1")],
    ["parameter.lr LIKE '0.%'", cmp("param", "lr", "LIKE", "0.%")],
    ["parameters.lr ILIKE '0.%'", cmp("param", "lr", "ILIKE", "0.%")],
    ["tags.team = 'x'", cmp("tag", "team", "=", "x")],
    ["tag.team like 'x%'", cmp("tag", "team", "LIKE", "x%")],
    ["attributes.status = 'FINISHED'", cmp("attribute", "status", "=", "FINISHED")],
    ["attribute.user_id != 'bob'", cmp("attribute", "user_id", "!=", "bob")],
    ["attr.artifact_uri LIKE 's3://%'", cmp("attribute", "artifact_uri", "LIKE", "s3://%")],
    ["run.run_name ILIKE 'A%'", cmp("attribute", "run_name", "ILIKE", "A%")],
    ["datasets.name = 'iris'", cmp("dataset", "name", "=", "iris")],
    ["dataset.digest IN ('a1', 'b2')", cmp("dataset", "digest", "IN", ["a1", "b2"])],
    ["datasets.context NOT IN ('eval')", cmp("dataset", "context", "NOT IN", ["eval"])],
  ])("entity aliases: %s", (filter, expected) => {
    expect(parseRunFilter(filter)).toEqual(expected);
  });

  it.each([
    ["status = 'RUNNING'", cmp("attribute", "status", "=", "RUNNING")],
    ["run_id IN ('a', 'b')", cmp("attribute", "run_id", "IN", ["a", "b"])],
    ["start_time > 100", cmp("attribute", "start_time", ">", 100)],
    ["attributes.end_time <= 5", cmp("attribute", "end_time", "<=", 5)],
    ["attributes.created > 5", cmp("attribute", "start_time", ">", 5)],
    ["Created < 5", cmp("attribute", "start_time", "<", 5)],
    ['attributes."run name" = \'x\'', cmp("attribute", "run_name", "=", "x")],
    ["attributes.`Run name` = 'x'", cmp("attribute", "run_name", "=", "x")],
    ["`Run Name` = 'x'", cmp("attribute", "run_name", "=", "x")],
    ["attributes.status not in ('FAILED','KILLED')", cmp("attribute", "status", "NOT IN", ["FAILED", "KILLED"])],
  ])("bare keys are attributes, and attribute aliases resolve: %s", (filter, expected) => {
    expect(parseRunFilter(filter)).toEqual(expected);
  });

  it.each([
    ['metrics."model class" = 1', "model class"],
    ["metrics.`model class` = 1", "model class"],
    ['metrics."a.b/c-d" = 1', "a.b/c-d"],
    ["metrics.a.b = 1", "a.b"],
    ["metrics.`a``b` = 1", "a`b"],
    ['metrics."a""b" = 1', 'a"b'],
    ["metrics.épsilon_2 = 1", "épsilon_2"],
    ["`metrics`.x = 1", "x"],
  ])("quoted and dotted keys: %s", (filter, key) => {
    expect(parseRunFilter(filter)).toEqual(cmp("metric", key, "=", 1));
  });

  it.each([
    ["metrics.m = 1", 1],
    ["metrics.m = -1", -1],
    ["metrics.m = 1.5", 1.5],
    ["metrics.m = .5", 0.5],
    ["metrics.m = 2.", 2],
    ["metrics.m = 1e3", 1000],
    ["metrics.m = -2.5E-2", -0.025],
    ["metrics.m = 1e400", Infinity],
  ])("numbers: %s", (filter, value) => {
    expect(parseRunFilter(filter)).toEqual(cmp("metric", "m", "=", value));
  });

  it.each([
    ["params.p = 'it''s'", "it's"],
    ['params.p = "it\'s"', "it's"],
    ['params.p = "say ""hi"""', 'say "hi"'],
    ["params.p = ''", ""],
    ["params.p = 'a AND b OR (c)'", "a AND b OR (c)"],
    ["params.p = '%_\\\\x'", "%_\\\\x"],
    ["params.p = '; DROP TABLE runs; --'", "; DROP TABLE runs; --"],
    ["params.p = 'multi\nline'", "multi\nline"],
  ])("string values are data: %s", (filter, value) => {
    expect(parseRunFilter(filter)).toEqual(cmp("param", "p", "=", value));
  });

  it("joins with AND, case-insensitively, flat", () => {
    expect(parseRunFilter("metrics.a > 1 and params.b = 'x' AnD tags.c != 'y'")).toEqual({
      kind: "and",
      operands: [cmp("metric", "a", ">", 1), cmp("param", "b", "=", "x"), cmp("tag", "c", "!=", "y")],
    });
  });

  it("needs no whitespace around operators and quoted values", () => {
    expect(parseRunFilter("metrics.a>=1 AND params.b='x'AND tags.c!='y'")).toEqual({
      kind: "and",
      operands: [cmp("metric", "a", ">=", 1), cmp("param", "b", "=", "x"), cmp("tag", "c", "!=", "y")],
    });
  });

  it("reads MLflow's documented examples", () => {
    expect(parseRunFilter("metrics.rmse < 1 and params.model_class = 'LogisticRegression'")).toEqual({
      kind: "and",
      operands: [cmp("metric", "rmse", "<", 1), cmp("param", "model_class", "=", "LogisticRegression")],
    });
    expect(parseRunFilter("tags.`mlflow.source.type` = 'LOCAL'")).toEqual(cmp("tag", "mlflow.source.type", "=", "LOCAL"));
    expect(parseRunFilter("attributes.run_name = 'my_run' and metrics.\"accuracy\" > 0.9")).toEqual({
      kind: "and",
      operands: [cmp("attribute", "run_name", "=", "my_run"), cmp("metric", "accuracy", ">", 0.9)],
    });
    expect(parseRunFilter("tags.mlflow.runName ILIKE '%train%'")).toEqual(cmp("tag", "mlflow.runName", "ILIKE", "%train%"));
  });
});

describe("parseRunFilter: beyond MLflow", () => {
  it("OR binds looser than AND", () => {
    expect(parseRunFilter("metrics.a = 1 AND metrics.b = 2 or metrics.c = 3 AND metrics.d = 4")).toEqual({
      kind: "or",
      operands: [
        { kind: "and", operands: [cmp("metric", "a", "=", 1), cmp("metric", "b", "=", 2)] },
        { kind: "and", operands: [cmp("metric", "c", "=", 3), cmp("metric", "d", "=", 4)] },
      ],
    });
  });

  it("parentheses group, at any depth up to the limit", () => {
    expect(parseRunFilter("metrics.a = 1 AND (metrics.b = 2 OR (metrics.c = 3))")).toEqual({
      kind: "and",
      operands: [cmp("metric", "a", "=", 1), { kind: "or", operands: [cmp("metric", "b", "=", 2), cmp("metric", "c", "=", 3)] }],
    });
    const deep = `${"(".repeat(50)}metrics.a = 1${")".repeat(50)}`;
    expect(parseRunFilter(deep)).toEqual(cmp("metric", "a", "=", 1));
  });

  it("IS NULL and IS NOT NULL for metrics, params, tags and attributes", () => {
    expect(parseRunFilter("metrics.a IS NULL")).toEqual({ kind: "null-check", entity: "metric", key: "a", negated: false });
    expect(parseRunFilter("params.`p q` is not null")).toEqual({ kind: "null-check", entity: "param", key: "p q", negated: true });
    expect(parseRunFilter("tags.t Is Null OR end_time IS NOT NULL")).toEqual({
      kind: "or",
      operands: [
        { kind: "null-check", entity: "tag", key: "t", negated: false },
        { kind: "null-check", entity: "attribute", key: "end_time", negated: true },
      ],
    });
  });
});

describe("parseRunFilter: errors name the problem and the position", () => {
  it.each([
    ["params.p > 'x'", "Invalid comparator '>' for param 'p'; valid comparators are '=', '!=', 'LIKE', 'ILIKE' (at position 9 of filter 'params.p > 'x'')"],
    ["tags.t IN ('x')", "Invalid comparator 'IN' for tag 't'; valid comparators are '=', '!=', 'LIKE', 'ILIKE' (at position 7 of filter 'tags.t IN ('x')')"],
    ["metrics.m LIKE '1'", "Invalid comparator 'LIKE' for metric 'm'; valid comparators are '=', '!=', '>', '>=', '<', '<=' (at position 10 of filter 'metrics.m LIKE '1'')"],
    ["metrics.m <> 1", "Invalid comparator '<>' for metric 'm'; valid comparators are '=', '!=', '>', '>=', '<', '<=' (at position 10 of filter 'metrics.m <> 1')"],
    ["metrics.m == 1", "Invalid comparator '==' for metric 'm'; valid comparators are '=', '!=', '>', '>=', '<', '<=' (at position 10 of filter 'metrics.m == 1')"],
    ["start_time LIKE '1'", "Invalid comparator 'LIKE' for attribute 'start_time'; valid comparators are '=', '!=', '>', '>=', '<', '<=' (at position 11 of filter 'start_time LIKE '1'')"],
    ["status > 'A'", "Invalid comparator '>' for attribute 'status'; valid comparators are '=', '!=', 'LIKE', 'ILIKE', 'IN', 'NOT IN' (at position 7 of filter 'status > 'A'')"],
    ["params.p NOT LIKE 'x'", "Invalid comparator 'NOT LIKE' for param 'p'; valid comparators are '=', '!=', 'LIKE', 'ILIKE' (at position 9 of filter 'params.p NOT LIKE 'x'')"],
    ["datasets.name > 'x'", "Invalid comparator '>' for dataset 'name'; valid comparators are '=', '!=', 'LIKE', 'ILIKE', 'IN', 'NOT IN' (at position 14 of filter 'datasets.name > 'x'')"],
  ])("comparator not valid for the entity: %s", (filter, message) => {
    expect(errorOf(filter).message).toBe(message);
  });

  it("unknown attribute, entity and dataset keys", () => {
    expect(errorOf("attributes.foo = 'x'").message).toBe(
      "Invalid attribute key 'foo' specified. Valid keys are ['Created', 'Run Name', 'Run name', 'artifact_uri', " +
        "'created', 'end_time', 'run name', 'run_id', 'run_name', 'start_time', 'status', 'user_id'] (at position 0 of filter 'attributes.foo = 'x'')",
    );
    expect(errorOf("attributes.lifecycle_stage = 'active'").message).toMatch(/^Invalid attribute key 'lifecycle_stage' specified/);
    expect(errorOf("metricz.a = 1").message).toBe(
      "Invalid entity type 'metricz'. Valid values are ['metric', 'parameter', 'tag', 'attribute', 'dataset'] (at position 0 of filter 'metricz.a = 1')",
    );
    expect(errorOf("Metrics.a = 1").message).toMatch(/^Invalid entity type 'Metrics'/);
    expect(errorOf("datasets.source = 'x'").message).toBe(
      "Invalid dataset key 'source' specified. Valid keys are ['context', 'digest', 'name'] (at position 0 of filter 'datasets.source = 'x'')",
    );
  });

  it("values of the wrong type", () => {
    expect(errorOf("metrics.m > '1'").message).toBe("Expected numeric value type for metric. Found '1' (at position 12 of filter 'metrics.m > '1'')");
    expect(errorOf("metrics.m > abc").message).toBe("Expected numeric value type for metric. Found abc (at position 12 of filter 'metrics.m > abc')");
    expect(errorOf("metrics.m > NaN").message).toMatch(/^Expected numeric value type for metric. Found NaN/);
    expect(errorOf("metrics.m > 1abc").message).toMatch(/^Expected numeric value type for metric. Found 1abc/);
    expect(errorOf("start_time > '5'").message).toMatch(/^Expected numeric value type for numeric attribute: start_time. Found '5'/);
    expect(errorOf("params.p = 5").message).toBe(
      "Expected a quoted string value for parameter (e.g. 'my-value'). Got value 5 (at position 11 of filter 'params.p = 5')",
    );
    expect(errorOf("tags.t = x").message).toMatch(/^Expected a quoted string value for tag \(e.g. 'my-value'\). Got value x/);
    expect(errorOf("status = FINISHED").message).toMatch(/^Expected a quoted string value for attributes. Got value FINISHED/);
    expect(errorOf("datasets.name = 1").message).toMatch(/^Expected a quoted string value for dataset attributes. Got value 1/);
    expect(errorOf("params.p =").message).toMatch(/^Expected a quoted string value for parameter \(e.g. 'my-value'\). Got value nothing/);
  });

  it("lists", () => {
    expect(errorOf("run_id IN ()").message).toBe(
      "While parsing a list in the query, expected a non-empty list of string values, but got empty list (at position 10 of filter 'run_id IN ()')",
    );
    expect(errorOf("run_id IN ('a', 1)").message).toMatch(/^While parsing a list in the query, expected a non-empty list of string values, but got ill-formed list \(at position 10/);
    expect(errorOf("run_id IN 'a'").message).toMatch(/ill-formed list/);
    expect(errorOf("run_id IN ('a'").message).toMatch(/ill-formed list/);
    expect(errorOf("run_id IN ('a',)").message).toMatch(/ill-formed list/);
  });

  it("structure", () => {
    expect(errorOf("metrics.a = 1 metrics.b = 2").message).toBe(
      "Invalid clause(s) in filter string: 'metrics.b'; expected AND, OR or the end of the filter (at position 14 of filter 'metrics.a = 1 metrics.b = 2')",
    );
    expect(errorOf("metrics.a = 1 AND").message).toMatch(/^Expected an identifier such as metrics.<key>, params.<key>, tags.<key> or attributes.<key>, found the end/);
    expect(errorOf("metrics.a = 1 OR OR metrics.b = 1").message).toMatch(/^Invalid attribute key 'OR' specified.* \(at position 17/);
    expect(errorOf("(metrics.a = 1").message).toBe("Missing ')' for the '(' at position 0 (at position 14 of filter '(metrics.a = 1')");
    expect(errorOf("(metrics.a = 1 x)").message).toMatch(/^Invalid clause\(s\) in filter string: 'x'; expected AND, OR or '\)'/);
    expect(errorOf("metrics.a = 1)").message).toMatch(/^Invalid clause\(s\) in filter string: '\)'/);
    expect(errorOf("()").message).toMatch(/^Expected an identifier/);
    expect(errorOf("metrics. = 1").message).toMatch(/^Missing key after 'metrics.'/);
    expect(errorOf("metrics.a").message).toMatch(/^Missing comparison operator after 'a'/);
    expect(errorOf("metrics.a IS 1").message).toMatch(/^Expected NULL after 'IS', found '1'/);
    expect(errorOf("datasets.name IS NULL").message).toMatch(/^IS NULL is not supported for dataset key 'name'/);
    expect(errorOf("params.p = 'abc").message).toBe("Unterminated single-quoted string (at position 11 of filter 'params.p = 'abc')");
    expect(errorOf("metrics.`a = 1").message).toMatch(/^Unterminated backtick-quoted string/);
  });

  it("bounds the length and the nesting depth", () => {
    const long = `params.p = '${"x".repeat(10_000)}'`;
    expect(errorOf(long).message).toBe("Invalid filter: it is 10013 characters long, the limit is 10000 characters");
    const deep = `${"(".repeat(51)}metrics.a = 1${")".repeat(51)}`;
    expect(errorOf(deep).message).toMatch(/^Invalid filter: parentheses nest deeper than 50 levels \(at position 50 of filter/);
    // 5,000 nested parentheses must be an error, not a stack overflow.
    expect(errorOf("(".repeat(4_990)).message).toMatch(/deeper than 50 levels/);
  });

  it("cuts a long filter in the message", () => {
    const message = errorOf(`metrics.a = 1 x ${"y".repeat(500)}`).message;
    expect(message.length).toBeLessThan(320);
    expect(message.endsWith("...')")).toBe(true);
  });
});
