import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { sampleSteps } from "./metric-sampling.js";
import { startTrackingApp, type TrackingTestApp } from "./test-support/tracking-app.js";

let t: TrackingTestApp;
beforeEach(async () => {
  t = await startTrackingApp();
});
afterEach(async () => t.close());

const newRun = async (name: string, startTime: number): Promise<string> =>
  (await t.call("POST", "runs/create", { experiment_id: "0", run_name: name, start_time: startTime })).body.run.info.run_id;

describe("runs/search", () => {
  it("filters, orders and pages, with next_page_token only when there is a next page", async () => {
    const ids: string[] = [];
    for (let i = 0; i < 3; i += 1) {
      const id = await newRun(`run-${i}`, 1000 + i);
      ids.push(id);
      await t.call("POST", "runs/log-metric", { run_id: id, key: "acc", value: i / 10, timestamp: 1 });
    }
    const all = await t.call("POST", "runs/search", { experiment_ids: ["0"] });
    expect(all.body.runs.map((r: any) => r.info.run_name)).toEqual(["run-2", "run-1", "run-0"]);
    expect(all.body.next_page_token).toBeUndefined();
    const filtered = await t.call("POST", "runs/search", { experiment_ids: ["0"], filter: "metrics.acc > 0.05", order_by: ["metrics.acc ASC"] });
    expect(filtered.body.runs.map((r: any) => r.info.run_name)).toEqual(["run-1", "run-2"]);
    const page1 = await t.call("POST", "runs/search", { experiment_ids: ["0"], max_results: 2 });
    expect(page1.body.runs).toHaveLength(2);
    const page2 = await t.call("POST", "runs/search", { experiment_ids: ["0"], max_results: 2, page_token: page1.body.next_page_token });
    expect(page2.body.runs.map((r: any) => r.info.run_name)).toEqual(["run-0"]);
    expect(page2.body.next_page_token).toBeUndefined();
    const viaGet = await t.call("GET", "runs/search", "experiment_ids=0&experiment_ids=7&filter=attributes.run_name+%3D+%27run-1%27");
    expect(viaGet.body.runs.map((r: any) => r.info.run_id)).toEqual([ids[1]]);
    await t.call("POST", "runs/delete", { run_id: ids[0] });
    const deleted = await t.call("POST", "runs/search", { experiment_ids: ["0"], run_view_type: "DELETED_ONLY" });
    expect(deleted.body.runs.map((r: any) => r.info.run_id)).toEqual([ids[0]]);
  });

  it("refuses bad max_results and bad filters with 400", async () => {
    const big = await t.call("POST", "runs/search", { experiment_ids: ["0"], max_results: 50001 });
    expect(big.body.message).toBe("Invalid value 50001 for parameter 'max_results' supplied. It must be at most 50000");
    const neg = await t.call("POST", "runs/search", { experiment_ids: ["0"], max_results: -1 });
    expect(neg.body.message).toBe("Invalid value -1 for parameter 'max_results' supplied. It must be a positive integer");
    const bad = await t.call("POST", "runs/search", { experiment_ids: ["0"], filter: "metrics.acc >" });
    expect(bad.status).toBe(400);
    expect(bad.body.error_code).toBe("INVALID_PARAMETER_VALUE");
  });
});

describe("metrics/get-history", () => {
  it("pages through a history", async () => {
    const id = await newRun("h", 1);
    const metrics = Array.from({ length: 5 }, (_, step) => ({ key: "m", value: step, timestamp: 10, step }));
    await t.call("POST", "runs/log-batch", { run_id: id, metrics });
    const first = await t.call("GET", "metrics/get-history", { run_id: id, metric_key: "m", max_results: "2" });
    expect(first.body.metrics).toEqual([
      { key: "m", value: 0, timestamp: 10, step: 0 },
      { key: "m", value: 1, timestamp: 10, step: 1 },
    ]);
    const collected = [...first.body.metrics];
    let token = first.body.next_page_token;
    while (token) {
      const next = await t.call("GET", "metrics/get-history", { run_id: id, metric_key: "m", max_results: "2", page_token: token });
      collected.push(...next.body.metrics);
      token = next.body.next_page_token;
    }
    expect(collected.map((m) => m.step)).toEqual([0, 1, 2, 3, 4]);
    const missingRun = await t.call("GET", "metrics/get-history", { run_id: "ffffffffffffffffffffffffffffffff", metric_key: "m" });
    expect(missingRun.status).toBe(404);
  });
});

describe("metrics/get-history-bulk-interval", () => {
  it("samples steps as MLflow does and keeps every run's min and max", async () => {
    const a = await newRun("a", 1);
    const b = await newRun("b", 2);
    await t.call("POST", "runs/log-batch", { run_id: a, metrics: Array.from({ length: 100 }, (_, step) => ({ key: "m", value: step, timestamp: 1, step })) });
    await t.call("POST", "runs/log-batch", { run_id: b, metrics: [{ key: "m", value: 7, timestamp: 1, step: 55 }] });
    const { status, body } = await t.call("GET", "metrics/get-history-bulk-interval", `run_ids=${a}&run_ids=${b}&metric_key=m&max_results=10`);
    expect(status).toBe(200);
    const expectedSteps = [...new Set([...sampleSteps(0, 99, 10, Array.from({ length: 100 }, (_, s) => s)), 0, 99, 55])].sort((x, y) => x - y);
    expect(body.metrics.filter((m: any) => m.run_id === a).map((m: any) => m.step)).toEqual(expectedSteps);
    expect(body.metrics.filter((m: any) => m.run_id === b)).toEqual([{ key: "m", value: 7, timestamp: 1, step: 55, run_id: b }]);
    expect(body.metrics[0].run_id).toBe(a);
    const ranged = await t.call("GET", "metrics/get-history-bulk-interval", `run_ids=${a}&metric_key=m&start_step=10&end_step=12`);
    expect(ranged.body.metrics.map((m: any) => m.step)).toEqual([10, 11, 12]);
  });

  it("enforces run_ids, max_results and step-range rules with MLflow's messages", async () => {
    const id = await newRun("a", 1);
    const tooMany = Array.from({ length: 101 }, () => `run_ids=${id}`).join("&");
    const cases: [string, string][] = [
      [`metric_key=m`, "Missing value for required parameter 'run_ids'."],
      [`${tooMany}&metric_key=m`, "GetMetricHistoryBulkInterval request must specify at most 100 run_ids. Received 101 run_ids."],
      [`run_ids=${id}&metric_key=m&max_results=2501`, "max_results must be between 1 and 2500."],
      [`run_ids=${id}&metric_key=m&start_step=1`, "If either start step or end step are specified, both must be specified."],
      [`run_ids=${id}&metric_key=m&start_step=5&end_step=1`, "end_step must be greater than start_step. Found start_step=5 and end_step=1."],
      [`run_ids=${id}`, "Missing value for required parameter 'metric_key'"],
    ];
    for (const [query, message] of cases) {
      const { status, body } = await t.call("GET", "metrics/get-history-bulk-interval", query);
      expect(status).toBe(400);
      expect(body.message).toContain(message);
    }
  });
});

describe("sampleSteps", () => {
  it("matches MLflow's _get_sampled_steps_from_steps on known inputs", () => {
    // Computed with MLflow's Python function: range(0, 100) sampled to 10 -> every 10th step plus the last.
    expect([...sampleSteps(0, 99, 10, Array.from({ length: 100 }, (_, s) => s))].sort((a, b) => a - b)).toEqual([0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 99]);
    // Range not starting at index 0: idx < num_steps drops the upper samples (MLflow's quirk, kept on purpose).
    expect([...sampleSteps(50, 99, 5, Array.from({ length: 100 }, (_, s) => s))].sort((a, b) => a - b)).toEqual([99]);
    expect([...sampleSteps(0, 3, 10, [0, 1, 2, 3])]).toEqual([0, 1, 2, 3]);
  });
});
