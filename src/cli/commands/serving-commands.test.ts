import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CairnClient } from "../../sdk/client.js";
import { UsageError } from "../errors.js";
import { formatTime } from "../output.js";
import { setCanary, setShadow, createDeployment, flatten, updateDeployment } from "./deployments.js";
import { mlflowRows, mlflowShape, oipRows, predict, predictNotice } from "./predict.js";
import { serveConfig } from "./serve.js";
import { parseFraction, parseMilliseconds, parseSecondsDuration } from "./serving-args.js";

/** The flag parsing and rendering of `cairn serve`, `cairn deployments` and `cairn predict` (no server needed). */
let dir: string;
// Nothing listens here: every case below must be refused before a request is made.
const client = new CairnClient({ trackingUri: "http://127.0.0.1:9", retry: { retries: 0 } });

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "cairn-serving-cli-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("serving flags", () => {
  it("parses fractions and milliseconds within their limits and names the flag otherwise", () => {
    expect(parseFraction("--weight", "0.25")).toBe(0.25);
    expect(parseFraction("--weight", "1")).toBe(1);
    expect(() => parseFraction("--weight", "1.5")).toThrow(new UsageError("--weight must be a number from 0 to 1, got '1.5'"));
    expect(() => parseFraction("--share", "")).toThrow(new UsageError("--share must be a number from 0 to 1, got ''"));
    expect(parseMilliseconds("--max-latency-ms", "2.5", 60_000)).toBe(2.5);
    expect(() => parseMilliseconds("--max-latency-ms", "-1", 60_000)).toThrow(
      new UsageError("--max-latency-ms must be a number of milliseconds from 0 to 60000, got '-1'"),
    );
  });

  it("builds cairn serve's config: defaults, batching flags, the tracking server from the environment", () => {
    expect(serveConfig("model.onnx", {}, {})).toEqual({ model: "model.onnx", host: "127.0.0.1", port: 5001, trackingUri: "http://127.0.0.1:5000" });
    expect(serveConfig("model.onnx", { allowedHosts: "churn-model, churn-model.prod.svc ,," }, {}).allowedHosts).toEqual(["churn-model", "churn-model.prod.svc"]);
    expect(serveConfig("model.onnx", { maxScoringBodyBytes: "4096" }, {}).maxBodyBytes).toBe(4096);
    expect(() => serveConfig("model.onnx", { maxScoringBodyBytes: "0" }, {})).toThrow("--max-scoring-body-bytes must be a positive integer number of bytes, got '0'");
    expect(
      serveConfig("models:/churn@champion", { host: "0.0.0.0", port: "0", maxBatchSize: "64", maxLatencyMs: "3" }, { MLFLOW_TRACKING_URI: "http://tracking:5000" }),
    ).toEqual({ model: "models:/churn@champion", host: "0.0.0.0", port: 0, maxBatchSize: 64, maxLatencyMs: 3, trackingUri: "http://tracking:5000" });
    expect(() => serveConfig("m.onnx", { maxBatchSize: "0" }, {})).toThrow(new UsageError("--max-batch-size must be an integer from 1 to 100000, got '0'"));
    expect(() => serveConfig("m.onnx", { port: "70000" }, {})).toThrow("--port must be an integer from 0 to 65535, got '70000'");
  });

  it("reads cairn serve's model execution flags into the executor's limits and thread budget", () => {
    expect(serveConfig("m.onnx", { inferenceTimeout: "5", maxOutputElements: "1000", modelThreads: "2" }, {}).runtime).toEqual({
      maxModelThreads: 2,
      limits: { timeoutMs: 5000, maxOutputElements: 1000 },
    });
    expect(serveConfig("m.onnx", { inferenceTimeout: "5" }, {}).runtime).toEqual({ limits: { timeoutMs: 5000 } });
    expect(() => serveConfig("m.onnx", { modelThreads: "0" }, {})).toThrow("--model-threads must be a positive integer, got '0'");
  });

  it("refuses bad deployment arguments before calling the server", async () => {
    await expect(createDeployment(client, "churn", "runs:/abc/model", {})).rejects.toThrow(
      new UsageError("MODEL_URI must be models:/<name>@<alias> or models:/<name>/<version>, got 'runs:/abc/model'"),
    );
    await expect(createDeployment(client, "churn", "models:/churn@champion", { sampleRate: "2" })).rejects.toThrow(
      new UsageError("--sample-rate must be a number from 0 to 1, got '2'"),
    );
    await expect(setCanary(client, "churn", "2", { weight: "-0.1" })).rejects.toThrow(new UsageError("--weight must be a number from 0 to 1, got '-0.1'"));
    await expect(setShadow(client, "churn", "2", {})).rejects.toThrow(new UsageError("--share is required (the share of traffic mirrored to the shadow, 0 to 1)"));
  });

  it("parses a deployment's prediction-log bounds (--log-max-age, --log-max-rows) and refuses bad ones before calling the server", async () => {
    expect(["7d", "12h", "30m", "90s", "3650d"].map((text) => parseSecondsDuration("--log-max-age", text, 315_360_000))).toEqual([604_800, 43_200, 1_800, 90, 315_360_000]);
    for (const bad of ["1500ms", "3651d", "0s", "7", "-1d", "", "1.5h"]) {
      expect(() => parseSecondsDuration("--log-max-age", bad, 315_360_000), bad).toThrow(
        new UsageError(`--log-max-age must be a whole number of seconds up to 315360000s, written such as 30d, 12h, 30m or 90s, got '${bad}'`),
      );
    }
    await expect(createDeployment(client, "churn", "models:/churn@champion", { logMaxRows: "0" })).rejects.toThrow(
      new UsageError("--log-max-rows must be an integer from 1 to 1000000000, got '0'"),
    );
    await expect(updateDeployment(client, "churn", { logMaxAge: "1w" })).rejects.toThrow(
      new UsageError("--log-max-age must be a whole number of seconds up to 315360000s, written such as 30d, 12h, 30m or 90s, got '1w'"),
    );
    await expect(updateDeployment(client, "churn", {})).rejects.toThrow(
      new UsageError("give at least one of --max-batch-size, --max-latency-ms, --sample-rate, --inference-worker, --no-inference-worker, --log-max-age, --log-max-rows"),
    );
  });

  it("refuses a predict input that cannot be sent", async () => {
    const text = path.join(dir, "rows.txt");
    await writeFile(text, "1,2\n");
    await expect(predict(client, "churn", { input: text })).rejects.toThrow(new UsageError(`--input must be a .json or .csv file, got '${text}'`));
    const missing = path.join(dir, "missing.json");
    await expect(predict(client, "churn", { input: missing })).rejects.toThrow(new UsageError(`--input: cannot read '${missing}': ENOENT`));
    const notScoring = path.join(dir, "other.json");
    await writeFile(notScoring, JSON.stringify({ rows: [[1, 2]] }));
    await expect(predict(client, "churn", { input: notScoring })).rejects.toThrow(
      new UsageError(`--input: '${notScoring}' must hold a JSON object with one of dataframe_split, dataframe_records, instances, inputs`),
    );
    const csv = path.join(dir, "rows.csv");
    await writeFile(csv, "a,b\n1,2\n");
    await expect(predict(client, "churn", { input: csv, protocol: "oip" })).rejects.toThrow(
      new UsageError(`--protocol oip needs a JSON file with an infer request {"inputs": [{"name", "shape", "datatype", "data"}]}, got '${csv}'`),
    );
    await expect(predict(client, "churn", { input: csv, protocol: "grpc" })).rejects.toThrow(new UsageError("--protocol must be mlflow or oip, got 'grpc'"));
  });
});

describe("prediction tables", () => {
  it("shows MLflow predictions as a list, an object of lists, or records", () => {
    expect(mlflowRows([0.5, 0.25])).toEqual({ columns: ["ROW", "PREDICTION"], rows: [["0", "0.5"], ["1", "0.25"]] });
    expect(mlflowRows({ label: [2, 0], probabilities: [[0.1, 0.2, 0.7], [0.8, 0.1, 0.1]] })).toEqual({
      columns: ["ROW", "label", "probabilities"],
      rows: [
        ["0", "2", "[0.1,0.2,0.7]"],
        ["1", "0", "[0.8,0.1,0.1]"],
      ],
    });
    expect(mlflowRows([{ label: 1, p: 0.123456789 }])).toEqual({ columns: ["ROW", "label", "p"], rows: [["0", "1", "0.123457"]] });
  });

  it("shows OIP outputs one row per index of the first dimension, from flat or nested data", () => {
    expect(
      oipRows([
        { name: "label", shape: [2], datatype: "INT64", data: [2, 0] },
        { name: "probabilities", shape: [2, 3], datatype: "FP32", data: [0.1, 0.2, 0.7, 0.8, 0.1, 0.1] },
        { name: "prob", shape: [2, 1], datatype: "FP32", data: [[0.25], [0.5]] },
      ]),
    ).toEqual({
      columns: ["ROW", "label", "probabilities", "prob"],
      rows: [
        ["0", "2", "[0.1,0.2,0.7]", "0.25"],
        ["1", "0", "[0.8,0.1,0.1]", "0.5"],
      ],
    });
  });
});

describe("the shadow report's lines", () => {
  it("prints times as UTC times with how long ago, never as epoch milliseconds", () => {
    const since = Date.now() - 3 * 60_000;
    const pairs = flatten({ since, compared: 4, rel_diff: { mean: 0.123456789, max: null } }, "", []);
    expect(pairs).toEqual([
      ["since (UTC)", `${formatTime(since)} (3 min ago)`],
      ["compared", "4"],
      ["rel_diff.mean", "0.123457"],
      ["rel_diff.max", "null"],
    ]);
  });
});

describe("what cairn predict says it prints", () => {
  it("names the version that answered, the count and MLflow's form of the predictions", () => {
    expect(predictNotice("churn", "3", "x-cairn-model-version", 2, mlflowShape([{ label: 1, p: 0.5 }, { label: 0, p: 0.25 }]))).toBe(
      "churn: version 3 (x-cairn-model-version), 2 predictions; MLflow's output for a DataFrame input: records, one column per model output; an output with several values per row is flattened into that many records per row (docs/serving.md).",
    );
    expect(predictNotice("churn", undefined, "x-cairn-model-version", 1, mlflowShape([0.5]))).toBe(
      "churn: version not reported by the server, 1 prediction; MLflow's output as a list: one prediction per row.",
    );
    expect(mlflowShape({ prob: [[0.5]] })).toBe("MLflow's output for a tensor input: {output: nested list}, one column per output, one line per row");
    expect(mlflowShape(7)).toBe("MLflow's output as a single value");
  });
});
