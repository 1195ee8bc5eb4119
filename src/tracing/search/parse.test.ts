import { describe, expect, it } from "vitest";
import { parseTraceFilter, parseTraceOrderBy } from "./parse.js";

describe("MLflow's trace search grammar", () => {
  it("resolves entity and attribute aliases, name and run_id to their tag and metadata", () => {
    expect(
      parseTraceFilter(
        "trace.status = 'OK' AND attributes.timestamp_ms > 5 AND execution_time <= 9 AND name IN ('a', \"b\") AND run_id != 'r' " +
          "AND tag.`mlflow.user` LIKE 'a%' AND metadata.\"k.x\" ILIKE 'v' AND request_metadata.q NOT IN ('z') AND request_id = 'tr-1'",
      ),
    ).toEqual([
      { entity: "attribute", key: "state", comparator: "=", value: "OK" },
      { entity: "attribute", key: "request_time", comparator: ">", value: 5 },
      { entity: "attribute", key: "execution_duration", comparator: "<=", value: 9 },
      { entity: "tag", key: "mlflow.traceName", comparator: "IN", value: ["a", "b"] },
      { entity: "metadata", key: "mlflow.sourceRun", comparator: "!=", value: "r" },
      { entity: "tag", key: "mlflow.user", comparator: "LIKE", value: "a%" },
      { entity: "metadata", key: "k.x", comparator: "ILIKE", value: "v" },
      { entity: "metadata", key: "q", comparator: "NOT IN", value: ["z"] },
      { entity: "attribute", key: "trace_id", comparator: "=", value: "tr-1" },
    ]);
    expect(parseTraceFilter("  ")).toEqual([]);
  });

  it("names what it refuses", () => {
    expect(() => parseTraceFilter("attributes.color = 'x'")).toThrow(/^Invalid attribute key 'color' specified\. Valid keys are \['client_request_id', 'execution_duration'/);
    expect(() => parseTraceFilter("span.name = 'x'")).toThrow(/^Invalid entity type 'span'/);
    expect(() => parseTraceFilter("timestamp_ms = '5'")).toThrow(/Expected an integer number of milliseconds for attribute 'request_time'/);
    expect(() => parseTraceFilter("tags.a = b")).toThrow(/Expected a quoted string value for tag 'a'/);
    expect(() => parseTraceFilter("tags.a >= 'b'")).toThrow(/Invalid comparator '>=' for tag 'a'/);
    expect(() => parseTraceFilter("tags.a = 'b' OR tags.c = 'd'")).toThrow(/expected AND or the end of the filter/);
    expect(() => parseTraceFilter("tags.a IN ()")).toThrow(/ill-formed list/);
    expect(() => parseTraceFilter(Array.from({ length: 51 }, () => "tags.a = 'b'").join(" AND "))).toThrow(/more than 50 comparisons/);
  });

  it("reads order_by clauses with MLflow's keys, ascending by default", () => {
    expect(parseTraceOrderBy(["timestamp_ms DESC", "attributes.execution_time_ms", "tags.topic asc", "experiment_id DESC", "name"])).toEqual([
      { entity: "attribute", key: "request_time", ascending: false },
      { entity: "attribute", key: "execution_duration", ascending: true },
      { entity: "tag", key: "topic", ascending: true },
      { entity: "attribute", key: "experiment_id", ascending: false },
      { entity: "tag", key: "mlflow.traceName", ascending: true },
    ]);
    expect(() => parseTraceOrderBy(["timestamp_ms sideways"])).toThrow("Invalid ordering key in order_by clause 'timestamp_ms sideways'.");
    expect(() => parseTraceOrderBy(["foo"])).toThrow(/Invalid attribute key 'foo'/);
  });
});
