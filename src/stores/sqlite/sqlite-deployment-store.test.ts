import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Database } from "better-sqlite3";
import type { Deployment, HistoryEntry } from "../../serving/deployments/deployment.js";
import { openDatabase } from "./open-database.js";
import { SqliteDeploymentStore } from "./sqlite-deployment-store.js";

let folder: string;
let db: Database;
let store: SqliteDeploymentStore;

beforeEach(() => {
  folder = mkdtempSync(join(tmpdir(), "cairn-deployment-store-"));
  db = openDatabase(join(folder, "cairn.db"));
  store = new SqliteDeploymentStore(db);
});
afterEach(() => {
  db.close();
  rmSync(folder, { recursive: true, force: true });
});

const actor = { name: "ada", verified: false };
const deployment: Deployment = {
  name: "prod",
  modelUri: "models:/churn@champion",
  modelName: "churn",
  policy: { primary: "1" },
  followedVersion: "1",
  options: { maxBatchSize: 16, predictionLogSampleRate: 0.5 },
  createdTime: 10,
  lastUpdatedTime: 10,
};
const entry = (role: HistoryEntry["role"], from: string | undefined, to: string | undefined, reason: HistoryEntry["reason"], time: number): HistoryEntry => ({
  deployment: "prod",
  time,
  role,
  ...(from ? { from } : {}),
  ...(to ? { to } : {}),
  reason,
  actor,
  requestId: `r${time}`,
});

describe("SqliteDeploymentStore", () => {
  it("round-trips deployments and appends history in order, which outlives a delete", async () => {
    await store.create(deployment, [entry("primary", undefined, "1", "create", 10)]);
    expect(await store.get("prod")).toEqual(deployment);
    await expect(store.create(deployment, [])).rejects.toMatchObject({ code: "RESOURCE_ALREADY_EXISTS", message: "Deployment 'prod' already exists." });

    const updated: Deployment = {
      ...deployment,
      policy: { primary: "1", canary: { version: "2", weight: 0.25, sticky: true }, shadow: { version: "3", share: 0.1 } },
      options: { maxLatencyMs: 2.5, predictionLogSampleRate: 1 },
      lastError: "boom",
      lastUpdatedTime: 20,
    };
    await store.update(updated, [entry("canary", undefined, "2", "canary", 20), entry("shadow", undefined, "3", "shadow", 21)]);
    expect(await store.get("prod")).toEqual(updated);
    expect(await store.list()).toEqual([updated]);
    expect(await store.findByModel("churn")).toEqual([updated]);
    expect(await store.findByModel("other")).toEqual([]);

    await store.delete("prod", [entry("primary", "1", undefined, "delete", 30)]);
    expect(await store.get("prod")).toBeUndefined();
    expect(await store.history("prod")).toEqual([
      entry("primary", undefined, "1", "create", 10),
      entry("canary", undefined, "2", "canary", 20),
      entry("shadow", undefined, "3", "shadow", 21),
      entry("primary", "1", undefined, "delete", 30),
    ]);
    await expect(store.update(updated, [])).rejects.toMatchObject({ code: "RESOURCE_DOES_NOT_EXIST" });
    await expect(store.delete("prod", [])).rejects.toMatchObject({ code: "RESOURCE_DOES_NOT_EXIST" });
  });

  it("writes nothing of a change whose history cannot be stored (one transaction)", async () => {
    await store.create(deployment, []);
    const bad = { ...entry("canary", undefined, "2", "canary", 20), reason: "unknown" as HistoryEntry["reason"] };
    await expect(store.update({ ...deployment, policy: { primary: "9" } }, [bad])).rejects.toThrow(/CHECK constraint/);
    expect((await store.get("prod"))?.policy).toEqual({ primary: "1" });
    expect(await store.history("prod")).toEqual([]);
  });
});
