import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { GOVERNANCE_NOW, type GovernanceTestApp, registerVersion, startGovernanceApp } from "./governance-test-app.js";

const dataset = (name: string, digest: string, context?: string) => ({
  tags: context === undefined ? [] : [{ key: "mlflow.data.context", value: context }],
  dataset: { name, digest, source_type: "local", source: `/data/${name}.csv` },
});

describe("governance API: lineage", () => {
  let kit: GovernanceTestApp;

  beforeEach(async () => {
    kit = await startGovernanceApp();
  });
  afterEach(async () => {
    await kit.close();
  });

  const logInputs = async (runId: string, datasets: unknown[]) =>
    expect((await kit.call("POST", "runs/log-inputs", { run_id: runId, datasets }, {}, "mlflow")).status).toBe(200);

  it("links a version to its model, run, experiment, datasets, code and parent run", async () => {
    const parentId = await kit.createRun();
    const runId = await kit.createRun([
      { key: "mlflow.source.git.commit", value: "0123456789abcdef0123" },
      { key: "mlflow.source.name", value: "train.py" },
      { key: "mlflow.source.type", value: "LOCAL" },
      { key: "mlflow.source.git.repoURL", value: "https://example.com/churn.git" },
      { key: "mlflow.parentRunId", value: parentId },
    ]);
    await logInputs(runId, [dataset("customers", "d1", "training"), dataset("holdout", "d2", "evaluation")]);
    await kit.call("POST", "runs/update", { run_id: runId, status: "FINISHED", end_time: GOVERNANCE_NOW + 5 }, {}, "mlflow");
    const version = await registerVersion(kit, "churn", runId);
    await kit.registry.setAlias("churn", "champion", version, GOVERNANCE_NOW);

    const response = await kit.call("GET", "model-versions/lineage", { name: "churn", version });
    expect(response.status).toBe(200);
    const runAttributes = (id: string, status: string, end?: number) => ({
      run_id: id,
      run_name: "train",
      experiment_id: "0",
      user_id: "",
      status,
      start_time: GOVERNANCE_NOW,
      ...(end === undefined ? {} : { end_time: end }),
      lifecycle_stage: "active",
    });
    expect(response.body).toEqual({
      nodes: [
        { id: "registered_model:churn", type: "registered_model", label: "churn", attributes: {} },
        {
          id: "model_version:churn/1",
          type: "model_version",
          label: "churn v1",
          attributes: {
            source: `runs:/${runId}/model`,
            status: "READY",
            current_stage: "None",
            aliases: ["champion"],
            creation_timestamp: GOVERNANCE_NOW,
          },
        },
        { id: `run:${runId}`, type: "run", label: "train", attributes: runAttributes(runId, "FINISHED", GOVERNANCE_NOW + 5) },
        {
          id: "experiment:0",
          type: "experiment",
          label: "Default",
          attributes: { experiment_id: "0", name: "Default", lifecycle_stage: "active" },
        },
        {
          id: "dataset:customers@d1",
          type: "dataset",
          label: "customers",
          attributes: { name: "customers", digest: "d1", source_type: "local", source: "/data/customers.csv", context: "training" },
        },
        {
          id: "dataset:holdout@d2",
          type: "dataset",
          label: "holdout",
          attributes: { name: "holdout", digest: "d2", source_type: "local", source: "/data/holdout.csv", context: "evaluation" },
        },
        {
          id: "code:0123456789abcdef0123",
          type: "code",
          label: "train.py @ 0123456789ab",
          attributes: {
            git_commit: "0123456789abcdef0123",
            git_repo_url: "https://example.com/churn.git",
            source_name: "train.py",
            source_type: "LOCAL",
          },
        },
        { id: `run:${parentId}`, type: "run", label: "train", attributes: runAttributes(parentId, "RUNNING") },
      ],
      edges: [
        { from: "model_version:churn/1", to: "registered_model:churn", relation: "version_of" },
        { from: `run:${runId}`, to: "experiment:0", relation: "logged_in" },
        { from: `run:${runId}`, to: "dataset:customers@d1", relation: "used" },
        { from: `run:${runId}`, to: "dataset:holdout@d2", relation: "used" },
        { from: `run:${runId}`, to: "code:0123456789abcdef0123", relation: "built_from" },
        { from: `run:${runId}`, to: `run:${parentId}`, relation: "child_of" },
        { from: `run:${runId}`, to: "model_version:churn/1", relation: "produced" },
      ],
    });
  });

  it("a version without a run has only its model; a code source without git is identified by its name", async () => {
    const bare = await registerVersion(kit, "churn");
    const graph = (await kit.call("GET", "model-versions/lineage", { name: "churn", version: bare })).body;
    expect(graph.nodes.map((node: { id: string }) => node.id)).toEqual(["registered_model:churn", "model_version:churn/1"]);
    expect(graph.edges).toEqual([{ from: "model_version:churn/1", to: "registered_model:churn", relation: "version_of" }]);

    const runId = await kit.createRun([{ key: "mlflow.source.name", value: "notebook.ipynb" }]);
    const version = await registerVersion(kit, "churn", runId);
    const withRun = (await kit.call("GET", "model-versions/lineage", { name: "churn", version })).body;
    expect(withRun.nodes.find((node: { type: string }) => node.type === "code")).toEqual({
      id: "code:notebook.ipynb",
      type: "code",
      label: "notebook.ipynb",
      attributes: { source_name: "notebook.ipynb" },
    });
  });

  it("shows which runs used a dataset and the versions they produced", async () => {
    const r1 = await kit.createRun();
    const r2 = await kit.createRun();
    const r3 = await kit.createRun();
    await logInputs(r1, [dataset("customers", "d1", "training")]);
    await logInputs(r2, [dataset("customers", "d2", "training"), dataset("holdout", "h1", "evaluation")]);
    await logInputs(r3, [dataset("holdout", "h1")]);
    await registerVersion(kit, "churn", r1);
    await registerVersion(kit, "churn", r2);
    await registerVersion(kit, "attrition", r2);
    await registerVersion(kit, "churn", r3);

    const usage = async (query: Record<string, string>) => (await kit.call("GET", "datasets/usage", query)).body;
    // Runs created at the same fixed time are ordered by run id.
    const [first, second] = [r1, r2].sort();
    expect(await usage({ name: "customers" })).toEqual({
      runs: [first, second].map((id) => ({ run_id: id, run_name: "train", experiment_id: "0", context: "training" })),
      model_versions: [
        { name: "attrition", version: "1", run_id: r2 },
        { name: "churn", version: "1", run_id: r1 },
        { name: "churn", version: "2", run_id: r2 },
      ].sort((a, b) => (a.name === b.name ? 0 : a.name < b.name ? -1 : 1)),
    });
    expect(await usage({ name: "customers", digest: "d1" })).toEqual({
      runs: [{ run_id: r1, run_name: "train", experiment_id: "0", context: "training" }],
      model_versions: [{ name: "churn", version: "1", run_id: r1 }],
    });
    const holdout = await usage({ name: "holdout", digest: "h1" });
    expect(holdout.runs).toEqual(
      [
        { run_id: r2, run_name: "train", experiment_id: "0", context: "evaluation" },
        { run_id: r3, run_name: "train", experiment_id: "0" },
      ].sort((a, b) => (a.run_id < b.run_id ? -1 : 1)),
    );
    expect(holdout.model_versions).toEqual([
      { name: "attrition", version: "1", run_id: r2 },
      { name: "churn", version: "2", run_id: r2 },
      { name: "churn", version: "3", run_id: r3 },
    ]);
    expect(await usage({ name: "unknown" })).toEqual({ runs: [], model_versions: [] });
  });

  it("refuses bad requests with MLflow-shaped errors", async () => {
    const error = async (path: string, query: Record<string, string>) => {
      const response = await kit.call("GET", path, query);
      return [response.status, response.body.error_code, response.body.message];
    };
    expect(await error("model-versions/lineage", { name: "churn", version: "1" })).toEqual([
      404,
      "RESOURCE_DOES_NOT_EXIST",
      "Model Version (name=churn, version=1) not found",
    ]);
    expect(await error("model-versions/lineage", { name: "churn" })).toEqual([
      400,
      "INVALID_PARAMETER_VALUE",
      "Missing value for required parameter 'version'. See the API docs for more information about request parameters.",
    ]);
    expect(await error("datasets/usage", {})).toEqual([
      400,
      "INVALID_PARAMETER_VALUE",
      "Missing value for required parameter 'name'. See the API docs for more information about request parameters.",
    ]);
  });
});
