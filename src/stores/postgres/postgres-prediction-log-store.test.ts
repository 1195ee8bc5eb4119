import { describe, expect, it } from "vitest";
import { describePredictionLogStoreContract, predictionRecord as record } from "../../serving/prediction-log/store.contract.js";
import { PgPredictionLogStore } from "./pg-prediction-log-store.js";
import { openOperationsTestDatabase } from "./test-support/operations-database.js";

describePredictionLogStoreContract("postgresql", async () => {
  const database = await openOperationsTestDatabase();
  return { store: new PgPredictionLogStore(database.db), cleanup: () => database.cleanup() };
});

describe("PgPredictionLogStore with several replicas on one database", () => {
  it("combines what every replica logs (keys and counts from the database) and trims once however many trim at once", async () => {
    const database = await openOperationsTestDatabase();
    try {
      const replicas = [database.db, database.connect(), database.connect()].map((db) => new PgPredictionLogStore(db));
      // 3 replicas x 20 batches of 10 rows, two deployments, all at once.
      await Promise.all(
        replicas.map((store, r) =>
          Promise.all(
            Array.from({ length: 20 }, (_, b) =>
              store.insertPredictions(
                Array.from({ length: 10 }, (_, i) =>
                  record(r * 1000 + b * 10 + i, { requestId: `r${r}-${b}-${i}`, deployment: i % 2 === 0 ? "churn" : "fraud" }),
                ),
              ),
            ),
          ),
        ),
      );
      const [first, second, third] = replicas as [PgPredictionLogStore, PgPredictionLogStore, PgPredictionLogStore];
      expect(await first.countsByDeployment()).toEqual(new Map([["churn", 300], ["fraud", 300]]));
      const logged = await second.searchPredictions({ maxResults: 1000 });
      expect(logged.predictions).toHaveLength(600);
      expect(new Set(logged.predictions.map((p) => p.requestId)).size).toBe(600);

      // Every replica's retention loop trims at the same moment: the bound is applied once, not three times.
      const trimmed = await Promise.all(replicas.map((store) => store.trimDeploymentToRows("churn", 100)));
      expect(trimmed.reduce((sum, n) => sum + n, 0)).toBe(200);
      const aged = await Promise.all(replicas.map((store) => store.deleteDeploymentOlderThan("fraud", 1000 + 1000)));
      expect(aged.reduce((sum, n) => sum + n, 0)).toBe(100);
      expect(await third.countsByDeployment()).toEqual(new Map([["churn", 100], ["fraud", 200]]));
      expect((await third.searchPredictions({ deployment: "churn", maxResults: 1000 })).predictions).toHaveLength(100);
    } finally {
      await database.cleanup();
    }
  });
});
