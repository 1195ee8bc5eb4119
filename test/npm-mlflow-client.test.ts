/**
 * Drives the npm `mlflow` package (v2.0.7, a third-party MLflow REST client) against a real Cairn server: the one
 * MLflow client installable here, so it stands in for "every MLflow client works unchanged". Endpoints it calls:
 * experiments create/get/list/update/delete/restore/set-experiment-tag, runs create/get/search/update/delete/restore/
 * log-metric/log-parameter/set-tag/delete-tag/log-batch, metrics/get-history, artifacts/list.
 */
import { writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { Experiment, FileInfo, Metric, Run, RunInfo } from "../src/protocol/mlflow/entities.js";
import { CairnClient } from "../src/sdk/client.js";
import { startTempServer, type TempServer } from "../src/server/test-support/temp-server.js";

/** The package's surface as used here; its own typings reference DOM types this project does not load. */
type Call = (args?: Record<string, unknown>) => Promise<unknown>;
interface MlflowNpmClient {
  Experiments: Record<"create" | "get" | "list" | "update" | "delete" | "restore" | "setExperimentTag", Call>;
  Runs: Record<"create" | "get" | "search" | "update" | "delete" | "restore" | "logMetric" | "logParameter" | "setTag" | "deleteTag" | "logBatch", Call>;
  Metrics: Record<"getHistory", Call>;
  Artifacts: Record<"list", Call>;
}
const require = createRequire(import.meta.url);
const MLflow = require("mlflow") as new (options: { endpoint: string }) => MlflowNpmClient;

let tmp: string;
let server: TempServer;
let mlflow: MlflowNpmClient;
let cairn: CairnClient;

beforeAll(async () => {
  server = await startTempServer("cairn-npm-mlflow-");
  tmp = server.dir;
  mlflow = new MLflow({ endpoint: server.url });
  cairn = new CairnClient({ trackingUri: server.url });
  // The package prints every POST body with console.log; keep the test output readable.
  vi.spyOn(console, "log").mockImplementation(() => undefined);
});

afterAll(async () => {
  vi.restoreAllMocks();
  await server?.close();
});

describe("npm mlflow client against Cairn", () => {
  it("manages experiments, including the removed experiments/list that it still calls", async () => {
    const { experiment_id: id } = (await mlflow.Experiments.create({ name: "npm-exp" })) as { experiment_id: string };
    expect(id).toMatch(/^\d+$/);
    const { experiment } = (await mlflow.Experiments.get({ experiment_id: id })) as { experiment: Experiment };
    expect(experiment).toMatchObject({ experiment_id: id, name: "npm-exp", lifecycle_stage: "active", artifact_location: `mlflow-artifacts:/${id}` });

    const listed = (await mlflow.Experiments.list()) as { experiments: Experiment[] };
    expect(listed.experiments.map((e) => e.name).sort()).toEqual(["Default", "npm-exp"]);

    expect(await mlflow.Experiments.update({ experiment_id: id, new_name: "npm-exp-2" })).toEqual({});
    expect((await cairn.experiments.get(id)).name).toBe("npm-exp-2");

    expect(await mlflow.Experiments.delete({ experiment_id: id })).toEqual({});
    expect((await cairn.experiments.get(id)).lifecycle_stage).toBe("deleted");
    const deletedOnly = (await mlflow.Experiments.list({ view_type: "DELETED_ONLY" })) as { experiments: Experiment[] };
    expect(deletedOnly.experiments.map((e) => e.experiment_id)).toEqual([id]);
    expect(await mlflow.Experiments.restore({ experiment_id: id })).toEqual({});
    expect((await cairn.experiments.get(id)).lifecycle_stage).toBe("active");
  });

  it("fails set-experiment-tag because of the package's own URL bug (missing slash), as it would against MLflow", async () => {
    const { experiment_id: id } = (await mlflow.Experiments.create({ name: "npm-tag" })) as { experiment_id: string };
    const error = (await mlflow.Experiments.setExperimentTag({ experiment_id: id, key: "k", value: "v" }).catch((e: unknown) => e)) as Error;
    // It requests /api/2.0/mlflow/experimentsset-experiment-tag; Cairn answers like MLflow: 404 ENDPOINT_NOT_FOUND.
    expect(error.message).toContain('"status":404');
    expect(error.message).toContain('"error_code":"ENDPOINT_NOT_FOUND"');
  });

  it("logs to a run and reads it back: metrics, params, tags, batch, history, search, update", async () => {
    const experimentId = await cairn.experiments.create({ name: "npm-runs" });
    const { run } = (await mlflow.Runs.create({
      experiment_id: experimentId,
      start_time: 1_700_000_000_000,
      tags: [{ key: "mlflow.runName", value: "npm-run" }],
    })) as { run: Run };
    const runId = run.info.run_id;
    expect(run.info).toMatchObject({ experiment_id: experimentId, status: "RUNNING", start_time: 1_700_000_000_000, run_name: "npm-run" });

    await mlflow.Runs.logMetric({ run_id: runId, key: "acc", value: 0.5, timestamp: 1_000, step: 0 });
    await mlflow.Runs.logMetric({ run_id: runId, key: "acc", value: 0.75, timestamp: 1_001, step: 1 });
    await mlflow.Runs.logParameter({ run_id: runId, key: "lr", value: "0.01" });
    await mlflow.Runs.setTag({ run_id: runId, key: "team", value: "vision" });
    await mlflow.Runs.setTag({ run_id: runId, key: "temp", value: "x" });
    await mlflow.Runs.deleteTag({ run_id: runId, key: "temp" });
    await mlflow.Runs.logBatch({
      run_id: runId,
      metrics: [{ key: "loss", value: 0.3, timestamp: 2_000, step: 1 }],
      params: [{ key: "epochs", value: "10" }],
      tags: [{ key: "phase", value: "train" }],
    });

    const fetched = ((await mlflow.Runs.get({ run_id: runId })) as { run: Run }).run;
    expect(fetched.data.metrics.sort((a, b) => a.key.localeCompare(b.key))).toEqual([
      { key: "acc", value: 0.75, timestamp: 1_001, step: 1 },
      { key: "loss", value: 0.3, timestamp: 2_000, step: 1 },
    ]);
    expect(fetched.data.params.sort((a, b) => a.key.localeCompare(b.key))).toEqual([
      { key: "epochs", value: "10" },
      { key: "lr", value: "0.01" },
    ]);
    const tags = Object.fromEntries(fetched.data.tags.map((t) => [t.key, t.value]));
    expect(tags).toMatchObject({ team: "vision", phase: "train", "mlflow.runName": "npm-run" });
    expect(tags.temp).toBeUndefined();

    const history = (await mlflow.Metrics.getHistory({ run_id: runId, metric_key: "acc" })) as { metrics: Metric[] };
    expect(history.metrics).toEqual([
      { key: "acc", value: 0.5, timestamp: 1_000, step: 0 },
      { key: "acc", value: 0.75, timestamp: 1_001, step: 1 },
    ]);

    const other = await cairn.runs.create({ experimentId, runName: "other" });
    await cairn.runs.logMetric(other.info.run_id, "acc", 0.1, { timestamp: 1 });
    const found = (await mlflow.Runs.search({ experiment_ids: [experimentId], filter: "metrics.acc > 0.5", run_view_type: "ACTIVE_ONLY" })) as { runs: Run[] };
    expect(found.runs.map((r) => r.info.run_id)).toEqual([runId]);

    const { run_info } = (await mlflow.Runs.update({ run_id: runId, status: "FINISHED", end_time: 1_700_000_060_000 })) as { run_info: RunInfo };
    expect(run_info).toMatchObject({ run_id: runId, status: "FINISHED", end_time: 1_700_000_060_000 });

    await mlflow.Runs.delete({ run_id: runId });
    const active = (await mlflow.Runs.search({ experiment_ids: [experimentId] })) as { runs?: Run[] };
    expect((active.runs ?? []).map((r) => r.info.run_id)).toEqual([other.info.run_id]);
    await mlflow.Runs.restore({ run_id: runId });
    expect((await cairn.runs.get(runId)).info.lifecycle_stage).toBe("active");
  });

  it("lists a run's artifacts", async () => {
    const run = await cairn.runs.create({ experimentId: "0" });
    const file = path.join(tmp, "weights.bin");
    await writeFile(file, Buffer.alloc(1234, 1));
    await cairn.artifacts.upload(run.info.run_id, file, "model");
    const root = (await mlflow.Artifacts.list({ run_id: run.info.run_id })) as { root_uri: string; files: FileInfo[] };
    expect(root).toEqual({ root_uri: run.info.artifact_uri, files: [{ path: "model", is_dir: true }] });
    const inner = (await mlflow.Artifacts.list({ run_id: run.info.run_id, path: "model" })) as { files: FileInfo[] };
    expect(inner.files).toEqual([{ path: "model/weights.bin", is_dir: false, file_size: 1234 }]);
  });

  it("reports a missing run as MLflow's 404 RESOURCE_DOES_NOT_EXIST", async () => {
    const error = (await mlflow.Runs.get({ run_id: "0123456789abcdef0123456789abcdef" }).catch((e: unknown) => e)) as Error;
    expect(error.message).toContain('"status":404');
    expect(error.message).toContain('"error_code":"RESOURCE_DOES_NOT_EXIST"');
  });
});
