import { spawn } from "node:child_process";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { Readable } from "node:stream";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTempServer, type TempServer } from "../server/test-support/temp-server.js";
import { CairnClient } from "./client.js";
import { CairnApiError } from "./errors.js";
import { collect } from "./paging.js";

let tmp: string;
let server: TempServer;
let client: CairnClient;

beforeAll(async () => {
  server = await startTempServer("cairn-sdk-");
  tmp = server.dir;
  client = new CairnClient({ trackingUri: server.url, retry: { retries: 1, minDelayMs: 10, maxDelayMs: 20 } });
});

afterAll(async () => {
  await server?.close();
});

describe("experiments", () => {
  it("create, get, get-by-name, update, tags, delete and restore", async () => {
    const id = await client.experiments.create({ name: "sdk-exp", tags: { team: "a" } });
    expect(id).toMatch(/^\d+$/);
    const experiment = await client.experiments.get(id);
    expect(experiment).toMatchObject({ experiment_id: id, name: "sdk-exp", lifecycle_stage: "active", tags: [{ key: "team", value: "a" }] });
    expect(experiment.artifact_location).toBe(`mlflow-artifacts:/${id}`);
    expect((await client.experiments.getByName("sdk-exp")).experiment_id).toBe(id);
    await client.experiments.update(id, "sdk-exp-renamed");
    await client.experiments.setTag(id, "stage", "dev");
    await client.experiments.deleteTag(id, "team");
    const updated = await client.experiments.get(id);
    expect(updated.name).toBe("sdk-exp-renamed");
    expect(updated.tags).toEqual([{ key: "stage", value: "dev" }]);
    await client.experiments.delete(id);
    expect((await client.experiments.get(id)).lifecycle_stage).toBe("deleted");
    await client.experiments.restore(id);
    expect((await client.experiments.get(id)).lifecycle_stage).toBe("active");
  });

  it("turns error answers into CairnApiError with the server's code", async () => {
    const error = await client.experiments.get("987654").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CairnApiError);
    expect(error).toMatchObject({ status: 404, errorCode: "RESOURCE_DOES_NOT_EXIST" });
    await client.experiments.create({ name: "dup" });
    await expect(client.experiments.create({ name: "dup" })).rejects.toMatchObject({ status: 400, errorCode: "RESOURCE_ALREADY_EXISTS" });
  });

  it("iterates every page of a search", async () => {
    for (let i = 0; i < 5; i += 1) await client.experiments.create({ name: `paged-${i}` });
    const first = await client.experiments.search({ filter: "name LIKE 'paged-%'", maxResults: 2, orderBy: ["name ASC"] });
    expect(first.items.map((e) => e.name)).toEqual(["paged-0", "paged-1"]);
    expect(first.nextPageToken).toBeTypeOf("string");
    const all = await collect(client.experiments.searchAll({ filter: "name LIKE 'paged-%'", maxResults: 2, orderBy: ["name ASC"] }));
    expect(all.map((e) => e.name)).toEqual(["paged-0", "paged-1", "paged-2", "paged-3", "paged-4"]);
  });
});

describe("runs", () => {
  it("covers the run endpoints end to end", async () => {
    const experimentId = await client.experiments.create({ name: "runs-e2e" });
    const run = await client.runs.create({ experimentId, runName: "first", startTime: 1_000, tags: { "mlflow.user": "ann" } });
    const runId = run.info.run_id;
    expect(run.info).toMatchObject({ run_name: "first", experiment_id: experimentId, status: "RUNNING", start_time: 1_000 });
    await client.runs.logMetric(runId, "acc", 0.5, { step: 1, timestamp: 2_000 });
    await client.runs.logMetric(runId, "acc", Number.NaN, { step: 2, timestamp: 2_001 });
    await client.runs.logParam(runId, "lr", "0.1");
    await client.runs.setTag(runId, "note", "x");
    await client.runs.setTag(runId, "gone", "y");
    await client.runs.deleteTag(runId, "gone");
    await client.runs.logBatch(runId, {
      metrics: [{ key: "loss", value: 2, timestamp: 3_000, step: 0 }, { key: "loss", value: 1, timestamp: 3_001, step: 1 }],
      params: [{ key: "depth", value: "3" }],
      tags: [{ key: "batch", value: "yes" }],
    });
    await client.runs.logInputs(runId, [
      { tags: [{ key: "mlflow.data.context", value: "train" }], dataset: { name: "iris", digest: "abc123", source_type: "local", source: "{}" } },
    ]);
    await client.runs.logModel(runId, { artifact_path: "model", flavors: { python_function: {} }, run_id: runId, utc_time_created: "2024-01-01 00:00:00.000000" });

    const fetched = await client.runs.get(runId);
    const metrics = Object.fromEntries(fetched.data.metrics.map((m) => [m.key, m]));
    expect(metrics.acc?.step).toBe(2);
    expect(Number.isNaN(metrics.acc?.value)).toBe(true);
    expect(metrics.loss).toEqual({ key: "loss", value: 1, timestamp: 3_001, step: 1 });
    expect(fetched.data.params.sort((a, b) => a.key.localeCompare(b.key))).toEqual([{ key: "depth", value: "3" }, { key: "lr", value: "0.1" }]);
    const tags = Object.fromEntries(fetched.data.tags.map((t) => [t.key, t.value]));
    expect(tags).toMatchObject({ note: "x", batch: "yes", "mlflow.user": "ann" });
    expect(tags.gone).toBeUndefined();
    expect((JSON.parse(tags["mlflow.log-model.history"] ?? "[]") as { artifact_path: string }[]).map((m) => m.artifact_path)).toEqual(["model"]);
    expect(fetched.inputs.dataset_inputs.map((d) => d.dataset.name)).toEqual(["iris"]);

    const history = await client.runs.metricHistory(runId, "loss");
    expect(history).toEqual([{ key: "loss", value: 2, timestamp: 3_000, step: 0 }, { key: "loss", value: 1, timestamp: 3_001, step: 1 }]);
    const bulk = await client.runs.metricHistoryBulkInterval({ runIds: [runId], metricKey: "loss" });
    expect(bulk.map((m) => [m.run_id, m.step, m.value])).toEqual([[runId, 0, 2], [runId, 1, 1]]);

    const info = await client.runs.update(runId, { status: "FINISHED", endTime: 9_000, runName: "renamed" });
    expect(info).toMatchObject({ run_id: runId, status: "FINISHED", end_time: 9_000, run_name: "renamed" });

    await client.runs.delete(runId);
    expect((await client.runs.search({ experimentIds: [experimentId] })).items).toEqual([]);
    expect((await client.runs.search({ experimentIds: [experimentId], runViewType: "DELETED_ONLY" })).items.map((r) => r.info.run_id)).toEqual([runId]);
    await client.runs.restore(runId);
    expect((await client.runs.get(runId)).info.lifecycle_stage).toBe("active");
  });

  it("searches with filter, order and paging", async () => {
    const experimentId = await client.experiments.create({ name: "search-e2e" });
    for (let i = 0; i < 5; i += 1) {
      const run = await client.runs.create({ experimentId, runName: `r${i}`, startTime: 10_000 + i });
      await client.runs.logMetric(run.info.run_id, "score", i, { timestamp: 1 });
    }
    const page = await client.runs.search({ experimentIds: [experimentId], filter: "metrics.score >= 2", orderBy: ["metrics.score DESC"], maxResults: 2 });
    expect(page.items.map((r) => r.info.run_name)).toEqual(["r4", "r3"]);
    const all = await collect(client.runs.searchAll({ experimentIds: [experimentId], maxResults: 2 }));
    expect(all.map((r) => r.info.run_name)).toEqual(["r4", "r3", "r2", "r1", "r0"]);
  });
});

describe("ActiveRun against the server", () => {
  it("delivers 2500 buffered metrics complete and in order, then ends the run", async () => {
    const experimentId = await client.experiments.create({ name: "active-e2e" });
    const run = await client.startRun({ experimentId, runName: "buffered", tags: { source: "test" }, flushOnExit: false });
    for (let step = 0; step < 2500; step += 1) run.logMetric("loss", 2500 - step, { step, timestamp: 100_000 + step });
    run.logParams({ lr: 0.01, layers: 3 });
    run.setTag("phase", "train");
    const info = await run.end();
    expect(info.status).toBe("FINISHED");
    expect(info.end_time).toBeTypeOf("number");
    const history = await client.runs.metricHistory(run.runId, "loss");
    expect(history).toHaveLength(2500);
    expect(history.map((m) => m.step)).toEqual(Array.from({ length: 2500 }, (_, i) => i));
    expect(history.map((m) => m.value)).toEqual(Array.from({ length: 2500 }, (_, i) => 2500 - i));
    const fetched = await client.runs.get(run.runId);
    expect(fetched.data.params.sort((a, b) => a.key.localeCompare(b.key))).toEqual([{ key: "layers", value: "3" }, { key: "lr", value: "0.01" }]);
    expect(fetched.data.tags).toEqual(expect.arrayContaining([{ key: "phase", value: "train" }, { key: "source", value: "test" }]));
  });

  it("surfaces a param conflict from a background batch on end()", async () => {
    const experimentId = await client.experiments.create({ name: "active-conflict" });
    const run = await client.startRun({ experimentId, flushOnExit: false });
    await client.runs.logParam(run.runId, "lr", "0.1");
    run.logParam("lr", "0.2");
    await expect(run.end()).rejects.toMatchObject({ name: "RunLogError", lost: 1 });
    expect((await run.end()).status).toBe("FINISHED");
  });
});

const childScript = fileURLToPath(new URL("./test-support/exit-child.ts", import.meta.url));

const runChild = async (mode: "return" | "signal" | "exit", experimentId: string): Promise<{ runId: string; code: number | null; signal: string | null; stderr: string }> => {
  const child = spawn(process.execPath, ["--import", "tsx", childScript, server.url, experimentId, mode, "1500"], { stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const runId = await new Promise<string>((resolve, reject) => {
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
      const match = /RUN (\w+)/.exec(stdout);
      if (match?.[1]) resolve(match[1]);
    });
    child.once("exit", () => reject(new Error(`child exited before logging: ${stderr}`)));
  });
  if (mode === "signal") child.kill("SIGTERM");
  const [code, signal] = await new Promise<[number | null, string | null]>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve([child.exitCode, child.signalCode]);
    else child.once("exit", (c, s) => resolve([c, s]));
  });
  return { runId, code, signal, stderr };
};

describe("flush on process exit", () => {
  it("a program that returns without end() still delivers its buffered metrics (beforeExit)", async () => {
    const experimentId = await client.experiments.create({ name: "exit-return" });
    const { runId, code, stderr } = await runChild("return", experimentId);
    expect(stderr).toBe("");
    expect(code).toBe(0);
    const history = await client.runs.metricHistory(runId, "loss");
    expect(history.map((m) => m.step)).toEqual(Array.from({ length: 1500 }, (_, i) => i));
    expect((await client.runs.get(runId)).data.params).toEqual([{ key: "mode", value: "return" }]);
  });

  it("SIGTERM flushes, then the process ends by the signal", async () => {
    const experimentId = await client.experiments.create({ name: "exit-signal" });
    const { runId, signal } = await runChild("signal", experimentId);
    expect(signal).toBe("SIGTERM");
    const history = await client.runs.metricHistory(runId, "loss");
    expect(history).toHaveLength(1500);
  });

  it("process.exit() cannot wait: what is still buffered is reported on stderr", async () => {
    const experimentId = await client.experiments.create({ name: "exit-sync" });
    const { runId, code, stderr } = await runChild("exit", experimentId);
    expect(code).toBe(0);
    // 1500 metrics + 1 param, none confirmed: the first 1000 were in flight (counted as pending) when exit() came.
    expect(stderr).toBe(`cairn: 1501 buffered entries of run ${runId} were not sent before exit\n`);
  });
});

describe("artifacts", () => {
  it("uploads files and folders, lists, downloads (streamed) and deletes", async () => {
    const experimentId = await client.experiments.create({ name: "artifacts-e2e" });
    const run = await client.runs.create({ experimentId });
    const runId = run.info.run_id;
    const src = path.join(tmp, "src");
    await mkdir(path.join(src, "nested"), { recursive: true });
    await writeFile(path.join(src, "a.txt"), "alpha");
    await writeFile(path.join(src, "nested", "b.bin"), Buffer.alloc(300_000, 7));
    const single = path.join(tmp, "model.json");
    await writeFile(single, '{"k":1}');

    expect(await client.artifacts.upload(runId, src, "data")).toEqual(["data/a.txt", "data/nested/b.bin"]);
    expect(await client.artifacts.upload(runId, single)).toEqual(["model.json"]);
    await client.artifacts.uploadStream(runId, "streamed/log.txt", Readable.from([Buffer.from("line1\n"), Buffer.from("line2\n")]));

    const root = await client.artifacts.list(runId);
    expect(root.rootUri).toBe(run.info.artifact_uri);
    expect(root.files).toEqual([
      { path: "data", is_dir: true },
      { path: "model.json", is_dir: false, file_size: 7 },
      { path: "streamed", is_dir: true },
    ]);
    expect((await client.artifacts.list(runId, "data")).files).toEqual([
      { path: "data/a.txt", is_dir: false, file_size: 5 },
      { path: "data/nested", is_dir: true },
    ]);
    expect(await client.artifacts.listProxied(runId, "data/nested")).toEqual([{ path: "data/nested/b.bin", is_dir: false, file_size: 300_000 }]);

    const dest = path.join(tmp, "dest");
    const written = await client.artifacts.download(runId, "data", dest);
    expect(written.map((file) => path.relative(dest, file))).toEqual(["data/a.txt", "data/nested/b.bin"]);
    expect(await readFile(path.join(dest, "data", "a.txt"), "utf8")).toBe("alpha");
    expect((await readFile(path.join(dest, "data", "nested", "b.bin"))).equals(Buffer.alloc(300_000, 7))).toBe(true);
    expect(await client.artifacts.download(runId, "streamed/log.txt", dest)).toEqual([path.join(dest, "streamed", "log.txt")]);
    expect(await readFile(path.join(dest, "streamed", "log.txt"), "utf8")).toBe("line1\nline2\n");

    await client.artifacts.delete(runId, "data/nested");
    expect((await client.artifacts.list(runId, "data")).files).toEqual([{ path: "data/a.txt", is_dir: false, file_size: 5 }]);
    await expect(client.artifacts.download(runId, "missing.txt", dest)).rejects.toMatchObject({ status: 404, errorCode: "RESOURCE_DOES_NOT_EXIST" });
  });
});

describe("startRun records where a run comes from", () => {
  it("sets the user and the program as MLflow's start_run does, and the caller's tags win", async () => {
    const experimentId = await client.experiments.create({ name: "context-tags" });
    const run = await client.startRun({ experimentId, userId: "ada", tags: { "mlflow.source.type": "JOB", team: "fraud" } });
    await run.end();
    const stored = await client.runs.get(run.runId);
    expect(stored.info.user_id).toBe("ada");
    const tags = Object.fromEntries(stored.data.tags.map((tag) => [tag.key, tag.value]));
    expect(tags["mlflow.user"]).toBe("ada");
    expect(tags["mlflow.source.type"]).toBe("JOB");
    expect(tags["mlflow.source.name"]).toBe(path.resolve(process.argv[1] ?? ""));
    expect(tags.team).toBe("fraud");
  });
});
