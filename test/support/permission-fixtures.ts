import { readdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { ADMIN, basic, call, type Answer } from "../../src/auth/test-support/auth-server.js";
import { logisticRegressionModel, writeMlflowModelDir } from "../../src/serving/test-support/onnx-models.js";
import { openDataset } from "../../src/validation/duckdb/open-dataset.js";
import { profileDataset } from "../../src/validation/profile/profile-dataset.js";
import { waitFor } from "./wait-for.js";

/**
 * The users and resources of the permission tests, on a real `--auth` server: four users below an administrator,
 * each with one level on experiment `matrix` and registered model `churn` (none for `nobody`, as the server's default
 * is NO_PERMISSIONS), a run, logged model, trace, version, alias, deployment, monitor and logged prediction.
 */
export type Role = "anonymous" | "nobody" | "reader" | "editor" | "manager" | "admin";
export const ROLES: readonly Role[] = ["anonymous", "nobody", "reader", "editor", "manager", "admin"];
export const LEVEL_OF: Record<"reader" | "editor" | "manager", "READ" | "EDIT" | "MANAGE"> = { reader: "READ", editor: "EDIT", manager: "MANAGE" };

export const passwordOf = (user: string): string => `${user}-password-0001`;

export const headersOf = (role: Role): Record<string, string> =>
  role === "anonymous" ? {} : { authorization: role === "admin" ? basic(ADMIN.username, ADMIN.password) : basic(role, passwordOf(role)) };

export interface Fixtures {
  url: string;
  experimentId: string;
  runId: string;
  loggedModelId: string;
  traceId: string;
  v2TraceId: string;
  assessmentId: string;
  deployment: string;
  monitor: string;
  requestId: string;
  webhookId: string;
  mlflowWebhookId: string;
  profile: unknown;
  referencePath: string;
  counter: () => number;
}

/** One call as the administrator that must succeed. */
export const asAdmin = async (url: string, method: string, pathName: string, body?: unknown): Promise<Answer> => {
  const answer = await call(url, method, pathName, { headers: headersOf("admin"), ...(body === undefined ? {} : { body }) });
  if (answer.status !== 200) throw new Error(`${method} ${pathName}: ${answer.status} ${answer.text.slice(0, 300)}`);
  return answer;
};

export const MLFLOW = "/api/2.0/mlflow";
export const CAIRN = "/api/2.0/cairn";

/** Grants each role user its level on an experiment or a registered model. */
export const grantLevels = async (url: string, kind: "experiment" | "model", id: string): Promise<void> => {
  for (const [username, permission] of Object.entries(LEVEL_OF)) {
    const body = kind === "experiment" ? { experiment_id: id, username, permission } : { name: id, username, permission };
    await asAdmin(url, "POST", `${MLFLOW}/${kind === "experiment" ? "experiments" : "registered-models"}/permissions/create`, body);
  }
};

const newTraceId = (n: number): string => `tr-${n.toString(16).padStart(32, "0")}`;

export const startTraceV3 = async (url: string, experimentId: string, traceId: string): Promise<void> => {
  await asAdmin(url, "POST", "/api/3.0/mlflow/traces", {
    trace: {
      trace_info: {
        trace_id: traceId,
        trace_location: { type: "MLFLOW_EXPERIMENT", mlflow_experiment: { experiment_id: experimentId } },
        request_time: "2026-01-01T00:00:00Z",
        state: "OK",
      },
    },
  });
};

export const setUpFixtures = async (url: string, scratch: string): Promise<Fixtures> => {
  let n = 0;
  const counter = (): number => (n += 1);
  for (const user of ["nobody", "reader", "editor", "manager"]) {
    await asAdmin(url, "POST", `${MLFLOW}/users/create`, { username: user, password: passwordOf(user) });
  }
  const experimentId = (await asAdmin(url, "POST", `${MLFLOW}/experiments/create`, { name: "matrix" })).body.experiment_id as string;
  await grantLevels(url, "experiment", experimentId);
  const runId = ((await asAdmin(url, "POST", `${MLFLOW}/runs/create`, { experiment_id: experimentId })).body.run as { info: { run_id: string } }).info.run_id;
  await asAdmin(url, "POST", `${MLFLOW}/runs/log-metric`, { run_id: runId, key: "m", value: 1, timestamp: 1, step: 0 });
  const modelDir = path.join(scratch, "model");
  await writeMlflowModelDir(modelDir, logisticRegressionModel(1), { runId });
  for (const file of await readdir(modelDir)) {
    const put = await fetch(`${url}/api/2.0/mlflow-artifacts/artifacts/${experimentId}/${runId}/artifacts/model/${file}`, {
      method: "PUT",
      headers: headersOf("admin"),
      body: await readFile(path.join(modelDir, file)),
    });
    if (put.status !== 200) throw new Error(`upload ${file}: ${put.status}`);
  }
  const loggedModelId = ((await asAdmin(url, "POST", `${MLFLOW}/logged-models`, { experiment_id: experimentId, name: "lm" })).body.model as { info: { model_id: string } }).info.model_id;
  const traceId = newTraceId(1_000_000);
  await startTraceV3(url, experimentId, traceId);
  const assessment = await asAdmin(url, "POST", `/api/3.0/mlflow/traces/${traceId}/assessments`, {
    assessment: { assessment_name: "quality", source: { source_type: "HUMAN", source_id: "root" }, feedback: { value: 1 } },
  });
  const assessmentId = (assessment.body.assessment as { assessment_id: string }).assessment_id;
  const v2TraceId = ((await asAdmin(url, "POST", `${MLFLOW}/traces`, { experiment_id: experimentId, timestamp_ms: 1 })).body.trace_info as { request_id: string }).request_id;

  await asAdmin(url, "POST", `${MLFLOW}/registered-models/create`, { name: "churn" });
  await grantLevels(url, "model", "churn");
  await asAdmin(url, "POST", `${CAIRN}/approvers/create`, { name: "churn", username: "editor" });
  await asAdmin(url, "POST", `${MLFLOW}/model-versions/create`, { name: "churn", source: `runs:/${runId}/model`, run_id: runId });
  await asAdmin(url, "POST", `${MLFLOW}/registered-models/alias`, { name: "churn", alias: "champion", version: "1" });
  const deployment = "prod";
  await asAdmin(url, "POST", `${CAIRN}/deployments/create`, { name: deployment, model_uri: "models:/churn@champion" });
  const requestId = "score-1";
  const scored = await fetch(`${url}/deployments/${deployment}/invocations`, {
    method: "POST",
    headers: { ...headersOf("admin"), "content-type": "application/json", "x-request-id": requestId },
    body: JSON.stringify({ inputs: { x: [[0.1, 0.2, 0.3, 0.4]] } }),
  });
  if (scored.status !== 200) throw new Error(`scoring: ${scored.status} ${await scored.text()}`);
  await waitFor(
    async () => ((await asAdmin(url, "GET", `${CAIRN}/serving/predictions?deployment=${deployment}`)).body.predictions as unknown[] | undefined)?.length === 1,
    "the prediction log",
  );
  const reference = ["x0,x1,x2,x3", ...Array.from({ length: 20 }, (_, i) => `${i / 20},0.2,0.3,0.4`)].join("\n");
  const referenceUpload = await fetch(`${url}/api/2.0/mlflow-artifacts/artifacts/${experimentId}/${runId}/artifacts/ref.csv`, {
    method: "PUT",
    headers: headersOf("admin"),
    body: reference,
  });
  if (referenceUpload.status !== 200) throw new Error(`reference upload: ${referenceUpload.status}`);
  const referencePath = `mlflow-artifacts:/${experimentId}/${runId}/artifacts/ref.csv`;
  const monitor = "mon";
  await asAdmin(url, "POST", `${CAIRN}/monitors/create`, {
    name: monitor,
    deployment,
    window: { last_rows: 100 },
    schedule_seconds: 3600,
    features: ["x0", "x1", "x2", "x3"],
    checks: { drift: { reference: { path: referencePath } } },
  });
  const csv = path.join(scratch, "train.csv");
  await writeFile(csv, ["a,b", ...Array.from({ length: 50 }, (_, i) => `${i},${i % 7}`)].join("\n"));
  const dataset = await openDataset(csv);
  const profile = await profileDataset(dataset);
  await dataset.close();
  await asAdmin(url, "POST", `${CAIRN}/data/profiles/attach`, { run_id: runId, name: "train", profile });
  await asAdmin(url, "POST", `${CAIRN}/data/profiles/set-training`, { name: "churn", version: "1", profile_name: "train", run_id: runId });
  const webhookId = ((await asAdmin(url, "POST", `${CAIRN}/webhooks/create`, { name: "w", url: "http://127.0.0.1:9/hook", events: ["*"] })).body.webhook as { id: string }).id;
  const mlflowWebhookId = (
    (await asAdmin(url, "POST", `${MLFLOW}/webhooks`, { name: "m", url: "http://127.0.0.1:9/hook", events: [{ entity: "MODEL_VERSION_TAG", action: "DELETED" }] })).body.webhook as {
      webhook_id: string;
    }
  ).webhook_id;
  return { url, experimentId, runId, loggedModelId, traceId, v2TraceId, assessmentId, deployment, monitor, requestId, webhookId, mlflowWebhookId, profile, referencePath, counter };
};

export { newTraceId };
