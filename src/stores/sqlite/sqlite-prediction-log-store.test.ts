import Sqlite from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { describePredictionLogStoreContract, predictionRecord as record } from "../../serving/prediction-log/store.contract.js";
import { tempDbFile } from "../../webhooks/test-support/webhook-kit.js";
import { LATEST_SCHEMA_VERSION, migrate, SQLITE_MIGRATIONS } from "./migrations.js";
import { openDatabase } from "./open-database.js";
import { SqlitePredictionLogStore } from "./sqlite-prediction-log-store.js";

describePredictionLogStoreContract("sqlite", async () => {
  const temp = tempDbFile();
  const db = openDatabase(temp.file);
  return {
    store: new SqlitePredictionLogStore(db),
    cleanup: async () => {
      db.close();
      temp.remove();
    },
  };
});

describe("SqlitePredictionLogStore", () => {
  it("migration 22 counts the predictions already logged, per deployment", async () => {
    const temp = tempDbFile();
    const before = new Sqlite(temp.file);
    migrate(before, SQLITE_MIGRATIONS.filter((m) => m.version < 22));
    const insert = before.prepare(
      "INSERT INTO predictions (deployment, version, time, latency_ms, request_id, inputs, outputs) VALUES (?, '1', ?, 1, ?, '{}', '{}')",
    );
    for (let i = 0; i < 5; i += 1) insert.run(i < 3 ? "churn" : "fraud", 1000 + i, `r${i}`);
    expect(migrate(before)).toBe(LATEST_SCHEMA_VERSION);
    const store = new SqlitePredictionLogStore(before);
    expect(await store.countsByDeployment()).toEqual(new Map([["churn", 3], ["fraud", 2]]));
    await store.insertPredictions([record(9)]);
    expect(await store.trimDeploymentToRows("churn", 2)).toBe(2);
    expect(await store.countsByDeployment()).toEqual(new Map([["churn", 2], ["fraud", 2]]));
    before.close();
    temp.remove();
  });
});
