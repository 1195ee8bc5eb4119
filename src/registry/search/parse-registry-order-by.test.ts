import { describe, expect, it } from "vitest";
import { parseModelVersionOrderBy, parseRegisteredModelOrderBy } from "./parse-registry-order-by.js";

const message = (run: () => unknown): string => {
  try {
    run();
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error("expected the parse to fail");
};

describe("parseRegisteredModelOrderBy", () => {
  it("returns nothing for no clauses (the store adds name ASC)", () => {
    expect(parseRegisteredModelOrderBy(undefined)).toEqual([]);
    expect(parseRegisteredModelOrderBy([])).toEqual([]);
  });

  it("reads keys and directions; timestamp means last_updated_timestamp as in MLflow's SQL store", () => {
    expect(
      parseRegisteredModelOrderBy(["name DESC", "timestamp", "creation_timestamp asc"]),
    ).toEqual([
      { key: "name", ascending: false },
      { key: "last_updated_timestamp", ascending: true },
      { key: "creation_timestamp", ascending: true },
    ]);
    expect(parseRegisteredModelOrderBy(["`last_updated_timestamp` DESC"])).toEqual([
      { key: "last_updated_timestamp", ascending: false },
    ]);
  });

  it("refuses unknown keys, bad directions, extra tokens and duplicates", () => {
    expect(message(() => parseRegisteredModelOrderBy(["version_number"]))).toBe(
      "Invalid order by key 'version_number' specified. Valid keys are '{'name', 'timestamp', 'last_updated_timestamp', 'creation_timestamp'}'",
    );
    expect(message(() => parseRegisteredModelOrderBy(["name UP"]))).toBe("Invalid ordering key in order_by clause 'name UP'.");
    expect(message(() => parseRegisteredModelOrderBy(["name ASC x"]))).toBe(
      "Invalid order_by clause 'name ASC x'. Could not be parsed.",
    );
    expect(message(() => parseRegisteredModelOrderBy([""]))).toBe("Invalid order_by clause ''. Could not be parsed.");
    expect(message(() => parseRegisteredModelOrderBy(["timestamp", "last_updated_timestamp DESC"]))).toBe(
      "`order_by` contains duplicate fields: ['timestamp', 'last_updated_timestamp DESC']",
    );
  });
});

describe("parseModelVersionOrderBy", () => {
  it("reads every key, with or without the attribute prefix", () => {
    expect(
      parseModelVersionOrderBy([
        "version_number DESC",
        "attribute.name",
        "creation_timestamp ASC",
        "last_updated_timestamp desc",
      ]),
    ).toEqual([
      { key: "version_number", ascending: false },
      { key: "name", ascending: true },
      { key: "creation_timestamp", ascending: true },
      { key: "last_updated_timestamp", ascending: false },
    ]);
  });

  it("refuses with MLflow's messages", () => {
    expect(message(() => parseModelVersionOrderBy(["run_id"]))).toBe(
      "Invalid attribute key 'run_id' specified. Valid keys are '{'name', 'version_number', 'creation_timestamp', 'last_updated_timestamp'}'",
    );
    expect(message(() => parseModelVersionOrderBy(["tags.x"]))).toBe(
      "Invalid order by key 'x' specified. Valid keys are {'name', 'version_number', 'creation_timestamp', 'last_updated_timestamp'}",
    );
    expect(message(() => parseModelVersionOrderBy(["metric.x"]))).toBe(
      "Invalid entity type 'metric'. Valid entity types are ('attribute', 'tag', 'tags')",
    );
    expect(message(() => parseModelVersionOrderBy(["name", "name DESC"]))).toBe(
      "`order_by` contains duplicate fields: ['name', 'name DESC']",
    );
  });
});
