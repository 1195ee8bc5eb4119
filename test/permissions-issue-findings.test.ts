import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAuthServer } from "../src/auth/test-support/auth-server.js";
import type { RunningServer } from "../src/server/start.js";
import { asAdmin, CAIRN, headersOf, MLFLOW, setUpFixtures, type Fixtures, type Role } from "./support/permission-fixtures.js";

/**
 * Issue 12's findings of "no authorization", replayed by signed-in users who may read but not change (a READ user)
 * and by one who may change but not manage (EDIT): each attack is a 403 PERMISSION_DENIED, and what it aimed at is
 * exactly as before (read back by the administrator).
 */
let server: RunningServer & { dir: string };
let fx: Fixtures;
let scratch: string;

beforeAll(async () => {
  scratch = await mkdtemp(path.join(tmpdir(), "cairn-findings-"));
  server = await startAuthServer({ defaultPermission: "NO_PERMISSIONS", webhookAllowedTargets: ["127.0.0.0/8"], webhookAllowHttp: true });
  fx = await setUpFixtures(server.url, scratch);
}, 120_000);
afterAll(async () => {
  await server?.close();
  await rm(scratch, { recursive: true, force: true });
});

const attempt = async (role: Role, method: string, pathName: string, body?: unknown, raw?: string): Promise<{ status: number; code: unknown }> => {
  const response = await fetch(`${server.url}${pathName}`, {
    method,
    headers: { ...headersOf(role), ...(body !== undefined ? { "content-type": "application/json" } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : raw !== undefined ? { body: raw } : {}),
  });
  const text = await response.text();
  return { status: response.status, code: text.startsWith("{") ? (JSON.parse(text) as { error_code?: string }).error_code : undefined };
};

const DENIED = { status: 403, code: "PERMISSION_DENIED" };

const state = async (): Promise<string> => {
  const reads = [
    `${MLFLOW}/registered-models/alias?name=churn&alias=champion`,
    `${CAIRN}/deployments/get?name=${fx.deployment}`,
    `${CAIRN}/registered-models/promotion-rules/list?name=churn`,
    `${CAIRN}/webhooks/get?id=${fx.webhookId}`,
    `${MLFLOW}/webhooks/${fx.mlflowWebhookId}`,
    `/api/2.0/mlflow-artifacts/artifacts?path=${fx.experimentId}/${fx.runId}/artifacts/model`,
  ];
  const answers = await Promise.all(reads.map(async (read) => (await asAdmin(fx.url, "GET", read)).text));
  const model = await fetch(`${server.url}/api/2.0/mlflow-artifacts/artifacts/${fx.experimentId}/${fx.runId}/artifacts/model/model.onnx`, { headers: headersOf("admin") });
  return JSON.stringify([...answers, Buffer.from(await model.arrayBuffer()).toString("base64")]);
};

describe("issue 12's authorization findings", () => {
  it("refuses every attack of a READ or EDIT user, and leaves its target as it was", async () => {
    const before = await state();
    const files = `/api/2.0/mlflow-artifacts/artifacts/${fx.experimentId}/${fx.runId}/artifacts`;
    for (const role of ["reader", "editor"] as const) {
      // "one DELETE /api/2.0/mlflow-artifacts/artifacts/0 wiped experiment 0's artifacts" (deleting needs MANAGE)
      expect(await attempt(role, "DELETE", `${files}/model/model.onnx`), role).toEqual(DENIED);
      expect(await attempt(role, "DELETE", "/api/2.0/mlflow-artifacts/artifacts/0/x"), role).toEqual(DENIED);
      // "re-pointed a webhook to its own URL" (webhooks are administrators')
      expect(await attempt(role, "POST", `${CAIRN}/webhooks/update`, { id: fx.webhookId, url: "http://127.0.0.1:9/attacker" }), role).toEqual(DENIED);
      expect(await attempt(role, "PATCH", `${MLFLOW}/webhooks/${fx.mlflowWebhookId}`, { url: "http://127.0.0.1:9/attacker" }), role).toEqual(DENIED);
      expect(await attempt(role, "POST", `${CAIRN}/webhooks/create`, { name: "evil", url: "http://127.0.0.1:9/evil", events: ["*"] }), role).toEqual(DENIED);
      // "deleted deployments and promotion rules" (MANAGE on the model)
      expect(await attempt(role, "POST", `${CAIRN}/deployments/delete`, { name: fx.deployment }), role).toEqual(DENIED);
      expect(await attempt(role, "POST", `${CAIRN}/deployments/update`, { name: fx.deployment, model_uri: "models:/churn/1" }), role).toEqual(DENIED);
      expect(await attempt(role, "DELETE", `${CAIRN}/registered-models/promotion-rules/delete`, { name: "churn", target: "alias:gated" }), role).toEqual(DENIED);
      // "audit/verify is open to anyone and blocks"
      expect(await attempt(role, "GET", `${CAIRN}/audit/verify`), role).toEqual(DENIED);
    }
    // "overwrote a registered model's files" and "moved aliases": changing them needs EDIT, which the reader lacks.
    expect(await attempt("reader", "PUT", `${files}/model/model.onnx`, undefined, "swapped")).toEqual(DENIED);
    expect(await attempt("reader", "POST", `${MLFLOW}/registered-models/alias`, { name: "churn", alias: "champion", version: "1" })).toEqual(DENIED);
    expect(await attempt("editor", "DELETE", `${MLFLOW}/registered-models/alias`, { name: "churn", alias: "champion" })).toEqual(DENIED);
    expect(await state()).toBe(before);
  });

  it("lets nobody approve by declaration: only named approvers (and administrators) approve", async () => {
    const approve = { name: "churn", version: "1", target: "alias:gated" };
    for (const role of ["reader", "manager"] as const) {
      expect(await attempt(role, "POST", `${CAIRN}/model-versions/approve`, approve), role).toEqual(DENIED);
    }
    expect((await attempt("editor", "POST", `${CAIRN}/model-versions/approve`, approve)).status).toBe(200);
  });
});
