import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startTempServer, type TempServer } from "../../server/test-support/temp-server.js";
import { MODEL_HASH, PREPARED_HASH, RAW_BYTES, RAW_HASH, dataInput, mlflowPost, seedPipeline } from "../../pipelines/server/test-support/pipeline-seed.js";
import { LINEAGE_DATA_DEPTH } from "./lineage-service.js";

/** Lineage through data versions (issue 13), against a real server seeded over REST as the tracker writes. */
let server: TempServer;

beforeEach(async () => {
  server = await startTempServer("cairn-lineage-data-");
});
afterEach(async () => server.close());

const lineage = async (name: string, version: string): Promise<any> => {
  const response = await fetch(`${server.url}/api/2.0/cairn/model-versions/lineage?name=${name}&version=${version}`);
  expect(response.status).toBe(200);
  return response.json();
};
const mlflow = (apiPath: string, body: unknown): Promise<any> => mlflowPost(server.url, apiPath, body);

describe("lineage of a model registered from a pipeline", () => {
  it("walks from the version through its run's data versions back to the run that produced them and the data at the start", async () => {
    const s = await seedPipeline(server);
    const graph = await lineage("churn", s.version);
    const run = (id: string) => `run:${id}`;
    const dv = (hash: string) => `data_version:${hash}`;
    expect(graph.truncated).toBeUndefined();
    expect(graph.nodes.map((node: { id: string; type: string; label: string }) => [node.id, node.type, node.label])).toEqual([
      ["registered_model:churn", "registered_model", "churn"],
      ["model_version:churn/1", "model_version", "churn v1"],
      [run(s.trainRunId), "run", "train"],
      [`experiment:${s.experimentId}`, "experiment", "churn-pipeline"],
      [dv(PREPARED_HASH), "data_version", "data/prepared"],
      [dv(MODEL_HASH), "data_version", "model"],
      [run(s.parentRunId), "run", "repro"],
      [run(s.prepareRunId), "run", "prepare"],
      [dv(RAW_HASH), "data_version", "data/raw.csv"],
    ]);
    expect(graph.nodes.find((node: { id: string }) => node.id === dv(PREPARED_HASH))).toEqual({
      id: dv(PREPARED_HASH),
      type: "data_version",
      label: "data/prepared",
      attributes: { hash: PREPARED_HASH, short_hash: PREPARED_HASH.slice(0, 12), names: ["data/prepared"], is_dir: true, size: 10, nfiles: 2 },
    });
    expect(graph.nodes.find((node: { id: string }) => node.id === dv(RAW_HASH)).attributes).toEqual({
      hash: RAW_HASH,
      short_hash: RAW_HASH.slice(0, 12),
      names: ["data/raw.csv"],
      is_dir: false,
      size: RAW_BYTES.length,
    });
    expect(graph.edges).toEqual([
      { from: "model_version:churn/1", to: "registered_model:churn", relation: "version_of" },
      { from: run(s.trainRunId), to: `experiment:${s.experimentId}`, relation: "logged_in" },
      { from: run(s.trainRunId), to: dv(PREPARED_HASH), relation: "used" },
      { from: run(s.trainRunId), to: dv(MODEL_HASH), relation: "produced" },
      { from: run(s.trainRunId), to: run(s.parentRunId), relation: "child_of" },
      { from: run(s.trainRunId), to: "model_version:churn/1", relation: "produced" },
      { from: run(s.prepareRunId), to: `experiment:${s.experimentId}`, relation: "logged_in" },
      { from: run(s.prepareRunId), to: dv(RAW_HASH), relation: "used" },
      { from: run(s.prepareRunId), to: dv(PREPARED_HASH), relation: "produced" },
      { from: run(s.prepareRunId), to: run(s.parentRunId), relation: "child_of" },
    ]);
  });

  it(`stops after ${LINEAGE_DATA_DEPTH} data version levels and says the graph is truncated`, async () => {
    // A chain of 13 stages: stage i uses d(i-1) and produces d(i); the version comes from the last stage.
    const hash = (i: number) => String(i).padStart(2, "0").repeat(32);
    const runIds: string[] = [];
    for (let i = 1; i <= 13; i += 1) {
      const runId = (await mlflow("runs/create", { experiment_id: "0", run_name: `s${i}`, start_time: i })).run.info.run_id as string;
      await mlflow("runs/log-inputs", { run_id: runId, datasets: [dataInput(`d${i - 1}`, hash(i - 1), "cairn.input"), dataInput(`d${i}`, hash(i), "cairn.output")] });
      runIds.push(runId);
    }
    await mlflow("registered-models/create", { name: "deep" });
    await mlflow("model-versions/create", { name: "deep", source: `runs:/${runIds[12]}/model`, run_id: runIds[12] });
    const graph = await lineage("deep", "1");
    expect(graph.truncated).toBe(true);
    // The version's run (s13) and the producers of 10 levels of data (s12 .. s3); d2 is named (s3 used it) but its
    // producer s2 is beyond the bound.
    expect(graph.nodes.filter((node: { type: string }) => node.type === "run").map((node: { label: string }) => node.label)).toEqual(
      ["s13", "s12", "s11", "s10", "s9", "s8", "s7", "s6", "s5", "s4", "s3"],
    );
    expect(graph.nodes.filter((node: { type: string }) => node.type === "data_version").map((node: { label: string }) => node.label)).toEqual(
      ["d12", "d13", "d11", "d10", "d9", "d8", "d7", "d6", "d5", "d4", "d3", "d2"],
    );
  });

  it("shows the same bytes recorded under two paths as one data version listing both paths", async () => {
    const producer = (await mlflow("runs/create", { experiment_id: "0", run_name: "fetch", start_time: 1 })).run.info.run_id as string;
    const user = (await mlflow("runs/create", { experiment_id: "0", run_name: "train", start_time: 2 })).run.info.run_id as string;
    await mlflow("runs/log-inputs", { run_id: producer, datasets: [dataInput("data/raw.csv", RAW_HASH, "cairn.output")] });
    await mlflow("runs/log-inputs", { run_id: user, datasets: [dataInput("input.csv", RAW_HASH, "cairn.input")] });
    await mlflow("registered-models/create", { name: "copied" });
    await mlflow("model-versions/create", { name: "copied", source: `runs:/${user}/model`, run_id: user });
    const graph = await lineage("copied", "1");
    const versions = graph.nodes.filter((node: { type: string }) => node.type === "data_version");
    expect(versions.map((node: { label: string; attributes: { names: string[] } }) => [node.label, node.attributes.names])).toEqual([["input.csv", ["input.csv", "data/raw.csv"]]]);
    expect(graph.edges.filter((edge: { to: string }) => edge.to === `data_version:${RAW_HASH}`)).toEqual([
      { from: `run:${user}`, to: `data_version:${RAW_HASH}`, relation: "used" },
      { from: `run:${producer}`, to: `data_version:${RAW_HASH}`, relation: "produced" },
    ]);
  });

  it("keeps a dataset that is not exactly a data version (digest not the hash's prefix) an ordinary dataset node", async () => {
    const runId = (await mlflow("runs/create", { experiment_id: "0", run_name: "odd" })).run.info.run_id as string;
    const forged = dataInput("x", RAW_HASH, "cairn.input");
    forged.dataset.digest = "0".repeat(32);
    await mlflow("runs/log-inputs", { run_id: runId, datasets: [forged] });
    await mlflow("registered-models/create", { name: "odd" });
    await mlflow("model-versions/create", { name: "odd", source: `runs:/${runId}/model`, run_id: runId });
    const graph = await lineage("odd", "1");
    expect(graph.nodes.map((node: { type: string }) => node.type)).toEqual(["registered_model", "model_version", "run", "experiment", "dataset"]);
  });
});
