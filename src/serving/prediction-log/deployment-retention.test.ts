import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import Sqlite from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CairnClient } from "../../sdk/client.js";
import { startServerIn } from "../../server/test-support/temp-server.js";
import type { RunningServer } from "../../server/start.js";
import { registerLogisticVersions } from "../test-support/registered-models.js";

/**
 * A deployment's own prediction-log bounds through a real server: set by the SDK, kept in the SQLite file, and
 * enforced by the server's retention pass (which runs at start-up, then each minute) on that deployment's rows only.
 */
let dir: string;
let server: RunningServer | undefined;
let client: CairnClient;
const row = [0.5, -1.25, 2, 0.75];

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "cairn-deployment-retention-"));
  server = await startServerIn(dir);
  client = new CairnClient({ trackingUri: server.url, user: "ada" });
  await registerLogisticVersions(client, path.join(dir, "scratch"), "churn", [11]);
});

afterAll(async () => {
  await server?.close();
  await rm(dir, { recursive: true, force: true });
});

const requestIds = async (deployment: string): Promise<string[]> =>
  (await client.serving.predictions({ deployment, maxResults: 100 })).items.map((p) => p.request_id);

describe("per-deployment prediction-log retention on a real server", () => {
  it("keeps the newest rows a deployment allows, with their labels, and leaves other deployments to the server's bounds", async () => {
    const tight = await client.serving.createDeployment({ name: "tight", modelUri: "models:/churn/1", predictionLogMaxRows: 5 });
    expect([tight.prediction_log_max_age_seconds, tight.prediction_log_max_rows]).toEqual([undefined, 5]);
    await client.serving.createDeployment({ name: "open", modelUri: "models:/churn/1" });
    for (let i = 0; i < 6; i += 1) {
      for (const name of ["tight", "open"]) await client.serving.predict(name, { inputs: { x: [row] } }, { requestId: `${name}-${i}` });
    }
    for (let attempt = 0; attempt < 100 && (await requestIds("open")).length < 6; attempt += 1) await new Promise((r) => setTimeout(r, 20));
    await client.serving.logLabel({ requestId: "tight-0", label: 1 });
    await client.serving.logLabel({ requestId: "tight-5", label: 0 });
    const updated = await client.serving.updateDeployment("tight", { predictionLogMaxRows: 2, predictionLogMaxAgeSeconds: 7 * 86_400 });
    expect([updated.prediction_log_max_age_seconds, updated.prediction_log_max_rows]).toEqual([604_800, 2]);

    // A restart runs a retention pass at once (then one each minute).
    await server?.close();
    server = await startServerIn(dir);
    client = new CairnClient({ trackingUri: server.url, user: "ada" });
    for (let attempt = 0; attempt < 100 && (await requestIds("tight")).length > 2; attempt += 1) await new Promise((r) => setTimeout(r, 20));
    expect(await requestIds("tight")).toEqual(["tight-4", "tight-5"]);
    expect(await requestIds("open")).toEqual(["open-0", "open-1", "open-2", "open-3", "open-4", "open-5"]);
    const labels = (await client.serving.predictions({ deployment: "tight", maxResults: 100 })).items.map((p) => [p.request_id, p.label]);
    expect(labels).toEqual([["tight-4", undefined], ["tight-5", 0]]);
    // The trimmed prediction's label went with it (the server's file, read beside it).
    const db = new Sqlite(path.join(dir, "cairn.db"), { readonly: true });
    expect(db.prepare("SELECT request_id FROM prediction_labels ORDER BY request_id").all()).toEqual([{ request_id: "tight-5" }]);
    db.close();
    expect(await client.serving.getDeployment("tight")).toMatchObject({ prediction_log_max_age_seconds: 604_800, prediction_log_max_rows: 2 });
  }, 60_000);
});
