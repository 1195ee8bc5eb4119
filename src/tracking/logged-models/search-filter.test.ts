import { describe, expect, it } from "vitest";
import { parseLoggedModelFilter, parseLoggedModelOrderBy } from "./search-filter.js";

const failure = (run: () => unknown): string => {
  try {
    run();
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error("expected a failure");
};

describe("the logged-model filter grammar", () => {
  it("reads the 3.x client's filters into ANDed comparisons", () => {
    expect(parseLoggedModelFilter("name = 'notes'")).toEqual([{ entity: "attribute", key: "name", comparator: "=", value: "notes" }]);
    expect(
      parseLoggedModelFilter("metrics.accuracy > 0.9 and params.alpha = '0.3' AND tags.`mlflow.user` LIKE 'ad%' AND attributes.creation_timestamp >= 1e3"),
    ).toEqual([
      { entity: "metric", key: "accuracy", comparator: ">", value: 0.9 },
      { entity: "param", key: "alpha", comparator: "=", value: "0.3" },
      { entity: "tag", key: "mlflow.user", comparator: "LIKE", value: "ad%" },
      { entity: "attribute", key: "creation_time", comparator: ">=", value: 1000 },
    ]);
    expect(parseLoggedModelFilter("status = 'READY' AND model_id IN ('m-1', \"m-2\") AND last_updated_time != 5")).toEqual([
      { entity: "attribute", key: "status", comparator: "=", value: "LOGGED_MODEL_READY" },
      { entity: "attribute", key: "model_id", comparator: "IN", value: ["m-1", "m-2"] },
      { entity: "attribute", key: "last_updated_time", comparator: "!=", value: 5 },
    ]);
    expect(parseLoggedModelFilter("  ")).toEqual([]);
    expect(parseLoggedModelFilter(undefined)).toEqual([]);
  });

  it("names what is wrong", () => {
    expect(failure(() => parseLoggedModelFilter("colour = 'red'"))).toMatch(/^Invalid logged model search key 'colour'/);
    expect(failure(() => parseLoggedModelFilter("run.name = 'x'"))).toMatch(/^Invalid entity type 'run'/);
    expect(failure(() => parseLoggedModelFilter("metrics.a = 'x'"))).toMatch(/^Expected a numeric value for metrics.a, found ''x''/);
    expect(failure(() => parseLoggedModelFilter("params.a > '1'"))).toMatch(/^Invalid comparison operator for params.a: '>'/);
    expect(failure(() => parseLoggedModelFilter("metrics.a IN ('1')"))).toMatch(/^Invalid comparison operator for metrics.a: 'IN'/);
    expect(failure(() => parseLoggedModelFilter("name = 'a' OR name = 'b'"))).toMatch(/separated by 'AND'/);
    expect(failure(() => parseLoggedModelFilter(`model_id IN (${Array.from({ length: 1001 }, () => "'m'").join(",")})`))).toMatch(/at most 1000 values/);
  });

  it("reads order_by clauses as MLflow's parse_order_by_for_logged_models does", () => {
    expect(
      parseLoggedModelOrderBy([
        { fieldName: "metrics.accuracy", ascending: false, datasetName: "test", datasetDigest: "abc" },
        { fieldName: " creation_time " },
      ]),
    ).toEqual([
      { kind: "metric", key: "accuracy", ascending: false, datasetName: "test", datasetDigest: "abc" },
      { kind: "attribute", key: "creation_time", ascending: true },
    ]);
    expect(failure(() => parseLoggedModelOrderBy([{ fieldName: "params.lr" }]))).toBe(
      "Invalid order by field name: params, only `metrics.<name>` is allowed (order_by[0].field_name).",
    );
    expect(failure(() => parseLoggedModelOrderBy([{ fieldName: "metrics.a", datasetDigest: "d" }]))).toBe(
      "order_by[0]: `dataset_digest` can only be specified if `dataset_name` is also specified.",
    );
  });
});
