import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Database } from "better-sqlite3";
import Sqlite from "better-sqlite3";
import type { Deployment } from "../../serving/deployments/deployment.js";
import { describeDeploymentStoreContract, type OpenedDeploymentStore } from "../../serving/deployments/store.contract.js";
import { describeShadowCompactionContract } from "../../serving/deployments/shadow-compaction.contract.js";
import { LATEST_SCHEMA_VERSION, migrate, SQLITE_MIGRATIONS } from "./migrations.js";
import { openDatabase } from "./open-database.js";
import { SqliteDeploymentStore } from "./sqlite-deployment-store.js";

const openStore = async (): Promise<OpenedDeploymentStore> => {
  const dir = mkdtempSync(join(tmpdir(), "cairn-deployment-store-"));
  const file = join(dir, "cairn.db");
  const database = openDatabase(file);
  return {
    store: new SqliteDeploymentStore(database),
    another: async () => {
      const other = openDatabase(file);
      return { store: new SqliteDeploymentStore(other), close: async () => void other.close() };
    },
    healthRows: async () =>
      database.prepare("SELECT name, state, reason, changed_time FROM deployment_health ORDER BY name").all() as Array<{
        name: string;
        state: string;
        reason: string | null;
        changed_time: number;
      }>,
    cleanup: async () => {
      database.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
};

describeDeploymentStoreContract("sqlite", openStore);
describeShadowCompactionContract("sqlite", openStore);

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

describe("SqliteDeploymentStore", () => {
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

  it("migrates a version-23 database's saved shadow reports (migration 25): each one released part a restart continues", async () => {
    db.close();
    const file = join(folder, "v23.db");
    const raw = new Sqlite(file);
    migrate(raw, SQLITE_MIGRATIONS.filter((m) => m.version <= 23));
    const report = { deployment: "old", primary_version: "1", candidate_version: "2", share: 1, since: 100, mirrored: 5 };
    const state = { mirrored: 5, primary_latency: { seen: 2, samples: [1, 2] }, candidate_latency: { seen: 2, samples: [3, 4] } };
    raw
      .prepare("INSERT INTO shadow_reports (deployment, since, candidate_version, report, state, updated_time) VALUES ('old', 100, '2', ?, ?, 150)")
      .run(JSON.stringify(report), JSON.stringify(state));
    expect(migrate(raw)).toBe(LATEST_SCHEMA_VERSION);
    raw.close();
    db = openDatabase(file);
    store = new SqliteDeploymentStore(db);
    const [part] = await store.shadowReports("old");
    expect(part).toMatchObject({ report, state, updatedTime: 150, replica: "saved-before-replicas", released: true });
    const key = { deployment: "old", since: 100, candidateVersion: "2", replica: "saved-before-replicas" };
    expect(await store.claimShadowReport(key, "host:1:ab")).toBe(true);
    expect((await store.shadowReports("old")).map((p) => [p.replica, p.released])).toEqual([["host:1:ab", false]]);
  });
});
