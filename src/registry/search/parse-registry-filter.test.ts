import { describe, expect, it } from "vitest";
import { parseModelVersionFilter, parseRegisteredModelFilter } from "./parse-registry-filter.js";

const failure = (run: () => unknown): { code: string; message: string } => {
  try {
    run();
  } catch (error) {
    const { code, message } = error as { code: string; message: string };
    return { code, message };
  }
  throw new Error("expected the parse to fail");
};

describe("parseRegisteredModelFilter", () => {
  it("returns no comparisons for an absent or blank filter", () => {
    expect(parseRegisteredModelFilter(undefined)).toEqual([]);
    expect(parseRegisteredModelFilter("  ")).toEqual([]);
  });

  it("parses name comparisons with every string comparator, quotes of both kinds, case-insensitive keywords", () => {
    expect(
      parseRegisteredModelFilter(`name = 'a' and name != "b" AND name like 'c%' AND name ILIKE '%D_'`),
    ).toEqual([
      { entity: "attribute", key: "name", comparator: "=", value: "a" },
      { entity: "attribute", key: "name", comparator: "!=", value: "b" },
      { entity: "attribute", key: "name", comparator: "LIKE", value: "c%" },
      { entity: "attribute", key: "name", comparator: "ILIKE", value: "%D_" },
    ]);
  });

  it("parses attribute.name and tags with plain, backticked and double-quoted keys", () => {
    expect(
      parseRegisteredModelFilter("attribute.name = 'x' AND tags.team = 'ml' AND tag.`my key` LIKE 'v%' AND tags.\"a.b\" != ''"),
    ).toEqual([
      { entity: "attribute", key: "name", comparator: "=", value: "x" },
      { entity: "tag", key: "team", comparator: "=", value: "ml" },
      { entity: "tag", key: "my key", comparator: "LIKE", value: "v%" },
      { entity: "tag", key: "a.b", comparator: "!=", value: "" },
    ]);
  });

  it("keeps a doubled quote as one quote and a dotted bare tag key whole", () => {
    expect(parseRegisteredModelFilter("tags.a.b = 'it''s'")).toEqual([
      { entity: "tag", key: "a.b", comparator: "=", value: "it's" },
    ]);
  });

  it("refuses keys, entities, values and comparators with MLflow's messages", () => {
    expect(failure(() => parseRegisteredModelFilter("run_id = 'x'"))).toEqual({
      code: "INVALID_PARAMETER_VALUE",
      message: "Invalid attribute key 'run_id' specified. Valid keys are '{'name'}'",
    });
    expect(failure(() => parseRegisteredModelFilter("metrics.a = 'x'")).message).toBe(
      "Invalid entity type 'metrics'. Valid entity types are ('attribute', 'tag', 'tags')",
    );
    expect(failure(() => parseRegisteredModelFilter("name = 3")).message).toBe(
      "Expected a quoted string value or a list of quoted string values for attributes. Got value 3",
    );
    expect(failure(() => parseRegisteredModelFilter("tags.a = 3")).message).toBe(
      "Expected a quoted string value for tag (e.g. 'my-value'). Got value 3",
    );
    expect(failure(() => parseRegisteredModelFilter("name IN ('a')")).message).toBe(
      "Only the 'run_id' attribute supports comparison with a list of quoted string values.",
    );
    expect(failure(() => parseRegisteredModelFilter("name > 'a'")).message).toBe("Invalid comparator for attribute: >");
    expect(failure(() => parseRegisteredModelFilter("tags.a >= 'a'")).message).toBe("Invalid comparator for tag: >=");
  });

  it("refuses OR, trailing garbage and unterminated strings, naming the position", () => {
    expect(failure(() => parseRegisteredModelFilter("name = 'a' OR name = 'b'")).message).toBe(
      "Invalid clause(s) in filter string: 'OR'; expected AND or the end of the filter (at position 11 of filter 'name = 'a' OR name = 'b'')",
    );
    expect(failure(() => parseRegisteredModelFilter("name = 'a")).message).toBe(
      "Unterminated single-quoted string (at position 7 of filter 'name = 'a')",
    );
    expect(failure(() => parseRegisteredModelFilter("= 'a'")).message).toBe(
      "Invalid comparison clause. Expected 'Identifier' found '=' (at position 0 of filter '= 'a'')",
    );
    expect(failure(() => parseRegisteredModelFilter("name 'a'")).message).toBe(
      "Invalid comparison clause. Expected comparison after 'name', found ''a'' (at position 5 of filter 'name 'a'')",
    );
  });

  it("refuses a filter over the length limit", () => {
    expect(failure(() => parseRegisteredModelFilter(`name = '${"x".repeat(10_000)}'`)).message).toBe(
      "Invalid filter: it is 10009 characters long, the limit is 10000 characters",
    );
  });
});

describe("parseModelVersionFilter", () => {
  it("parses every version attribute", () => {
    expect(
      parseModelVersionFilter(
        "name = 'm' AND run_id = 'r1' AND source_path LIKE 'runs:/%' AND version_number >= 2 AND tags.`k` ILIKE 'V'",
      ),
    ).toEqual([
      { entity: "attribute", key: "name", comparator: "=", value: "m" },
      { entity: "attribute", key: "run_id", comparator: "=", value: "r1" },
      { entity: "attribute", key: "source_path", comparator: "LIKE", value: "runs:/%" },
      { entity: "attribute", key: "version_number", comparator: ">=", value: 2 },
      { entity: "tag", key: "k", comparator: "ILIKE", value: "V" },
    ]);
  });

  it("parses run_id IN with a list of quoted strings", () => {
    expect(parseModelVersionFilter(`run_id IN ('a', "b",'c')`)).toEqual([
      { entity: "attribute", key: "run_id", comparator: "IN", value: ["a", "b", "c"] },
    ]);
  });

  it("reads a quoted integer for version_number as the number, as MLflow's SQL does", () => {
    expect(parseModelVersionFilter("version_number = '3'")).toEqual([
      { entity: "attribute", key: "version_number", comparator: "=", value: 3 },
    ]);
    expect(parseModelVersionFilter("version_number != 2.5")).toEqual([
      { entity: "attribute", key: "version_number", comparator: "!=", value: 2.5 },
    ]);
  });

  it("refuses with MLflow's messages", () => {
    expect(failure(() => parseModelVersionFilter("current_stage = 'x'")).message).toBe(
      "Invalid attribute key 'current_stage' specified. Valid keys are '{'name', 'version_number', 'run_id', 'source_path'}'",
    );
    expect(failure(() => parseModelVersionFilter("name = 3")).message).toBe(
      "Only the '{'version_number', 'creation_timestamp', 'last_updated_timestamp'}' attributes support comparison with numeric values.",
    );
    expect(failure(() => parseModelVersionFilter("source_path IN ('a')")).message).toBe(
      "Only the 'run_id' attribute supports comparison with a list of quoted string values.",
    );
    expect(failure(() => parseModelVersionFilter("run_id NOT IN ('a')")).message).toBe(
      "Invalid comparator for attribute: NOT IN",
    );
    expect(failure(() => parseModelVersionFilter("name IN 'a'")).message).toBe("Invalid comparator for attribute: IN");
    expect(failure(() => parseModelVersionFilter("version_number LIKE 1")).message).toBe(
      "Invalid comparator for attribute version_number: LIKE",
    );
    expect(failure(() => parseModelVersionFilter("name < 'a'")).message).toBe("Invalid comparator for attribute: <");
    expect(failure(() => parseModelVersionFilter("run_id IN ()")).message).toBe(
      "While parsing a list in the query, expected a non-empty list of string values, but got empty list",
    );
    expect(failure(() => parseModelVersionFilter("run_id IN ('a', 1)")).message).toBe(
      "While parsing a list in the query, expected string value, punctuation, or whitespace, but got different type in list: 1",
    );
    expect(failure(() => parseModelVersionFilter("version_number = 'x'")).message).toBe(
      "Expected numeric value type for numeric attribute: version_number. Found 'x'",
    );
    expect(failure(() => parseModelVersionFilter("run_id = ('a')")).message).toBe(
      "Invalid comparator for a list of values: =; use IN",
    );
  });
});
