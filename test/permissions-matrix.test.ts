import { createHash } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POLICY_TABLE } from "../src/auth/permissions/policy-table.js";
import { routeKey } from "../src/auth/permissions/route-key.js";
import { startAuthServer } from "../src/auth/test-support/auth-server.js";
import type { RunningServer } from "../src/server/start.js";
import {
  asAdmin,
  CAIRN,
  grantLevels,
  headersOf,
  MLFLOW,
  newTraceId,
  ROLES,
  setUpFixtures,
  startTraceV3,
  type Fixtures,
  type Role,
} from "./support/permission-fixtures.js";

/**
 * Issue 12 part 2: the whole route x role matrix, table-driven. Each row is one route (method and fastify URL, MLflow's
 * routes included), the level its rule needs, and a request that the route accepts. Every role calls it with real
 * HTTP Basic credentials: anonymous gets 401; a role below the level 403 (PERMISSION_DENIED), and nothing changes; a
 * role at or above it the route's own answer (`ok`, 200 unless said). Writes that consume their target (deletes,
 * restores) get a fresh target per call from `prepare`, made by the administrator with each role's grants on it.
 */
type Level = "any" | "read" | "update" | "manage" | "admin" | "approver";

const ALLOWED: Record<Level, readonly Role[]> = {
  any: ["nobody", "reader", "editor", "manager", "admin"],
  read: ["reader", "editor", "manager", "admin"],
  update: ["editor", "manager", "admin"],
  manage: ["manager", "admin"],
  admin: ["admin"],
  // `editor` is the one named approver of churn.
  approver: ["editor", "admin"],
};

interface Call {
  path: string;
  body?: unknown;
  /** A raw body (artifact uploads, scoring), sent with its content type. */
  raw?: { data: Buffer | string; type: string };
}

interface Row {
  method: string;
  /** The route as fastify knows it (the policy table's key). */
  route: string;
  level: Level;
  /** The request a permitted role sends; `fresh` is what `prepare` made for this call. */
  call: (fx: Fixtures, fresh: string) => Call;
  /** Makes the target of one call (as the administrator). */
  prepare?: (fx: Fixtures) => Promise<string>;
  ok?: number;
}

let server: RunningServer & { dir: string };
let fx: Fixtures;
let scratch: string;

beforeAll(async () => {
  scratch = await mkdtemp(path.join(tmpdir(), "cairn-matrix-"));
  server = await startAuthServer({ defaultPermission: "NO_PERMISSIONS", webhookAllowedTargets: ["127.0.0.0/8"], webhookAllowHttp: true });
  fx = await setUpFixtures(server.url, scratch);
}, 120_000);
afterAll(async () => {
  await server?.close();
  await rm(scratch, { recursive: true, force: true });
});

const q = (params: Record<string, string>): string => `?${new URLSearchParams(params).toString()}`;

// --- fresh targets ----------------------------------------------------------------------------------------------
const freshExperiment = async (f: Fixtures): Promise<string> => {
  const id = (await asAdmin(f.url, "POST", `${MLFLOW}/experiments/create`, { name: `x-${f.counter()}` })).body.experiment_id as string;
  await grantLevels(f.url, "experiment", id);
  return id;
};
const freshDeletedExperiment = async (f: Fixtures): Promise<string> => {
  const id = await freshExperiment(f);
  await asAdmin(f.url, "POST", `${MLFLOW}/experiments/delete`, { experiment_id: id });
  return id;
};
const freshRun = async (f: Fixtures): Promise<string> =>
  ((await asAdmin(f.url, "POST", `${MLFLOW}/runs/create`, { experiment_id: f.experimentId })).body.run as { info: { run_id: string } }).info.run_id;
const freshDeletedRun = async (f: Fixtures): Promise<string> => {
  const id = await freshRun(f);
  await asAdmin(f.url, "POST", `${MLFLOW}/runs/delete`, { run_id: id });
  return id;
};
const freshModel = async (f: Fixtures): Promise<string> => {
  const name = `m-${f.counter()}`;
  await asAdmin(f.url, "POST", `${MLFLOW}/registered-models/create`, { name });
  await grantLevels(f.url, "model", name);
  return name;
};
const freshVersion = async (f: Fixtures): Promise<string> =>
  ((await asAdmin(f.url, "POST", `${MLFLOW}/model-versions/create`, { name: "churn", source: `runs:/${f.runId}/model`, run_id: f.runId })).body.model_version as { version: string }).version;
const freshLoggedModel = async (f: Fixtures): Promise<string> =>
  ((await asAdmin(f.url, "POST", `${MLFLOW}/logged-models`, { experiment_id: f.experimentId })).body.model as { info: { model_id: string } }).info.model_id;
const freshTrace = async (f: Fixtures): Promise<string> => {
  const id = newTraceId(f.counter());
  await startTraceV3(f.url, f.experimentId, id);
  return id;
};
const freshV2Trace = async (f: Fixtures): Promise<string> =>
  ((await asAdmin(f.url, "POST", `${MLFLOW}/traces`, { experiment_id: f.experimentId, timestamp_ms: 1 })).body.trace_info as { request_id: string }).request_id;
const freshAssessment = async (f: Fixtures): Promise<string> =>
  (
    (await asAdmin(f.url, "POST", `/api/3.0/mlflow/traces/${f.traceId}/assessments`, {
      assessment: { assessment_name: `a${f.counter()}`, source: { source_type: "HUMAN", source_id: "root" }, feedback: { value: 1 } },
    })).body.assessment as { assessment_id: string }
  ).assessment_id;
const freshDeployment = async (f: Fixtures): Promise<string> => {
  const name = `d-${f.counter()}`;
  await asAdmin(f.url, "POST", `${CAIRN}/deployments/create`, { name, model_uri: "models:/churn@champion" });
  return name;
};
const freshMonitor = async (f: Fixtures): Promise<string> => {
  const name = `mon-${f.counter()}`;
  await asAdmin(f.url, "POST", `${CAIRN}/monitors/create`, {
    name,
    deployment: f.deployment,
    window: { last_rows: 100 },
    schedule_seconds: 3600,
    features: ["x0", "x1", "x2", "x3"],
    checks: { drift: { reference: { path: f.referencePath } } },
  });
  return name;
};
const withRunTag = async (f: Fixtures): Promise<string> => {
  const key = `t${f.counter()}`;
  await asAdmin(f.url, "POST", `${MLFLOW}/runs/set-tag`, { run_id: f.runId, key, value: "v" });
  return key;
};
const uploaded = async (f: Fixtures): Promise<string> => {
  const file = `f${f.counter()}.txt`;
  const put = await fetch(`${f.url}/api/2.0/mlflow-artifacts/artifacts/${f.experimentId}/${f.runId}/artifacts/${file}`, { method: "PUT", headers: headersOf("admin"), body: "x" });
  if (put.status !== 200) throw new Error(`upload: ${put.status}`);
  return file;
};
const fresh = (prepare: (f: Fixtures) => Promise<string>) => ({ prepare });
const counted = async (f: Fixtures): Promise<string> => String(f.counter());

const M = (method: string, p: string, level: Level, call: Row["call"], extra: Partial<Row> = {}): Row => ({ method, route: `${MLFLOW}/${p}`, level, call, ...extra });
const M3 = (method: string, p: string, level: Level, call: Row["call"], extra: Partial<Row> = {}): Row => ({ method, route: `/api/3.0/mlflow/${p}`, level, call, ...extra });
const C = (method: string, p: string, level: Level, call: Row["call"], extra: Partial<Row> = {}): Row => ({ method, route: `${CAIRN}/${p}`, level, call, ...extra });
const R = (method: string, route: string, level: Level, call: Row["call"], extra: Partial<Row> = {}): Row => ({ method, route, level, call, ...extra });

const ART = "/api/2.0/mlflow-artifacts";
const MATRIX_OBJECT = { bytes: "a data object of the matrix\n", hash: createHash("sha256").update("a data object of the matrix\n").digest("hex") };
const runFolder = (f: Fixtures): string => `${f.experimentId}/${f.runId}/artifacts`;
const scoringBody = { raw: { data: JSON.stringify({ inputs: { x: [[0.1, 0.2, 0.3, 0.4]] } }), type: "application/json" } };
const oipBody = { raw: { data: JSON.stringify({ inputs: [{ name: "x", shape: [1, 4], datatype: "FP32", data: [0.1, 0.2, 0.3, 0.4] }] }), type: "application/json" } };

const ROWS: Row[] = [
  // Experiments
  M("POST", "experiments/create", "any", (_f, n) => ({ path: "experiments/create", body: { name: `new-${n}` } }), fresh(counted)),
  M("GET", "experiments/get", "read", (f) => ({ path: `experiments/get${q({ experiment_id: f.experimentId })}` })),
  M("GET", "experiments/get-by-name", "read", () => ({ path: `experiments/get-by-name${q({ experiment_name: "matrix" })}` })),
  M("GET", "experiments/search", "any", () => ({ path: "experiments/search?max_results=10" })),
  M("POST", "experiments/search", "any", () => ({ path: "experiments/search", body: { max_results: 10 } })),
  M("GET", "experiments/list", "any", () => ({ path: "experiments/list" })),
  M("POST", "experiments/update", "update", (_f, id) => ({ path: "experiments/update", body: { experiment_id: id, new_name: `renamed-${id}` } }), fresh(freshExperiment)),
  M("POST", "experiments/delete", "manage", (_f, id) => ({ path: "experiments/delete", body: { experiment_id: id } }), fresh(freshExperiment)),
  M("POST", "experiments/restore", "manage", (_f, id) => ({ path: "experiments/restore", body: { experiment_id: id } }), fresh(freshDeletedExperiment)),
  M("POST", "experiments/set-experiment-tag", "update", (f) => ({ path: "experiments/set-experiment-tag", body: { experiment_id: f.experimentId, key: "k", value: "v" } })),
  M("POST", "experiments/delete-experiment-tag", "update", (f) => ({ path: "experiments/delete-experiment-tag", body: { experiment_id: f.experimentId, key: "k" } }), {
    prepare: async (f) => {
      await asAdmin(f.url, "POST", `${MLFLOW}/experiments/set-experiment-tag`, { experiment_id: f.experimentId, key: "k", value: "v" });
      return "";
    },
  }),
  // Runs
  M("POST", "runs/create", "update", (f) => ({ path: "runs/create", body: { experiment_id: f.experimentId } })),
  M("POST", "runs/update", "update", (f) => ({ path: "runs/update", body: { run_id: f.runId, status: "RUNNING" } })),
  M("POST", "runs/delete", "manage", (_f, id) => ({ path: "runs/delete", body: { run_id: id } }), fresh(freshRun)),
  M("POST", "runs/restore", "manage", (_f, id) => ({ path: "runs/restore", body: { run_id: id } }), fresh(freshDeletedRun)),
  M("POST", "runs/log-metric", "update", (f) => ({ path: "runs/log-metric", body: { run_id: f.runId, key: "m", value: 2, timestamp: 2, step: 1 } })),
  M("POST", "runs/log-parameter", "update", (f, n) => ({ path: "runs/log-parameter", body: { run_id: f.runId, key: `p${n}`, value: "1" } }), fresh(counted)),
  M("POST", "runs/set-tag", "update", (f) => ({ path: "runs/set-tag", body: { run_id: f.runId, key: "t", value: "v" } })),
  M("POST", "runs/delete-tag", "update", (f, key) => ({ path: "runs/delete-tag", body: { run_id: f.runId, key } }), fresh(withRunTag)),
  M("POST", "runs/log-batch", "update", (f) => ({ path: "runs/log-batch", body: { run_id: f.runId, metrics: [{ key: "b", value: 1, timestamp: 1, step: 0 }] } })),
  M("POST", "runs/log-model", "update", (f) => ({ path: "runs/log-model", body: { run_id: f.runId, model_json: JSON.stringify({ artifact_path: "model", flavors: {}, run_id: f.runId, utc_time_created: "2026-01-01 00:00:00.000000" }) } })),
  M("POST", "runs/log-inputs", "update", (f) => ({ path: "runs/log-inputs", body: { run_id: f.runId, datasets: [] } })),
  M("POST", "runs/outputs", "update", (f) => ({ path: "runs/outputs", body: { run_id: f.runId, models: [{ model_id: f.loggedModelId, step: 0 }] } })),
  M("GET", "runs/search", "read", (f) => ({ path: `runs/search${q({ experiment_ids: f.experimentId })}` })),
  M("POST", "runs/search", "read", (f) => ({ path: "runs/search", body: { experiment_ids: [f.experimentId] } })),
  M("GET", "runs/get", "read", (f) => ({ path: `runs/get${q({ run_id: f.runId })}` })),
  M("GET", "metrics/get-history", "read", (f) => ({ path: `metrics/get-history${q({ run_id: f.runId, metric_key: "m" })}` })),
  M("GET", "metrics/get-history-bulk-interval", "read", (f) => ({ path: `metrics/get-history-bulk-interval${q({ run_ids: f.runId, metric_key: "m" })}` })),
  M("GET", "artifacts/list", "read", (f) => ({ path: `artifacts/list${q({ run_id: f.runId })}` })),
  // Logged models
  M("POST", "logged-models", "update", (f) => ({ path: "logged-models", body: { experiment_id: f.experimentId } })),
  M("POST", "logged-models/search", "read", (f) => ({ path: "logged-models/search", body: { experiment_ids: [f.experimentId] } })),
  M("GET", "logged-models/:model_id", "read", (f) => ({ path: `logged-models/${f.loggedModelId}` })),
  M("PATCH", "logged-models/:model_id", "update", (_f, id) => ({ path: `logged-models/${id}`, body: { model_id: id, status: "LOGGED_MODEL_READY" } }), fresh(freshLoggedModel)),
  M("DELETE", "logged-models/:model_id", "manage", (_f, id) => ({ path: `logged-models/${id}` }), fresh(freshLoggedModel)),
  M("PATCH", "logged-models/:model_id/tags", "update", (f) => ({ path: `logged-models/${f.loggedModelId}/tags`, body: { tags: [{ key: "k", value: "v" }] } })),
  M("DELETE", "logged-models/:model_id/tags/:tag_key", "update", (f) => ({ path: `logged-models/${f.loggedModelId}/tags/k` }), {
    prepare: async (f) => {
      await asAdmin(f.url, "PATCH", `${MLFLOW}/logged-models/${f.loggedModelId}/tags`, { tags: [{ key: "k", value: "v" }] });
      return "";
    },
  }),
  M("POST", "logged-models/:model_id/params", "update", (f, n) => ({ path: `logged-models/${f.loggedModelId}/params`, body: { params: [{ key: `p${n}`, value: "1" }] } }), fresh(counted)),
  M("GET", "logged-models/:model_id/artifacts/directories", "read", (f) => ({ path: `logged-models/${f.loggedModelId}/artifacts/directories` })),
  // Traces (v3 and v2) and assessments
  M3("GET", "traces/batchGet", "any", () => ({ path: "traces/batchGet" }), { ok: 404 }),
  M3("GET", "traces/get", "any", () => ({ path: "traces/get" }), { ok: 404 }),
  M3("POST", "traces", "update", (f, n) => ({
    path: "traces",
    body: {
      trace: {
        trace_info: {
          trace_id: newTraceId(Number(n)),
          trace_location: { type: "MLFLOW_EXPERIMENT", mlflow_experiment: { experiment_id: f.experimentId } },
          request_time: "2026-01-01T00:00:00Z",
          state: "OK",
        },
      },
    },
  }), fresh(counted)),
  M3("GET", "traces/:trace_id", "read", (f) => ({ path: `traces/${f.traceId}` })),
  M3("POST", "traces/search", "read", (f) => ({ path: "traces/search", body: { locations: [{ type: "MLFLOW_EXPERIMENT", mlflow_experiment: { experiment_id: f.experimentId } }] } })),
  M3("PATCH", "traces/:trace_id/tags", "update", (f) => ({ path: `traces/${f.traceId}/tags`, body: { key: "k", value: "v" } })),
  M3("DELETE", "traces/:trace_id/tags", "update", (_f, id) => ({ path: `traces/${id}/tags`, body: { key: "k" } }), {
    prepare: async (f) => {
      const id = await freshTrace(f);
      await asAdmin(f.url, "PATCH", `/api/3.0/mlflow/traces/${id}/tags`, { key: "k", value: "v" });
      return id;
    },
  }),
  M3("POST", "traces/delete-traces", "manage", (f, id) => ({ path: "traces/delete-traces", body: { experiment_id: f.experimentId, request_ids: [id] } }), fresh(freshTrace)),
  M3("POST", "traces/:trace_id/assessments", "update", (f) => ({
    path: `traces/${f.traceId}/assessments`,
    body: { assessment: { assessment_name: "q", source: { source_type: "HUMAN", source_id: "x" }, feedback: { value: 1 } } },
  })),
  M3("GET", "traces/:trace_id/assessments/:assessment_id", "read", (f) => ({ path: `traces/${f.traceId}/assessments/${f.assessmentId}` })),
  M3("PATCH", "traces/:trace_id/assessments/:assessment_id", "update", (f) => ({
    path: `traces/${f.traceId}/assessments/${f.assessmentId}`,
    body: { assessment: { rationale: "why" }, update_mask: "rationale" },
  })),
  M3("DELETE", "traces/:trace_id/assessments/:assessment_id", "update", (f, id) => ({ path: `traces/${f.traceId}/assessments/${id}` }), fresh(freshAssessment)),
  M("POST", "traces", "update", (f) => ({ path: "traces", body: { experiment_id: f.experimentId, timestamp_ms: 1 } })),
  M("PATCH", "traces/:request_id", "update", (_f, id) => ({ path: `traces/${id}`, body: { timestamp_ms: 2, status: "OK" } }), fresh(freshV2Trace)),
  M("GET", "traces/:request_id/info", "read", (f) => ({ path: `traces/${f.v2TraceId}/info` })),
  M("GET", "traces", "read", (f) => ({ path: `traces${q({ experiment_ids: f.experimentId })}` })),
  M("PATCH", "traces/:request_id/tags", "update", (f) => ({ path: `traces/${f.v2TraceId}/tags`, body: { key: "k", value: "v" } })),
  M("DELETE", "traces/:request_id/tags", "update", (_f, id) => ({ path: `traces/${id}/tags`, body: { key: "k" } }), {
    prepare: async (f) => {
      const id = await freshV2Trace(f);
      await asAdmin(f.url, "PATCH", `${MLFLOW}/traces/${id}/tags`, { key: "k", value: "v" });
      return id;
    },
  }),
  M("POST", "traces/delete-traces", "manage", (f, id) => ({ path: "traces/delete-traces", body: { experiment_id: f.experimentId, request_ids: [id] } }), fresh(freshV2Trace)),
  // Artifacts: the owning experiment (the path's first segment)
  R("GET", `${ART}/artifacts`, "read", (f) => ({ path: `${ART}/artifacts${q({ path: runFolder(f) })}` })),
  R("GET", `${ART}/artifacts/*`, "read", (f) => ({ path: `${ART}/artifacts/${runFolder(f)}/model/MLmodel` })),
  R("PUT", `${ART}/artifacts/*`, "update", (f, n) => ({ path: `${ART}/artifacts/${runFolder(f)}/up-${n}.txt`, raw: { data: "hello", type: "application/octet-stream" } }), fresh(counted)),
  R("DELETE", `${ART}/artifacts/*`, "manage", (f, file) => ({ path: `${ART}/artifacts/${runFolder(f)}/${file}` }), fresh(uploaded)),
  R("POST", `${ART}/mpu/create/*`, "update", (f) => ({ path: `${ART}/mpu/create/${runFolder(f)}/big.bin`, body: { path: `${runFolder(f)}/big.bin`, num_parts: 1 } })),
  R("POST", `${ART}/mpu/complete/*`, "update", (f) => ({ path: `${ART}/mpu/complete/${runFolder(f)}/big.bin`, body: { path: `${runFolder(f)}/big.bin`, upload_id: "u", parts: [] } }), { ok: 400 }),
  R("POST", `${ART}/mpu/abort/*`, "update", (f) => ({ path: `${ART}/mpu/abort/${runFolder(f)}/big.bin`, body: { path: `${runFolder(f)}/big.bin`, upload_id: "u" } }), { ok: 400 }),
  R("PUT", `${ART}/mpu/upload-part/*`, "update", (f) => ({ path: `${ART}/mpu/upload-part/${runFolder(f)}/big.bin?upload_id=u&part_number=1`, raw: { data: "x", type: "application/octet-stream" } }), { ok: 400 }),
  // Registry
  M("POST", "registered-models/create", "any", (_f, n) => ({ path: "registered-models/create", body: { name: `created-${n}` } }), fresh(counted)),
  M("POST", "registered-models/rename", "update", (_f, name) => ({ path: "registered-models/rename", body: { name, new_name: `${name}-renamed` } }), fresh(freshModel)),
  M("PATCH", "registered-models/update", "update", () => ({ path: "registered-models/update", body: { name: "churn", description: "d" } })),
  M("DELETE", "registered-models/delete", "manage", (_f, name) => ({ path: "registered-models/delete", body: { name } }), fresh(freshModel)),
  M("GET", "registered-models/get", "read", () => ({ path: "registered-models/get?name=churn" })),
  M("GET", "registered-models/search", "any", () => ({ path: "registered-models/search" })),
  M("GET", "registered-models/get-latest-versions", "read", () => ({ path: "registered-models/get-latest-versions?name=churn" })),
  M("POST", "registered-models/get-latest-versions", "read", () => ({ path: "registered-models/get-latest-versions", body: { name: "churn" } })),
  M("POST", "registered-models/set-tag", "update", () => ({ path: "registered-models/set-tag", body: { name: "churn", key: "k", value: "v" } })),
  M("DELETE", "registered-models/delete-tag", "update", () => ({ path: "registered-models/delete-tag", body: { name: "churn", key: "k" } }), {
    prepare: async (f) => {
      await asAdmin(f.url, "POST", `${MLFLOW}/registered-models/set-tag`, { name: "churn", key: "k", value: "v" });
      return "";
    },
  }),
  M("POST", "registered-models/alias", "update", (_f, n) => ({ path: "registered-models/alias", body: { name: "churn", alias: `a${n}`, version: "1" } }), fresh(counted)),
  M("DELETE", "registered-models/alias", "manage", (_f, alias) => ({ path: "registered-models/alias", body: { name: "churn", alias } }), {
    prepare: async (f) => {
      const alias = `gone${f.counter()}`;
      await asAdmin(f.url, "POST", `${MLFLOW}/registered-models/alias`, { name: "churn", alias, version: "1" });
      return alias;
    },
  }),
  M("GET", "registered-models/alias", "read", () => ({ path: "registered-models/alias?name=churn&alias=champion" })),
  M("POST", "model-versions/create", "update", (f) => ({ path: "model-versions/create", body: { name: "churn", source: `runs:/${f.runId}/model`, run_id: f.runId } })),
  M("PATCH", "model-versions/update", "update", () => ({ path: "model-versions/update", body: { name: "churn", version: "1", description: "d" } })),
  M("DELETE", "model-versions/delete", "manage", (_f, version) => ({ path: "model-versions/delete", body: { name: "churn", version } }), fresh(freshVersion)),
  M("GET", "model-versions/get", "read", () => ({ path: "model-versions/get?name=churn&version=1" })),
  M("GET", "model-versions/search", "any", () => ({ path: "model-versions/search" })),
  M("GET", "model-versions/get-download-uri", "read", () => ({ path: "model-versions/get-download-uri?name=churn&version=1" })),
  M("POST", "model-versions/transition-stage", "update", (_f, version) => ({ path: "model-versions/transition-stage", body: { name: "churn", version, stage: "Staging" } }), fresh(freshVersion)),
  M("POST", "model-versions/set-tag", "update", () => ({ path: "model-versions/set-tag", body: { name: "churn", version: "1", key: "k", value: "v" } })),
  M("DELETE", "model-versions/delete-tag", "manage", () => ({ path: "model-versions/delete-tag", body: { name: "churn", version: "1", key: "k" } }), {
    prepare: async (f) => {
      await asAdmin(f.url, "POST", `${MLFLOW}/model-versions/set-tag`, { name: "churn", version: "1", key: "k", value: "v" });
      return "";
    },
  }),
  // Governance
  C("GET", "registered-models/alias-history", "read", () => ({ path: "registered-models/alias-history?name=churn" })),
  C("POST", "registered-models/promotion-rules/set", "manage", () => ({ path: "registered-models/promotion-rules/set", body: { name: "churn", target: "alias:gated", required_approvals: 1 } })),
  C("GET", "registered-models/promotion-rules/list", "read", () => ({ path: "registered-models/promotion-rules/list?name=churn" })),
  C("DELETE", "registered-models/promotion-rules/delete", "manage", () => ({ path: "registered-models/promotion-rules/delete", body: { name: "churn", target: "alias:temp" } }), {
    prepare: async (f) => {
      await asAdmin(f.url, "POST", `${CAIRN}/registered-models/promotion-rules/set`, { name: "churn", target: "alias:temp", required_approvals: 1 });
      return "";
    },
  }),
  C("POST", "model-versions/approve", "approver", () => ({ path: "model-versions/approve", body: { name: "churn", version: "1", target: "alias:gated" } })),
  C("GET", "model-versions/approvals", "read", () => ({ path: "model-versions/approvals?name=churn&version=1" })),
  C("GET", "governance/approvals", "read", () => ({ path: "governance/approvals?name=churn" })),
  C("DELETE", "governance/approvals", "approver", () => ({ path: "governance/approvals", body: { name: "churn", version: "1", target: "alias:revocable" } }), {
    // Each permitted role revokes its own approval: the administrator approves as itself; editor before its call.
    prepare: async (f) => {
      await asAdmin(f.url, "POST", `${CAIRN}/model-versions/approve`, { name: "churn", version: "1", target: "alias:revocable" });
      const editor = await fetch(`${f.url}${CAIRN}/model-versions/approve`, {
        method: "POST",
        headers: { ...headersOf("editor"), "content-type": "application/json" },
        body: JSON.stringify({ name: "churn", version: "1", target: "alias:revocable" }),
      });
      if (editor.status !== 200) throw new Error(`editor approve: ${editor.status}`);
      return "";
    },
  }),
  C("GET", "model-versions/promotion-check", "read", () => ({ path: "model-versions/promotion-check?name=churn&version=1&target=alias:gated" })),
  C("GET", "model-versions/lineage", "read", () => ({ path: "model-versions/lineage?name=churn&version=1" })),
  C("GET", "datasets/usage", "any", () => ({ path: "datasets/usage?name=ds" })),
  // Data versions (issue 13): any signed-in user; a hash nobody recorded is a 404 to everyone allowed to ask.
  C("GET", "data/versions/get", "any", () => ({ path: `data/versions/get?hash=${"e".repeat(64)}` }), { ok: 404 }),
  C("GET", "data/versions/runs", "any", () => ({ path: `data/versions/runs?hash=${"e".repeat(64)}&relation=used` })),
  C("POST", "model-versions/card/set", "update", () => ({ path: "model-versions/card/set", body: { name: "churn", version: "1", description: "card" } })),
  C("GET", "model-versions/card", "read", () => ({ path: "model-versions/card?name=churn&version=1" })),
  C("POST", "data/profiles/attach", "update", (f) => ({ path: "data/profiles/attach", body: { run_id: f.runId, name: "train", profile: f.profile } })),
  C("GET", "data/profiles/get", "read", (f) => ({ path: `data/profiles/get${q({ run_id: f.runId, name: "train" })}` })),
  C("POST", "data/profiles/set-training", "update", (f) => ({ path: "data/profiles/set-training", body: { name: "churn", version: "1", profile_name: "train", run_id: f.runId } })),
  C("GET", "data/profiles/training", "read", () => ({ path: "data/profiles/training?name=churn&version=1" })),
  // Permissions and approvers
  M("POST", "experiments/permissions/create", "manage", (f) => ({ path: "experiments/permissions/create", body: { experiment_id: f.experimentId, username: "nobody", permission: "NO_PERMISSIONS" } }), {
    prepare: async (f) => {
      await call(f, "DELETE", `${MLFLOW}/experiments/permissions/delete`, { experiment_id: f.experimentId, username: "nobody" });
      return "";
    },
  }),
  M("GET", "experiments/permissions/get", "manage", (f) => ({ path: `experiments/permissions/get${q({ experiment_id: f.experimentId, username: "reader" })}` })),
  M("PATCH", "experiments/permissions/update", "manage", (f) => ({ path: "experiments/permissions/update", body: { experiment_id: f.experimentId, username: "reader", permission: "READ" } })),
  M("DELETE", "experiments/permissions/delete", "manage", (f) => ({ path: "experiments/permissions/delete", body: { experiment_id: f.experimentId, username: "nobody" } }), {
    prepare: async (f) => {
      await call(f, "POST", `${MLFLOW}/experiments/permissions/create`, { experiment_id: f.experimentId, username: "nobody", permission: "NO_PERMISSIONS" });
      return "";
    },
  }),
  M("POST", "registered-models/permissions/create", "manage", () => ({ path: "registered-models/permissions/create", body: { name: "churn", username: "nobody", permission: "NO_PERMISSIONS" } }), {
    prepare: async (f) => {
      await call(f, "DELETE", `${MLFLOW}/registered-models/permissions/delete`, { name: "churn", username: "nobody" });
      return "";
    },
  }),
  M("GET", "registered-models/permissions/get", "manage", () => ({ path: "registered-models/permissions/get?name=churn&username=reader" })),
  M("PATCH", "registered-models/permissions/update", "manage", () => ({ path: "registered-models/permissions/update", body: { name: "churn", username: "reader", permission: "READ" } })),
  M("DELETE", "registered-models/permissions/delete", "manage", () => ({ path: "registered-models/permissions/delete", body: { name: "churn", username: "nobody" } }), {
    prepare: async (f) => {
      await call(f, "POST", `${MLFLOW}/registered-models/permissions/create`, { name: "churn", username: "nobody", permission: "NO_PERMISSIONS" });
      return "";
    },
  }),
  C("POST", "approvers/create", "admin", () => ({ path: "approvers/create", body: { name: "churn", username: "manager" } })),
  C("DELETE", "approvers/delete", "admin", () => ({ path: "approvers/delete", body: { name: "churn", username: "manager" } })),
  C("GET", "approvers/list", "read", () => ({ path: "approvers/list?name=churn" })),
  // Deployments, the prediction log, monitors
  C("POST", "deployments/create", "manage", (_f, n) => ({ path: "deployments/create", body: { name: `created-${n}`, model_uri: "models:/churn@champion" } }), fresh(counted)),
  C("POST", "deployments/update", "manage", (f) => ({ path: "deployments/update", body: { name: f.deployment, max_batch_size: 8 } })),
  C("GET", "deployments/list", "any", () => ({ path: "deployments/list" })),
  C("GET", "deployments/get", "read", (f) => ({ path: `deployments/get${q({ name: f.deployment })}` })),
  C("POST", "deployments/canary", "manage", (f) => ({ path: "deployments/canary", body: { name: f.deployment, version: "1", weight: 0.1 } })),
  C("POST", "deployments/shadow", "manage", (f) => ({ path: "deployments/shadow", body: { name: f.deployment, version: "1", share: 0.1 } })),
  C("POST", "deployments/promote", "manage", (f) => ({ path: "deployments/promote", body: { name: f.deployment } }), {
    prepare: async (f) => {
      await asAdmin(f.url, "POST", `${CAIRN}/deployments/canary`, { name: f.deployment, version: "1", weight: 0.1 });
      return "";
    },
  }),
  // After a promote there is a version to roll back to.
  C("POST", "deployments/rollback", "manage", (f) => ({ path: "deployments/rollback", body: { name: f.deployment } }), {
    prepare: async (f) => {
      await asAdmin(f.url, "POST", `${CAIRN}/deployments/canary`, { name: f.deployment, version: "1", weight: 0.1 });
      await asAdmin(f.url, "POST", `${CAIRN}/deployments/promote`, { name: f.deployment });
      return "";
    },
  }),
  C("POST", "deployments/delete", "manage", (_f, name) => ({ path: "deployments/delete", body: { name } }), fresh(freshDeployment)),
  C("DELETE", "deployments/delete", "manage", (_f, name) => ({ path: "deployments/delete", body: { name } }), fresh(freshDeployment)),
  C("GET", "deployments/history", "read", (f) => ({ path: `deployments/history${q({ name: f.deployment })}` })),
  C("GET", "deployments/shadow-report", "read", (f) => ({ path: `deployments/shadow-report${q({ name: f.deployment })}` })),
  C("GET", "deployments/shadow-reports", "read", (f) => ({ path: `deployments/shadow-reports${q({ name: f.deployment })}` })),
  C("POST", "serving/labels", "update", (f) => ({ path: "serving/labels", body: { request_id: f.requestId, label: 1 } })),
  C("POST", "serving/labels/batch", "update", (f) => ({ path: "serving/labels/batch", body: { labels: [{ request_id: f.requestId, label: 0 }] } })),
  C("GET", "serving/predictions", "read", (f) => ({ path: `serving/predictions${q({ deployment: f.deployment })}` })),
  C("POST", "monitors/create", "manage", (f, n) => ({
    path: "monitors/create",
    body: { name: `created-${n}`, deployment: f.deployment, window: { last_rows: 10 }, schedule_seconds: 3600, features: ["x0", "x1", "x2", "x3"], checks: { drift: { reference: { path: f.referencePath } } } },
  }), fresh(counted)),
  C("GET", "monitors/list", "any", () => ({ path: "monitors/list" })),
  C("GET", "monitors/get", "read", (f) => ({ path: `monitors/get${q({ name: f.monitor })}` })),
  C("POST", "monitors/run", "update", (f) => ({ path: "monitors/run", body: { name: f.monitor } })),
  C("GET", "monitors/history", "read", (f) => ({ path: `monitors/history${q({ name: f.monitor })}` })),
  C("GET", "monitors/alerts", "read", (f) => ({ path: `monitors/alerts${q({ name: f.monitor })}` })),
  C("POST", "monitors/delete", "manage", (_f, name) => ({ path: "monitors/delete", body: { name } }), fresh(freshMonitor)),
  C("DELETE", "monitors/delete", "manage", (_f, name) => ({ path: "monitors/delete", body: { name } }), fresh(freshMonitor)),
  // Audit and webhooks: administrators
  C("GET", "audit/events", "admin", () => ({ path: "audit/events?max_results=1" })),
  C("GET", "audit/verify", "admin", () => ({ path: "audit/verify" })),
  C("POST", "webhooks/create", "admin", () => ({ path: "webhooks/create", body: { name: "w2", url: "http://127.0.0.1:9/w2", events: ["*"] } })),
  C("GET", "webhooks/list", "admin", () => ({ path: "webhooks/list" })),
  C("GET", "webhooks/get", "admin", (f) => ({ path: `webhooks/get${q({ id: f.webhookId })}` })),
  C("POST", "webhooks/update", "admin", (f) => ({ path: "webhooks/update", body: { id: f.webhookId, name: "w-renamed" } })),
  C("PATCH", "webhooks/update", "admin", (f) => ({ path: "webhooks/update", body: { id: f.webhookId, name: "w-renamed-again" } })),
  C("GET", "webhooks/deliveries", "admin", (f) => ({ path: `webhooks/deliveries${q({ id: f.webhookId })}` })),
  C("DELETE", "webhooks/delete", "admin", (f) => ({ path: "webhooks/delete", body: { id: f.webhookId } })),
  M("POST", "webhooks", "admin", () => ({ path: "webhooks", body: { name: "m2", url: "http://127.0.0.1:9/m2", events: [{ entity: "MODEL_VERSION_TAG", action: "DELETED" }] } })),
  M("GET", "webhooks", "admin", () => ({ path: "webhooks" })),
  M("GET", "webhooks/:webhook_id", "admin", (f) => ({ path: `webhooks/${f.mlflowWebhookId}` })),
  M("PATCH", "webhooks/:webhook_id", "admin", (f) => ({ path: `webhooks/${f.mlflowWebhookId}`, body: { description: "d" } })),
  M("POST", "webhooks/:webhook_id/test", "admin", (f) => ({ path: `webhooks/${f.mlflowWebhookId}/test`, body: {} })),
  M("DELETE", "webhooks/:webhook_id", "admin", (f) => ({ path: `webhooks/${f.mlflowWebhookId}` })),
  // Data objects (issue 13): content-addressed and verified, so any signed-in user reads and writes them.
  C("POST", "data/objects/missing", "any", () => ({ path: "data/objects/missing", body: { hashes: [MATRIX_OBJECT.hash] } })),
  R("PUT", `${CAIRN}/data/objects/sha256/:hash`, "any", () => ({ path: `${CAIRN}/data/objects/sha256/${MATRIX_OBJECT.hash}`, raw: { data: MATRIX_OBJECT.bytes, type: "application/octet-stream" } })),
  R("GET", `${CAIRN}/data/objects/sha256/:hash`, "any", () => ({ path: `${CAIRN}/data/objects/sha256/${MATRIX_OBJECT.hash}` })),
  C("GET", "data/references", "any", () => ({ path: "data/references" })),
  R("POST", `${CAIRN}/data/objects/batch-upload`, "any", () => ({
    path: `${CAIRN}/data/objects/batch-upload`,
    raw: { data: `${MATRIX_OBJECT.hash} ${Buffer.byteLength(MATRIX_OBJECT.bytes)}\n${MATRIX_OBJECT.bytes}`, type: "application/octet-stream" },
  })),
  R("POST", `${CAIRN}/data/objects/batch-download`, "any", () => ({ path: `${CAIRN}/data/objects/batch-download`, body: { hashes: [MATRIX_OBJECT.hash] } })),
  // Scoring and metrics
  R("POST", "/deployments/:name/invocations", "read", (f) => ({ path: `/deployments/${f.deployment}/invocations`, ...scoringBody })),
  R("GET", "/v2", "any", () => ({ path: "/v2" })),
  R("GET", "/v2/health/live", "any", () => ({ path: "/v2/health/live" })),
  R("GET", "/v2/health/ready", "any", () => ({ path: "/v2/health/ready" })),
  R("GET", "/v2/models/:name", "read", (f) => ({ path: `/v2/models/${f.deployment}` })),
  R("GET", "/v2/models/:name/ready", "read", (f) => ({ path: `/v2/models/${f.deployment}/ready` })),
  R("POST", "/v2/models/:name/infer", "read", (f) => ({ path: `/v2/models/${f.deployment}/infer`, ...oipBody })),
  R("GET", "/v2/models/:name/versions/:version", "read", (f) => ({ path: `/v2/models/${f.deployment}/versions/1` })),
  R("GET", "/v2/models/:name/versions/:version/ready", "read", (f) => ({ path: `/v2/models/${f.deployment}/versions/1/ready` })),
  R("POST", "/v2/models/:name/versions/:version/infer", "read", (f) => ({ path: `/v2/models/${f.deployment}/versions/1/infer`, ...oipBody })),
  R("GET", "/metrics", "any", () => ({ path: "/metrics" })),
];

/** Authentication's routes: each role acts on its own account, so all are permitted (the route's own rules). */
const IDENTITY_ROWS: Row[] = [
  M("POST", "users/create", "admin", (_f, n) => ({ path: "users/create", body: { username: `made${n}`, password: "made-password-0001" } }), fresh(counted)),
  M("PATCH", "users/update-admin", "admin", () => ({ path: "users/update-admin", body: { username: "nobody", is_admin: false } })),
  M("DELETE", "users/delete", "admin", (_f, username) => ({ path: "users/delete", body: { username } }), {
    prepare: async (f) => {
      const username = `gone${f.counter()}`;
      await asAdmin(f.url, "POST", `${MLFLOW}/users/create`, { username, password: "gone-password-0001" });
      return username;
    },
  }),
  C("POST", "auth/sign-out", "any", () => ({ path: "auth/sign-out", body: {} })),
  C("POST", "tokens/create", "any", (_f, n) => ({ path: "tokens/create", body: { name: `t${n}` } }), fresh(counted)),
  C("GET", "tokens/list", "any", () => ({ path: "tokens/list" })),
  C("GET", "users/list", "admin", () => ({ path: "users/list" })),
  C("POST", "tokens/revoke", "any", () => ({ path: "tokens/revoke", body: { id: "0".repeat(32) } }), { ok: 404 }),
];

/** users/get and users/update-password: each role names itself (the admin names root). */
const SELF_ROUTES = ["GET users/get", "PATCH users/update-password"];
/** Public (no principal): anonymous too gets an answer. */
const PUBLIC_ROUTES = ["POST /api/2.0/cairn/auth/sign-in", "GET /api/2.0/cairn/auth/whoami"];

const call = async (f: Fixtures, method: string, pathName: string, body?: unknown): Promise<number> =>
  (await fetch(`${f.url}${pathName}`, {
    method,
    headers: { ...headersOf("admin"), ...(body === undefined ? {} : { "content-type": "application/json" }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  })).status;

const send = async (role: Role, request: Call, method: string): Promise<{ status: number; text: string }> => {
  const response = await fetch(`${server.url}${request.path}`, {
    method,
    headers: {
      ...headersOf(role),
      ...(request.raw ? { "content-type": request.raw.type } : request.body !== undefined ? { "content-type": "application/json" } : {}),
    },
    ...(request.raw ? { body: request.raw.data } : request.body !== undefined ? { body: JSON.stringify(request.body) } : {}),
  });
  return { status: response.status, text: await response.text() };
};

/** Rows' paths are relative to their prefix; raw rows carry full paths. */
const absolute = (row: Row, request: Call): Call => {
  if (request.path.startsWith("/")) return request;
  const prefix = row.route.startsWith("/api/3.0/mlflow/") ? "/api/3.0/mlflow/" : row.route.startsWith(`${CAIRN}/`) ? `${CAIRN}/` : `${MLFLOW}/`;
  return { ...request, path: `${prefix}${request.path}` };
};

describe("the route x role matrix (issue 12 part 2)", () => {
  it("covers every route of the policy table", () => {
    const covered = new Set([...ROWS, ...IDENTITY_ROWS].map((row) => routeKey(row.method, row.route)));
    for (const route of SELF_ROUTES) covered.add(routeKey(route.split(" ")[0] ?? "", `${MLFLOW}/${route.split(" ")[1] ?? ""}`));
    for (const route of PUBLIC_ROUTES) covered.add(routeKey(route.split(" ")[0] ?? "", route.split(" ")[1] ?? ""));
    expect(Object.keys(POLICY_TABLE).filter((key) => !covered.has(key))).toEqual([]);
    expect(covered.size).toBe(Object.keys(POLICY_TABLE).length);
  });

  it("answers each role as the route's rule says", async () => {
    const mismatches: string[] = [];
    for (const row of [...ROWS, ...IDENTITY_ROWS]) {
      for (const role of ROLES) {
        const allowed = role !== "anonymous" && ALLOWED[row.level].includes(role);
        // Denied roles get a real target too: the denial is about a resource that exists, and leaves it as it was.
        const target = row.prepare && role !== "anonymous" ? await row.prepare(fx) : "not-prepared";
        const request = absolute(row, row.call(fx, target));
        const answer = await send(role, request, row.method);
        const expected = role === "anonymous" ? 401 : allowed ? (row.ok ?? 200) : 403;
        // The Open Inference Protocol answers errors in its own shape ({"error": ...}); every other route in MLflow's.
        const deniedRight = expected !== 403 || answer.text.includes('"error_code":"PERMISSION_DENIED"') || (row.route.startsWith("/v2/") && answer.text.includes('"error":"Permission denied: '));
        if (answer.status !== expected || !deniedRight) mismatches.push(`${row.method} ${row.route} as ${role}: ${answer.status} (expected ${expected}) ${answer.text.slice(0, 200)}`);
      }
    }
    expect(mismatches).toEqual([]);
  }, 300_000);

  it("lists only what each role may read", async () => {
    const names = async (role: Role, pathName: string, key: string, field: string): Promise<string[]> => {
      const answer = await send(role, { path: pathName }, "GET");
      expect(answer.status).toBe(200);
      return ((JSON.parse(answer.text) as Record<string, Array<Record<string, string>> | undefined>)[key] ?? []).map((entry) => entry[field] ?? "");
    };
    for (const role of ["nobody", "reader", "admin"] as const) {
      const sees = role !== "nobody";
      expect((await names(role, `${CAIRN}/deployments/list`, "deployments", "name")).includes(fx.deployment), role).toBe(sees);
      expect((await names(role, `${CAIRN}/monitors/list`, "monitors", "name")).includes(fx.monitor), role).toBe(sees);
      expect((await names(role, `${MLFLOW}/registered-models/search`, "registered_models", "name")).includes("churn"), role).toBe(sees);
      expect((await names(role, `${MLFLOW}/model-versions/search`, "model_versions", "name")).includes("churn"), role).toBe(sees);
      expect((await names(role, `${MLFLOW}/experiments/search?max_results=1000`, "experiments", "name")).includes("matrix"), role).toBe(sees);
    }
  });

  it("lists a data version's runs and model versions only where each role may read them", async () => {
    const hash = "f".repeat(64);
    const input = (context: string) => ({
      tags: [{ key: "mlflow.data.context", value: context }],
      dataset: { name: "data.csv", digest: hash.slice(0, 32), source_type: "cairn-data", source: JSON.stringify({ uri: `cairn-data://sha256/${hash}` }) },
    });
    await asAdmin(fx.url, "POST", `${MLFLOW}/runs/log-inputs`, { run_id: fx.runId, datasets: [input("cairn.input")] });
    for (const role of ["nobody", "reader", "admin"] as const) {
      const sees = role !== "nobody";
      const runs = await send(role, { path: `${CAIRN}/data/versions/runs?hash=${hash}&relation=used` }, "GET");
      expect(runs.status, role).toBe(200);
      expect((JSON.parse(runs.text) as { runs: Array<{ run_id: string }> }).runs.map((run) => run.run_id).includes(fx.runId), role).toBe(sees);
      const got = await send(role, { path: `${CAIRN}/data/versions/get?hash=${hash}` }, "GET");
      expect(got.status, role).toBe(200);
      const version = (JSON.parse(got.text) as { data_version: { used_by: Array<{ run_id: string }>; model_versions: Array<{ name: string }> } }).data_version;
      expect(version.used_by.map((run) => run.run_id).includes(fx.runId), role).toBe(sees);
      expect(version.model_versions.map((found) => found.name).includes("churn"), role).toBe(sees);
    }
  });

  it("lets each user read and change only their own account", async () => {
    for (const role of ROLES.filter((r): r is Exclude<Role, "anonymous"> => r !== "anonymous")) {
      const self = role === "admin" ? "root" : role;
      const other = role === "reader" ? "editor" : "reader";
      expect((await send(role, { path: `${MLFLOW}/users/get${q({ username: self })}` }, "GET")).status).toBe(200);
      expect((await send(role, { path: `${MLFLOW}/users/get${q({ username: other })}` }, "GET")).status).toBe(role === "admin" ? 200 : 403);
      const password = role === "admin" ? "root-password-0001" : `${role}-password-0001`;
      expect((await send(role, { path: `${MLFLOW}/users/update-password`, body: { username: self, password } }, "PATCH")).status).toBe(200);
    }
    expect((await send("anonymous", { path: `${MLFLOW}/users/get?username=reader` }, "GET")).status).toBe(401);
    expect((await send("anonymous", { path: `${CAIRN}/auth/whoami` }, "GET")).status).toBe(200);
  });
});
