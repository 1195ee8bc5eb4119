import { describe, expect, it } from "vitest";
import type { Run } from "../../protocol/mlflow/entities.js";
import { filterRuns, sortRuns } from "./evaluate.js";
import { compareCodePoints, ilike, like } from "./like.js";
import { parseRunFilter } from "./parse-filter.js";
import { parseRunOrderBy } from "./parse-order-by.js";

interface Spec {
  id: string;
  start: number;
  end?: number;
  name?: string;
  status?: Run["info"]["status"];
  metrics?: Record<string, number>;
  params?: Record<string, string>;
  tags?: Record<string, string>;
  datasets?: { name: string; digest: string; context?: string }[];
}

const run = (s: Spec): Run => ({
  info: {
    run_id: s.id,
    run_uuid: s.id,
    run_name: s.name ?? s.id,
    experiment_id: "1",
    user_id: "alice",
    status: s.status ?? "FINISHED",
    start_time: s.start,
    ...(s.end === undefined ? {} : { end_time: s.end }),
    artifact_uri: `file:///a/${s.id}`,
    lifecycle_stage: "active",
  },
  data: {
    metrics: Object.entries(s.metrics ?? {}).map(([key, value]) => ({ key, value, timestamp: 0, step: 0 })),
    params: Object.entries(s.params ?? {}).map(([key, value]) => ({ key, value })),
    tags: Object.entries(s.tags ?? {}).map(([key, value]) => ({ key, value })),
  },
  inputs: {
    dataset_inputs: (s.datasets ?? []).map((d) => ({
      dataset: { name: d.name, digest: d.digest, source_type: "local", source: "x" },
      tags: d.context === undefined ? [] : [{ key: "mlflow.data.context", value: d.context }],
    })),
  },
});

const runs: Run[] = [
  run({ id: "a", start: 10, end: 20, metrics: { acc: 0.9, loss: -1 }, params: { lr: "0.1", opt: "Adam" }, tags: { team: "ML_1" }, datasets: [{ name: "iris", digest: "d1", context: "train" }] }),
  run({ id: "b", start: 30, metrics: { acc: NaN, loss: 2 }, params: { lr: "0.01" }, tags: { team: "ml%1" }, status: "RUNNING" }),
  run({ id: "c", start: 20, end: 25, metrics: { acc: 0.5 }, params: { opt: "adam" }, name: "Ünïcode", datasets: [{ name: "wine", digest: "d2", context: "eval" }, { name: "iris", digest: "d3" }] }),
  run({ id: "d", start: 20, metrics: { acc: Infinity, loss: 2 }, tags: { team: "it's" }, status: "FAILED" }),
];

const ids = (filter: string, order: string[] = []): string[] =>
  sortRuns(filterRuns(runs, parseRunFilter(filter)), parseRunOrderBy(order)).map((r) => r.info.run_id);

describe("filterRuns", () => {
  it.each([
    ["", ["b", "c", "d", "a"]],
    ["metrics.acc > 0.6", ["d", "a"]],
    ["metrics.acc != 0.5", ["b", "d", "a"]], // NaN != x holds (IEEE); c lacks nothing
    ["metrics.acc = 0", []],
    ["metrics.acc <= 0.9", ["c", "a"]],
    ["metrics.loss != 5", ["b", "d", "a"]], // c has no loss: no match even for !=
    ["metrics.loss < 0", ["a"]],
    ["metrics.acc >= 1e308", ["d"]],
    ["params.lr = '0.1'", ["a"]],
    ["params.lr != '0.1'", ["b"]],
    ["params.opt LIKE 'a%'", ["c"]],
    ["params.opt ILIKE 'A%'", ["c", "a"]],
    ["params.lr LIKE '0._'", ["a"]],
    ["params.lr LIKE '0.__'", ["b"]],
    ["tags.team LIKE 'ml%1'", ["b"]], // % in the value is matched by the pattern's %
    ["tags.team ILIKE 'ml_1'", ["b", "a"]], // _ matches the % character too
    ["tags.team = 'it''s'", ["d"]],
    ["attributes.status IN ('RUNNING', 'FAILED')", ["b", "d"]],
    ["attributes.status NOT IN ('RUNNING')", ["c", "d", "a"]],
    ["run_id = 'c'", ["c"]],
    ["run_name LIKE 'Ü%'", ["c"]],
    ["run_name ILIKE 'ü%'", []], // ILIKE folds ASCII letters only, as SQLite does
    ["attributes.end_time > 0", ["c", "a"]],
    ["attributes.end_time != 20", ["c"]], // a null end_time matches nothing
    ["end_time IS NULL", ["b", "d"]],
    ["created >= 20", ["b", "c", "d"]],
    ["datasets.name = 'iris'", ["c", "a"]],
    ["datasets.name != 'iris'", ["c"]], // any input that is not iris
    ["datasets.digest IN ('d3')", ["c"]],
    ["datasets.context = 'eval'", ["c"]],
    ["datasets.context LIKE '%'", ["c", "a"]],
    ["metrics.loss IS NULL", ["c"]],
    ["params.lr IS NOT NULL", ["b", "a"]],
    ["tags.team IS NULL OR params.opt = 'adam'", ["c"]],
    ["metrics.acc > 0.6 AND (params.lr = '0.1' OR tags.team = 'it''s')", ["d", "a"]],
    ["(metrics.acc < 0.6 OR metrics.loss = 2) AND status != 'FAILED'", ["b", "c"]],
  ])("%s", (filter, expected) => {
    expect(ids(filter)).toEqual(expected);
  });
});

describe("sortRuns", () => {
  it("defaults to start_time DESC, then run_id", () => {
    expect(ids("", [])).toEqual(["b", "c", "d", "a"]);
  });

  it("puts values first, then NaN, then missing, in both directions", () => {
    expect(ids("", ["metrics.acc"])).toEqual(["c", "a", "d", "b"]);
    expect(ids("", ["metrics.acc DESC"])).toEqual(["d", "a", "c", "b"]);
    expect(ids("", ["metrics.loss DESC"])).toEqual(["b", "d", "a", "c"]);
    expect(ids("", ["metrics.loss ASC"])).toEqual(["a", "b", "d", "c"]);
    expect(ids("", ["params.lr DESC"])).toEqual(["a", "b", "c", "d"]);
    expect(ids("", ["attributes.end_time DESC"])).toEqual(["c", "a", "b", "d"]);
  });

  it("breaks ties with later clauses, then start_time DESC, then run_id", () => {
    expect(ids("", ["metrics.loss", "run_id DESC"])).toEqual(["a", "d", "b", "c"]);
    expect(ids("", ["status"])).toEqual(["d", "c", "a", "b"]);
    expect(ids("", ["start_time ASC"])).toEqual(["a", "c", "d", "b"]);
  });

  it("orders strings by code point (SQLite's BINARY collation)", () => {
    expect(ids("", ["run_name"])).toEqual(["a", "b", "d", "c"]);
    expect(compareCodePoints("\u{1F600}", "\uFFFD")).toBeGreaterThan(0); // JS '<' says the opposite
    expect(compareCodePoints("ab", "a")).toBeGreaterThan(0);
    expect(compareCodePoints("B", "a")).toBeLessThan(0);
  });
});

describe("LIKE", () => {
  it("treats regex metacharacters and backslashes literally and matches code points", () => {
    expect(like("a.b", "a.b")).toBe(true);
    expect(like("axb", "a.b")).toBe(false);
    expect(like("(x)*", "(_)*")).toBe(true);
    expect(like("a\\b", "a\\b")).toBe(true);
    expect(like("--/-", "--/-")).toBe(true);
    expect(like("[a]{2}|^$", "[a]{2}|^$")).toBe(true);
    expect(like("a\nb", "a_b")).toBe(true);
    expect(like("\u{1F600}", "_")).toBe(true);
    expect(like("", "%")).toBe(true);
    expect(like("abc", "ABC")).toBe(false);
    expect(ilike("abc", "A_C")).toBe(true);
    expect(ilike("É", "é")).toBe(false);
  });
});
