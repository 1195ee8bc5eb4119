import { describe, expect, it } from "vitest";
import { parseExperimentFilter, parseExperimentOrderBy } from "./parse-experiment-filter.js";

const messageOf = (run: () => unknown): string => {
  try {
    run();
  } catch (error) {
    expect((error as { code?: string }).code).toBe("INVALID_PARAMETER_VALUE");
    return (error as Error).message;
  }
  throw new Error("expected an error");
};

describe("parseExperimentFilter", () => {
  it("reads attributes and tags joined by AND", () => {
    expect(parseExperimentFilter(undefined)).toEqual([]);
    expect(parseExperimentFilter("  ")).toEqual([]);
    expect(
      parseExperimentFilter(
        "name LIKE 'proj-%' and attribute.creation_time >= 100 AND last_update_time < 2e3 " +
          "AND tags.team = 'ml' AND tag.`a b` ILIKE \"x%\" AND attribute.name != 'it''s'",
      ),
    ).toEqual([
      { entity: "attribute", key: "name", comparator: "LIKE", value: "proj-%" },
      { entity: "attribute", key: "creation_time", comparator: ">=", value: 100 },
      { entity: "attribute", key: "last_update_time", comparator: "<", value: 2000 },
      { entity: "tag", key: "team", comparator: "=", value: "ml" },
      { entity: "tag", key: "a b", comparator: "ILIKE", value: "x%" },
      { entity: "attribute", key: "name", comparator: "!=", value: "it's" },
    ]);
  });

  it("refuses what MLflow refuses", () => {
    expect(messageOf(() => parseExperimentFilter("name = 'a' OR name = 'b'"))).toBe(
      "Invalid clause(s) in filter string: 'OR'; expected AND or the end of the filter (at position 11 of filter 'name = 'a' OR name = 'b'')",
    );
    expect(messageOf(() => parseExperimentFilter("attributes.name = 'a'"))).toMatch(
      /^Invalid entity type 'attributes'. Valid entity types are \('attribute', 'tag', 'tags'\)/,
    );
    expect(messageOf(() => parseExperimentFilter("experiment_id = '1'"))).toMatch(
      /^Invalid attribute key 'experiment_id' specified. Valid keys are \['creation_time', 'last_update_time', 'name'\]/,
    );
    expect(messageOf(() => parseExperimentFilter("name > 'a'"))).toMatch(
      /^Invalid comparator '>' for string attribute 'name'; valid comparators are '=', '!=', 'LIKE', 'ILIKE'/,
    );
    expect(messageOf(() => parseExperimentFilter("creation_time LIKE '1%'"))).toMatch(
      /^Invalid comparator 'LIKE' for numeric attribute 'creation_time'/,
    );
    expect(messageOf(() => parseExperimentFilter("tags.t < 'a'"))).toMatch(/^Invalid comparator '<' for tag 't'/);
    expect(messageOf(() => parseExperimentFilter("creation_time > 'a'"))).toMatch(
      /^Expected numeric value type for numeric attribute: creation_time. Found 'a'/,
    );
    expect(messageOf(() => parseExperimentFilter("name = a"))).toMatch(/^Expected a quoted string value for attributes. Got value a/);
    expect(messageOf(() => parseExperimentFilter("name IS NULL"))).toMatch(/^Invalid comparator 'IS' for string attribute 'name'/);
  });
});

describe("parseExperimentOrderBy", () => {
  it("reads keys and directions", () => {
    expect(parseExperimentOrderBy(["name", "creation_time DESC", "attribute.last_update_time asc", "experiment_id"])).toEqual([
      { key: "name", ascending: true },
      { key: "creation_time", ascending: false },
      { key: "last_update_time", ascending: true },
      { key: "experiment_id", ascending: true },
    ]);
  });

  it("refuses tags, unknown keys and bad directions", () => {
    expect(messageOf(() => parseExperimentOrderBy(["tags.t"]))).toBe("Invalid order_by entity: tag");
    expect(messageOf(() => parseExperimentOrderBy(["artifact_location"]))).toBe(
      "Invalid attribute key 'artifact_location' specified. Valid keys are ['creation_time', 'experiment_id', 'last_update_time', 'name']",
    );
    expect(messageOf(() => parseExperimentOrderBy(["name sideways"]))).toBe("Invalid ordering key in order_by clause 'name sideways'.");
    expect(messageOf(() => parseExperimentOrderBy(["name asc x"]))).toBe("Invalid order_by clause 'name asc x'. Could not be parsed.");
  });
});
