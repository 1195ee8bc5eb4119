import { describe, expect, it } from "vitest";
import { parseRunOrderBy } from "./parse-order-by.js";

const messageOf = (clauses: string[]): string => {
  try {
    parseRunOrderBy(clauses);
  } catch (error) {
    expect((error as { code?: string }).code).toBe("INVALID_PARAMETER_VALUE");
    return (error as Error).message;
  }
  throw new Error("expected an error");
};

describe("parseRunOrderBy", () => {
  it("reads entity, key and direction (ascending by default)", () => {
    expect(
      parseRunOrderBy([
        "metrics.`x y` DESC",
        "attribute.start_time",
        "params.p ASC",
        'tags."a.b" desc',
        "run_name asc",
        "metric.m",
      ]),
    ).toEqual([
      { entity: "metric", key: "x y", ascending: false },
      { entity: "attribute", key: "start_time", ascending: true },
      { entity: "param", key: "p", ascending: true },
      { entity: "tag", key: "a.b", ascending: false },
      { entity: "attribute", key: "run_name", ascending: true },
      { entity: "metric", key: "m", ascending: true },
    ]);
  });

  it("orders by every MLflow-orderable attribute, with the created alias", () => {
    const keys = ["artifact_uri", "end_time", "run_id", "run_name", "start_time", "status", "user_id"];
    expect(parseRunOrderBy(keys.map((k) => `attributes.${k}`)).map((c) => c.key)).toEqual(keys);
    expect(parseRunOrderBy(["created DESC"])).toEqual([{ entity: "attribute", key: "start_time", ascending: false }]);
    expect(parseRunOrderBy(["attr.Created"])).toEqual([{ entity: "attribute", key: "start_time", ascending: true }]);
  });

  it("returns [] for no clauses", () => {
    expect(parseRunOrderBy([])).toEqual([]);
  });

  it("refuses malformed clauses with MLflow's messages", () => {
    expect(messageOf(["metrics.m DOWN"])).toBe("Invalid ordering key in order_by clause 'metrics.m DOWN'.");
    expect(messageOf(["metrics.m ASC DESC"])).toBe("Invalid order_by clause 'metrics.m ASC DESC'. Could not be parsed.");
    expect(messageOf([""])).toBe("Invalid order_by clause ''. Could not be parsed.");
    expect(messageOf(["attributes.foo"])).toMatch(/^Invalid attribute key 'foo' specified. Valid keys are \['Created', 'artifact_uri', 'created', 'end_time', 'run_id', 'run_name', 'start_time', 'status', 'user_id'\]/);
    expect(messageOf(["attributes.`run name`"])).toMatch(/^Invalid attribute key 'run name' specified/);
    expect(messageOf(["bogus.x"])).toMatch(/^Invalid entity type 'bogus'/);
    expect(messageOf(["datasets.name"])).toBe("Invalid order_by entity type 'dataset' in order_by clause 'datasets.name'");
    expect(messageOf(["metrics.m", "metric.m DESC"])).toBe("`order_by` contains duplicate fields: ['metrics.m', 'metric.m DESC']");
    expect(messageOf(["start_time", "created"])).toBe("`order_by` contains duplicate fields: ['start_time', 'created']");
  });
});
