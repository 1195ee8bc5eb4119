import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import * as ort from "onnxruntime-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CairnClient } from "../src/sdk/client.js";
import { startTempServer, type TempServer } from "../src/server/test-support/temp-server.js";
import { logisticRegressionModel, writeMlflowModelDir } from "../src/serving/test-support/onnx-models.js";
import { openDataset } from "../src/validation/duckdb/open-dataset.js";
import { profileDataset } from "../src/validation/profile/profile-dataset.js";
import { deliveredEvents, TestReceiver } from "../src/webhooks/test-support/receiver.js";
import { waitFor as waitForAttempts } from "./support/wait-for.js";

/**
 * The whole cycle of a new user, as one story against one real server (SQLite file, artifact folder, real ONNX
 * models, a real webhook receiver): train with the MLflow client's calls, profile the training data, register, set a
 * promotion rule, approve, deploy behind @champion, try a candidate as canary and shadow, promote it (refused until it
 * is approved by someone other than its author), monitor the live traffic against the training profile, and get an
 * alert when the traffic drifts. No step needs a workaround: every call is the one a user would make.
 */
let server: TempServer;
let scratch: string;
let receiver: TestReceiver;
let cairn: CairnClient;

beforeAll(async () => {
  server = await startTempServer("cairn-full-cycle-");
  scratch = await mkdtemp(path.join(tmpdir(), "cairn-full-cycle-files-"));
  receiver = new TestReceiver();
  await receiver.listen();
  cairn = new CairnClient({ trackingUri: server.url });
});
afterAll(async () => {
  await server?.close();
  await receiver?.close();
  await rm(scratch, { recursive: true, force: true });
});

type Who = "ada" | "bob" | undefined;

/** One call of the REST API as `who` (x-cairn-user), answering status and JSON. */
const request = async (method: "GET" | "POST" | "PATCH" | "DELETE", route: string, body?: unknown, who?: Who): Promise<{ status: number; body: any }> => {
  const get = method === "GET" && body !== undefined;
  const url = `${server.url}/api/2.0/${route}${get ? `?${new URLSearchParams(body as Record<string, string>)}` : ""}`;
  const answer = await fetch(url, {
    method,
    headers: { ...(who ? { "x-cairn-user": who } : {}), ...(body !== undefined && !get ? { "content-type": "application/json" } : {}) },
    ...(body !== undefined && !get ? { body: JSON.stringify(body) } : {}),
  });
  const text = await answer.text();
  return { status: answer.status, body: text === "" ? {} : JSON.parse(text) };
};

/** The same, expecting 200. */
const ok = async (method: "GET" | "POST" | "PATCH" | "DELETE", route: string, body?: unknown, who?: Who): Promise<any> => {
  const answer = await request(method, route, body, who);
  expect(answer.status, `${method} ${route}: ${JSON.stringify(answer.body)}`).toBe(200);
  return answer.body;
};

/** This test has always allowed 15 s (150 tries) for its background steps, more than the default 10 s. */
const waitFor = (check: () => Promise<boolean>, what: string): Promise<void> => waitForAttempts(check, what, 150);

const FEATURES = ["f0", "f1", "f2", "f3"];

/** A seeded standard normal sample (Box-Muller over a small LCG), shifted by `shift`. */
const normalRows = (count: number, seed: number, shift = 0): number[][] => {
  let state = seed >>> 0;
  const uniform = (): number => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return (state + 0.5) / 4294967296;
  };
  return Array.from({ length: count }, () =>
    FEATURES.map(() => Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform()) + shift),
  );
};

/** What onnxruntime itself answers for these rows: what the deployment must repeat exactly. */
const direct = async (bytes: Uint8Array, rows: number[][]): Promise<number[]> => {
  const session = await ort.InferenceSession.create(bytes);
  const result = await session.run({ x: new ort.Tensor("float32", Float32Array.from(rows.flat()), [rows.length, 4]) });
  await session.release();
  return Array.from(result.prob?.data as Float32Array);
};

interface Trained {
  runId: string;
  modelId: string;
  bytes: Uint8Array;
}

/**
 * mlflow.start_run(); log_param; log_metric; mlflow.onnx.log_model(model, name="model", signature=...); end_run(),
 * as the MLflow 3 client sends them (shared/reference/mlflow3-rest.md), by `ada`.
 */
const train = async (experimentId: string, seed: number, accuracy: number): Promise<Trained> => {
  const runId = (await ok("POST", "mlflow/runs/create", { experiment_id: experimentId, start_time: Date.now(), tags: [{ key: "mlflow.user", value: "ada" }] }, "ada")).run
    .info.run_id as string;
  await ok("POST", "mlflow/runs/log-parameter", { run_id: runId, key: "seed", value: String(seed) }, "ada");
  await ok("POST", "mlflow/runs/log-metric", { run_id: runId, key: "accuracy", value: accuracy, timestamp: Date.now(), step: 0 }, "ada");
  const created = await ok("POST", "mlflow/logged-models", { experiment_id: experimentId, name: "model", source_run_id: runId }, "ada");
  const modelId = created.model.info.model_id as string;
  await ok("POST", "mlflow/runs/outputs", { run_id: runId, models: [{ model_id: modelId, step: 0 }] }, "ada");
  const bytes = logisticRegressionModel(seed);
  const dir = await writeMlflowModelDir(path.join(scratch, `model-${seed}`), bytes, {
    runId,
    signature: {
      inputs: FEATURES.map((name) => ({ name, type: "float" as const })),
      outputs: [{ type: "tensor" as const, "tensor-spec": { dtype: "float32", shape: [-1, 1] } }],
    },
  });
  for (const file of ["MLmodel", "model.onnx"]) {
    const put = await fetch(`${server.url}/api/2.0/mlflow-artifacts/artifacts/${experimentId}/models/${modelId}/artifacts/${file}`, {
      method: "PUT",
      body: await readFile(path.join(dir, file)),
    });
    expect(put.status, file).toBe(200);
  }
  await ok("PATCH", `mlflow/logged-models/${modelId}`, { model_id: modelId, status: "LOGGED_MODEL_READY" }, "ada");
  await ok("POST", "mlflow/runs/update", { run_id: runId, status: "FINISHED", end_time: Date.now() }, "ada");
  return { runId, modelId, bytes };
};

/** mlflow.register_model(f"models:/{model_id}", "churn") as the 3.x client sends it. */
const register = async (trained: Trained): Promise<string> =>
  (await ok("POST", "mlflow/model-versions/create", { name: "churn", source: `models:/${trained.modelId}`, run_id: trained.runId, model_id: trained.modelId }, "ada"))
    .model_version.version as string;

/** Scores rows through MLflow's scoring protocol as a DataFrame; answers the version header and the probabilities. */
const score = async (rows: number[][], requestId?: string): Promise<{ version: string | null; probs: number[] }> => {
  const response = await fetch(`${server.url}/deployments/churn/invocations`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(requestId ? { "x-request-id": requestId } : {}) },
    body: JSON.stringify({ dataframe_split: { columns: FEATURES, data: rows } }),
  });
  const text = await response.text();
  expect(response.status, text).toBe(200);
  return { version: response.headers.get("x-cairn-model-version"), probs: (JSON.parse(text).predictions as Array<{ prob: number }>).map((p) => p.prob) };
};

const champion = async (): Promise<string> =>
  (await ok("GET", "mlflow/registered-models/alias", { name: "churn", alias: "champion" })).model_version.version as string;

const deployment = async (): Promise<any> => (await ok("GET", "cairn/deployments/get", { name: "churn" })).deployment;

const eventsReceived = (type: string): any[] => deliveredEvents(receiver).filter((body) => body.type === type);

describe("the cycle of a new user, end to end", () => {
  it("train -> register -> approve -> deploy -> canary -> shadow -> promote -> monitor -> alert", async () => {
    // Webhooks for everything: the team's chat bot.
    await ok("POST", "cairn/webhooks/create", { name: "team", url: receiver.url, events: ["*"] }, "ada");

    // 1. Train two models with the MLflow client, and profile the training data.
    const experimentId = (await ok("POST", "mlflow/experiments/create", { name: "churn" }, "ada")).experiment_id as string;
    const first = await train(experimentId, 11, 0.91);
    const second = await train(experimentId, 12, 0.93);
    const trainingRows = normalRows(2000, 1);
    const csv = path.join(scratch, "train.csv");
    await writeFile(csv, [FEATURES.join(","), ...trainingRows.map((row) => row.join(","))].join("\n"));
    const dataset = await openDataset(csv);
    const profile = await profileDataset(dataset);
    await dataset.close();

    // 2. Register both; each version's training profile is its run's.
    await ok("POST", "mlflow/registered-models/create", { name: "churn" }, "ada");
    const v1 = await register(first);
    const v2 = await register(second);
    expect([v1, v2]).toEqual(["1", "2"]);
    for (const [trained, version] of [[first, v1], [second, v2]] as const) {
      await ok("POST", "cairn/data/profiles/attach", { run_id: trained.runId, name: "train", profile }, "ada");
      await ok("POST", "cairn/data/profiles/set-training", { name: "churn", version, profile_name: "train" }, "ada");
    }

    // 3. The team's rule for @champion: accuracy >= 0.9 and one approval by someone other than the author.
    await ok(
      "POST",
      "cairn/registered-models/promotion-rules/set",
      { name: "churn", target: "alias:champion", metric_thresholds: [{ metric: "accuracy", comparator: ">=", value: 0.9 }], required_approvals: 1, forbid_self_approval: true },
      "bob",
    );
    const selfApproval = await request("POST", "cairn/model-versions/approve", { name: "churn", version: v1, target: "alias:champion" }, "ada");
    expect(selfApproval.status).toBe(403);
    const refusedAlias = await request("POST", "mlflow/registered-models/alias", { name: "churn", alias: "champion", version: v1 }, "ada");
    expect(refusedAlias.status).toBe(400);
    expect(refusedAlias.body.message).toContain("1 approval");
    await ok("POST", "cairn/model-versions/approve", { name: "churn", version: v1, target: "alias:champion", comment: "reviewed" }, "bob");
    await ok("POST", "mlflow/registered-models/alias", { name: "churn", alias: "champion", version: v1 }, "ada");

    // 4. Deploy behind the alias; the answers are onnxruntime's, and say which version gave them.
    await ok("POST", "cairn/deployments/create", { name: "churn", model_uri: "models:/churn@champion" }, "ada");
    // One row per request until the monitor starts, so that what it judges first is too little to judge.
    const sample = normalRows(1, 99);
    const fromV1 = await direct(first.bytes, sample);
    const fromV2 = await direct(second.bytes, sample);
    expect(await score(sample)).toEqual({ version: v1, probs: fromV1 });

    // 5. The unapproved candidate may take a canary share and a shadow: that is how it is evaluated.
    await ok("POST", "cairn/deployments/canary", { name: "churn", version: v2, weight: 0.5 }, "ada");
    const versions = new Set<string>();
    for (let i = 0; i < 40; i += 1) {
      const answer = await score(sample);
      expect(answer.probs).toEqual(answer.version === v2 ? fromV2 : fromV1);
      versions.add(answer.version ?? "");
    }
    expect([...versions].sort()).toEqual([v1, v2]);
    await ok("POST", "cairn/deployments/rollback", { name: "churn" }, "ada");
    await ok("POST", "cairn/deployments/shadow", { name: "churn", version: v2, share: 1 }, "ada");
    for (let i = 0; i < 5; i += 1) expect(await score(sample)).toEqual({ version: v1, probs: fromV1 });
    await waitFor(async () => (await ok("GET", "cairn/deployments/shadow-report", { name: "churn" })).report.compared >= 5, "the shadow comparison");

    // 6. Promote: refused in the rule's own words until someone other than the author approves; nothing moved.
    const refused = await request("POST", "cairn/deployments/promote", { name: "churn" }, "ada");
    expect(refused.status).toBe(400);
    expect(refused.body.message).toContain("approval");
    expect(await champion()).toBe(v1);
    expect((await deployment()).primary_version).toBe(v1);
    expect(await score(sample)).toEqual({ version: v1, probs: fromV1 });
    await waitFor(async () => eventsReceived("promotion.refused").some((e) => e.payload.version === v2), "the promotion.refused webhook");
    await ok("POST", "cairn/model-versions/approve", { name: "churn", version: v2, target: "alias:champion" }, "bob");
    await ok("POST", "cairn/deployments/promote", { name: "churn" }, "ada");
    expect(await champion()).toBe(v2);
    expect(await deployment()).toMatchObject({ primary_version: v2, followed_version: v2, state: "serving" });
    expect(await score(sample)).toEqual({ version: v2, probs: fromV2 });

    // 7. Monitor the live traffic against the training profile: traffic like the training data passes.
    await ok(
      "POST",
      "cairn/monitors/create",
      { name: "churn-watch", deployment: "churn", window: { last_rows: 200 }, schedule_seconds: 3600, checks: { drift: { reference: "training_profile" } } },
      "ada",
    );
    /** Sends rows in requests of 20 and waits until the prediction log holds every one of them. */
    const traffic = async (rows: number[][], prefix: string): Promise<void> => {
      const ids: string[] = [];
      for (let i = 0; i < rows.length; i += 20) {
        ids.push(`${prefix}-${i}`);
        expect((await score(rows.slice(i, i + 20), `${prefix}-${i}`)).version).toBe(v2);
      }
      await waitFor(async () => {
        const page = await ok("GET", "cairn/serving/predictions", { deployment: "churn", max_results: "1000" });
        const logged = new Set((page.predictions ?? []).map((p: any) => p.request_id));
        return ids.every((id) => logged.has(id));
      }, `the prediction log of ${prefix}`);
    };
    const few = await ok("POST", "cairn/monitors/run", { name: "churn-watch" }, "ada");
    expect(few.run.checks[0]).toMatchObject({ check: "drift", status: "insufficient_data" });
    await traffic(normalRows(200, 7), "calm");
    const passing = (await ok("POST", "cairn/monitors/run", { name: "churn-watch" }, "ada")).run;
    expect(passing.checks[0]).toMatchObject({ check: "drift", status: "pass" });
    expect(passing.checks[0].scores.map((s: any) => s.feature).sort()).toEqual(["", ...FEATURES]);

    // 8. The traffic drifts: the next run fails and the team gets one monitor.alert naming the drifted features.
    await traffic(normalRows(200, 8, 1.5), "drifted");
    const failing = (await ok("POST", "cairn/monitors/run", { name: "churn-watch" }, "ada")).run;
    expect(failing.checks[0]).toMatchObject({ check: "drift", status: "fail" });
    await waitFor(async () => eventsReceived("monitor.alert").length === 1, "the monitor.alert webhook");
    const alert = eventsReceived("monitor.alert")[0];
    expect(alert.payload).toMatchObject({ monitor: "churn-watch", deployment: "churn", check: "drift", status: "fail", window_rows: 200 });
    // The signature's feature names, read from the registered version: no input_0..input_3.
    expect([...alert.payload.features].sort()).toEqual(FEATURES);
    expect(alert.payload.scores.map((s: any) => s.feature).filter((f: string) => f !== "").sort()).toEqual(FEATURES);
    expect(eventsReceived("monitor.recovered")).toEqual([]);
    expect(eventsReceived("monitor.error")).toEqual([]);

    // 9. The audit trail tells the story, and its chain is intact.
    const actions = (await cairn.audit.listEvents({ maxResults: 1000 })).items.map((e) => e.action);
    for (const action of ["governance.promotion_rule.set", "governance.approval.create", "registry.promotion.refuse", "registry.alias.set", "serving.deployment.promote"]) {
      expect(actions, action).toContain(action);
    }
    const history = (await ok("GET", "cairn/deployments/history", { name: "churn" })).history.map((h: any) => `${h.role} ${h.from_version ?? "-"}>${h.to_version ?? "-"} ${h.reason}`);
    expect(history).toContain(`primary ${v1}>${v2} promote`);
    expect(await cairn.audit.verify()).toMatchObject({ ok: true });
  }, 120_000);
});
