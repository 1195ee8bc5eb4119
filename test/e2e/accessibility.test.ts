import { createRequire } from "node:module";
import { readFile } from "node:fs/promises";
import { Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CairnClient } from "../../src/sdk/client.js";
import { startTempServer, type TempServer } from "../../src/server/test-support/temp-server.js";
import { launchBrowser, type TestBrowser } from "./support/browser.js";

/**
 * Every main page checked by axe-core (Deque's accessibility engine, the one behind Lighthouse's audit) in Chromium:
 * WCAG 2.1 A and AA rules, including accessible names of controls, labels, landmarks, headings and colour
 * contrast. A violation of serious or critical impact fails the test, listed with the elements it concerns.
 */
const AXE_SOURCE = await readFile(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

let server: TempServer;
let browser: TestBrowser;
const paths: Record<string, string> = {};

const mlflow = async <T>(method: string, path: string, body: unknown): Promise<T> => {
  // Artifact PUTs carry the file's bytes, not JSON.
  const headers: Record<string, string> = method === "PUT" ? {} : { "content-type": "application/json" };
  const response = await fetch(`${server.url}${path}`, { method, headers, body: typeof body === "string" ? body : JSON.stringify(body) });
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
  const text = await response.text();
  return (text ? JSON.parse(text) : {}) as T;
};

/** A logged model (with a metric and a file) and a trace with two spans and an assessment, as MLflow 3 sends them. */
const seedMlflow3 = async (experimentId: string, runId: string): Promise<{ loggedModelId: string; traceId: string }> => {
  const created = await mlflow<{ model: { info: { model_id: string; artifact_uri: string } } }>("POST", "/api/2.0/mlflow/logged-models", {
    experiment_id: experimentId,
    name: "churn-onnx",
    source_run_id: runId,
    params: [{ key: "learning_rate", value: "0.1" }],
  });
  const { model_id: modelId, artifact_uri: artifactUri } = created.model.info;
  await mlflow("POST", "/api/2.0/mlflow/runs/outputs", { run_id: runId, models: [{ model_id: modelId, step: 0 }] });
  await mlflow("POST", "/api/2.0/mlflow/runs/log-batch", { run_id: runId, metrics: [{ key: "auc", value: 0.91, timestamp: Date.now(), step: 0, model_id: modelId, dataset_name: "holdout", dataset_digest: "abc123" }] });
  await mlflow("PUT", `/api/2.0/mlflow-artifacts/artifacts/${artifactUri.replace(/^mlflow-artifacts:\/?/, "")}/MLmodel`, "flavors:\n  onnx:\n    onnx_version: 1.17.0\n");
  await mlflow("PATCH", `/api/2.0/mlflow/logged-models/${modelId}`, { model_id: modelId, status: "LOGGED_MODEL_READY" });
  const traceId = "tr-00000000000000000000000000000a11";
  const now = Date.now();
  const started = await mlflow<{ trace: { trace_info: { tags?: Record<string, string> } } }>("POST", "/api/3.0/mlflow/traces", {
    trace: {
      trace_info: {
        trace_id: traceId,
        trace_location: { type: "MLFLOW_EXPERIMENT", mlflow_experiment: { experiment_id: experimentId } },
        request_preview: '{"customer": 42}',
        response_preview: '{"churn": 0.2}',
        request_time: new Date(now).toISOString(),
        execution_duration: "0.05s",
        state: "OK",
        tags: { env: "prod" },
      },
      spans: [],
    },
  });
  const location = (started.trace.trace_info.tags?.["mlflow.artifactLocation"] ?? "").replace(/^mlflow-artifacts:\/?/, "");
  const ns = (ms: number): string => String(BigInt(now + ms) * 1_000_000n);
  const span = (id: string, parent: string, name: string, from: number, to: number) => ({
    span_id: id,
    parent_span_id: parent,
    name,
    start_time_unix_nano: ns(from),
    end_time_unix_nano: ns(to),
    status: { code: "STATUS_CODE_OK" },
    attributes: { "mlflow.spanType": '"CHAIN"', "mlflow.spanInputs": '{"customer": 42}', "mlflow.spanOutputs": "0.2" },
    events: [],
  });
  await mlflow("PUT", `/api/2.0/mlflow-artifacts/artifacts/${location}/traces.json`, JSON.stringify({ spans: [span("00000000000000a1", "", "predict", 0, 50), span("00000000000000a2", "00000000000000a1", "features", 5, 20)] }));
  await mlflow("POST", `/api/3.0/mlflow/traces/${traceId}/assessments`, {
    assessment: { assessment_name: "helpful", trace_id: traceId, source: { source_type: "HUMAN", source_id: "ada" }, feedback: { value: "yes" } },
  });
  return { loggedModelId: modelId, traceId };
};

const seed = async (): Promise<void> => {
  const cairn = new CairnClient({ trackingUri: server.url, user: "ada" });
  const experimentId = await cairn.experiments.create({ name: "churn-experiments" });
  const runIds: string[] = [];
  for (const [i, lr] of ["0.1", "0.01"].entries()) {
    const run = await cairn.runs.create({ experimentId, runName: `train-${i}` });
    const runId = run.info.run_id;
    runIds.push(runId);
    const now = Date.now();
    await cairn.runs.logBatch(runId, {
      params: [{ key: "learning_rate", value: lr }],
      metrics: Array.from({ length: 10 }, (_, step) => ({ key: "loss", value: 1 / (step + 1 + i), timestamp: now + step, step })),
      tags: [{ key: "team", value: "retention" }],
    });
    await cairn.artifacts.uploadStream(runId, "notes.txt", Readable.from([Buffer.from("trained on November data\n")]));
    await cairn.runs.update(runId, { status: "FINISHED", endTime: now + 60_000 });
  }
  const run = await cairn.runs.get(runIds[0] as string);
  await cairn.registry.createModel({ name: "churn", description: "Predicts churn." });
  await cairn.registry.createVersion({ name: "churn", source: `${run.info.artifact_uri}`, runId: runIds[0] as string });
  await cairn.registry.setAlias("churn", "champion", "1");
  const { loggedModelId, traceId } = await seedMlflow3(experimentId, runIds[0] as string);
  paths.loggedModels = `/experiments/${experimentId}/models`;
  paths.loggedModel = `/experiments/${experimentId}/models/${loggedModelId}`;
  paths.loggedModelArtifacts = `/experiments/${experimentId}/models/${loggedModelId}?tab=artifacts&artifact=MLmodel`;
  paths.traces = `/experiments/${experimentId}/traces`;
  paths.trace = `/experiments/${experimentId}/traces/${traceId}`;
  paths.experiments = "/experiments";
  paths.runs = `/experiments/${experimentId}?col=metrics.loss&col=params.learning_rate`;
  paths.runOverview = `/experiments/${experimentId}/runs/${runIds[0]}`;
  paths.runMetrics = `/experiments/${experimentId}/runs/${runIds[0]}?tab=metrics`;
  paths.runArtifacts = `/experiments/${experimentId}/runs/${runIds[0]}?tab=artifacts&artifact=notes.txt`;
  paths.compare = `/compare?run=${runIds[0]}&run=${runIds[1]}`;
  paths.models = "/models";
  paths.model = "/models/churn";
  paths.version = "/models/churn/versions/1?tab=lineage";
  paths.deployments = "/deployments";
  paths.monitors = "/monitors";
  paths.runsDefaultColumns = `/experiments/${experimentId}`;
  paths.audit = "/audit";
  paths.webhooks = "/webhooks";
};

beforeAll(async () => {
  server = await startTempServer("cairn-e2e-a11y-");
  browser = await launchBrowser();
  await seed();
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe("accessibility of the main pages (axe-core, WCAG 2.1 A/AA)", () => {
  it.each([
    "experiments",
    "runs",
    "runOverview",
    "runMetrics",
    "runArtifacts",
    "loggedModels",
    "loggedModel",
    "loggedModelArtifacts",
    "traces",
    "trace",
    "compare",
    "models",
    "model",
    "version",
    "deployments",
    "monitors",
    "runsDefaultColumns",
    "audit",
    "webhooks",
  ])("%s has no serious or critical violation", async (page) => {
    const recording = await browser.newPage(server.url);
    try {
      await recording.page.goto(paths[page] as string);
      await recording.page.getByRole("main").getByRole("heading", { level: 1 }).first().waitFor();
      // Let the page's data arrive (no request in flight for a moment) before judging it.
      await recording.page.waitForLoadState("networkidle");
      // Evaluated through the DevTools protocol: the page's own CSP (script-src 'self') would refuse a script tag.
      await recording.page.evaluate(AXE_SOURCE);
      const violations = (await recording.page.evaluate(
        "axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } }).then((r) => r.violations)",
      )) as AxeViolation[];
      const serious = violations
        .filter((violation) => violation.impact === "serious" || violation.impact === "critical")
        .map((violation) => `${violation.id} (${violation.impact}): ${violation.help} — ${violation.nodes.map((node) => node.target.join(" ")).slice(0, 5).join(", ")}`);
      expect(serious).toEqual([]);
    } finally {
      await recording.context.close();
    }
  });
});
