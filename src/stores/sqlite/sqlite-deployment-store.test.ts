import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Database } from "better-sqlite3";
import Sqlite from "better-sqlite3";
import type { Deployment, HistoryEntry, SavedShadowReport } from "../../serving/deployments/deployment.js";
import { LATEST_SCHEMA_VERSION, migrate, SQLITE_MIGRATIONS } from "./migrations.js";
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
  options: { maxBatchSize: 16, predictionLogSampleRate: 0.5, inferenceWorker: false },
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
      options: { maxLatencyMs: 2.5, predictionLogSampleRate: 1, inferenceWorker: true },
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

  it("saves one shadow report per (deployment, since, candidate), replacing it on each save, newest first, kept after a delete", async () => {
    await store.create(deployment, []);
    const saved = (since: number, candidate: string, mirrored: number, updatedTime: number): SavedShadowReport => ({
      report: {
        deployment: "prod",
        primary_version: "1",
        candidate_version: candidate,
        share: 0.5,
        since,
        mirrored,
        compared: mirrored,
        primary_errors: 0,
        candidate_errors: 0,
        class_compared: mirrored,
        same_class: mirrored,
        agreement_rate: mirrored === 0 ? null : 1,
        abs_diff: { mean: Number.NaN, max: Number.POSITIVE_INFINITY },
        rel_diff: { mean: 0.25, max: null },
        latency: { primary: { count: mirrored, p50_ms: 1.5, p99_ms: 2 }, candidate: { count: mirrored, p50_ms: null, p99_ms: null } },
      },
      state: {
        mirrored,
        compared: mirrored,
        primary_errors: 0,
        candidate_errors: 0,
        class_compared: mirrored,
        same_class: mirrored,
        abs_sum: Number.NaN,
        abs_max: Number.POSITIVE_INFINITY,
        rel_sum: 0.5,
        rel_max: null,
        diff_count: 2,
        primary_latency: { seen: 2, samples: [1.5, 2] },
        candidate_latency: { seen: 0, samples: [] },
      },
      updatedTime,
    });
    expect(await store.shadowReports("prod")).toEqual([]);
    await store.saveShadowReport(saved(100, "2", 3, 110));
    await store.saveShadowReport(saved(100, "2", 7, 120));
    await store.saveShadowReport(saved(200, "3", 1, 210));
    await store.saveShadowReport(saved(100, "3", 4, 130));
    expect(await store.shadowReports("prod")).toEqual([saved(200, "3", 1, 210), saved(100, "3", 4, 130), saved(100, "2", 7, 120)]);
    expect(await store.shadowReports("other")).toEqual([]);
    await store.delete("prod", []);
    expect((await store.shadowReports("prod")).map((s) => s.report.mirrored)).toEqual([1, 4, 7]);
  });

  it("keeps a deployment name that looks like a number a string", async () => {
    await store.saveShadowReport({
      report: { ...emptyReport, deployment: "NaN", candidate_version: "Infinity" },
      state: emptyState,
      updatedTime: 5,
    });
    expect((await store.shadowReports("NaN"))[0]?.report).toMatchObject({ deployment: "NaN", candidate_version: "Infinity" });
  });

  it("records health verdicts and says which call changed the state: a first degraded, each flip, never a repeat", async () => {
    await store.create(deployment, []);
    expect(await store.recordHealth("prod", "serving", undefined, 10)).toBe(false);
    expect(await store.recordHealth("prod", "serving", undefined, 11)).toBe(false);
    expect(await store.recordHealth("prod", "degraded", "alias names 2, 1 serves", 12)).toBe(true);
    // A second replica (another connection on the same file) reaching the same verdict is told it changed nothing.
    const other = openDatabase(join(folder, "cairn.db"));
    expect(await new SqliteDeploymentStore(other).recordHealth("prod", "degraded", "alias names 2, 1 serves", 13)).toBe(false);
    other.close();
    expect(db.prepare("SELECT name, state, reason, changed_time FROM deployment_health").all()).toEqual([
      { name: "prod", state: "degraded", reason: "alias names 2, 1 serves", changed_time: 12 },
    ]);
    expect(await store.recordHealth("prod", "serving", undefined, 14)).toBe(true);
    expect(await store.recordHealth("new", "degraded", "nothing loads", 15)).toBe(true);
    await store.delete("prod", []);
    expect(db.prepare("SELECT name FROM deployment_health").all()).toEqual([{ name: "new" }]);
  });

  it("migrates a version-8 database: existing deployments get inference_worker 0", async () => {
    db.close();
    const file = join(folder, "v8.db");
    const raw = new Sqlite(file);
    migrate(raw, SQLITE_MIGRATIONS.filter((m) => m.version <= 8));
    raw
      .prepare(
        `INSERT INTO deployments (name, model_uri, model_name, policy, followed_version, max_batch_size, max_latency_ms,
           prediction_log_sample_rate, last_error, created_time, last_updated_time)
         VALUES ('old', 'models:/churn/1', 'churn', '{"primary":"1"}', NULL, 8, NULL, 1, NULL, 1, 2)`,
      )
      .run();
    expect(migrate(raw)).toBe(LATEST_SCHEMA_VERSION);
    raw.close();
    db = openDatabase(file);
    store = new SqliteDeploymentStore(db);
    expect((await store.get("old"))?.options).toEqual({ maxBatchSize: 8, predictionLogSampleRate: 1, inferenceWorker: false });
    await store.update({ ...((await store.get("old")) as Deployment), options: { predictionLogSampleRate: 0, inferenceWorker: true } }, []);
    expect((await store.get("old"))?.options).toEqual({ predictionLogSampleRate: 0, inferenceWorker: true });
    // Migration 22: no prediction-log bounds of its own until set; then they round-trip.
    const bounded = { predictionLogSampleRate: 0, inferenceWorker: true, predictionLogMaxAgeSeconds: 86_400, predictionLogMaxRows: 5_000 };
    await store.update({ ...((await store.get("old")) as Deployment), options: bounded }, []);
    expect((await store.get("old"))?.options).toEqual(bounded);
    expect((await store.list()).map((d) => d.options)).toEqual([bounded]);
  });
});

const emptyReport: SavedShadowReport["report"] = {
  deployment: "prod",
  primary_version: "1",
  candidate_version: "2",
  share: 1,
  since: 1,
  mirrored: 0,
  compared: 0,
  primary_errors: 0,
  candidate_errors: 0,
  class_compared: 0,
  same_class: 0,
  agreement_rate: null,
  abs_diff: { mean: null, max: null },
  rel_diff: { mean: null, max: null },
  latency: { primary: { count: 0, p50_ms: null, p99_ms: null }, candidate: { count: 0, p50_ms: null, p99_ms: null } },
};
const emptyState: SavedShadowReport["state"] = {
  mirrored: 0,
  compared: 0,
  primary_errors: 0,
  candidate_errors: 0,
  class_compared: 0,
  same_class: 0,
  abs_sum: 0,
  abs_max: null,
  rel_sum: 0,
  rel_max: null,
  diff_count: 0,
  primary_latency: { seen: 0, samples: [] },
  candidate_latency: { seen: 0, samples: [] },
};

describe("versions marked failed", () => {
  it("are read back with the deployment, replaced by a newer mark, kept by update() and removed by delete()", async () => {
    await store.create(deployment, []);
    await store.markVersionFailed("prod", { version: "2", kind: "timeout", reason: "inference exceeded 30 s", time: 20 });
    await store.markVersionFailed("prod", { version: "1", kind: "crash", reason: "executor killed by SIGKILL", time: 30 });
    await store.markVersionFailed("prod", { version: "2", kind: "output-size", reason: "150000000 elements", time: 40 });
    const expected = [
      { version: "1", kind: "crash", reason: "executor killed by SIGKILL", time: 30 },
      { version: "2", kind: "output-size", reason: "150000000 elements", time: 40 },
    ];
    expect((await store.get("prod"))?.failedVersions).toEqual(expected);
    expect((await store.list())[0]?.failedVersions).toEqual(expected);
    expect((await store.findByModel("churn"))[0]?.failedVersions).toEqual(expected);
    await store.update({ ...deployment, lastUpdatedTime: 50 }, []);
    expect((await store.get("prod"))?.failedVersions).toEqual(expected);
    await store.delete("prod", []);
    await store.create(deployment, []);
    expect((await store.get("prod"))?.failedVersions).toBeUndefined();
    await expect(store.markVersionFailed("nope", { version: "1", kind: "timeout", reason: "x", time: 1 })).rejects.toThrow("Deployment 'nope' does not exist.");
  });
});
