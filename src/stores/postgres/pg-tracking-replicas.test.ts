import { afterEach, describe, expect, it } from "vitest";
import { rejection } from "../../core/test-support/rejection.js";
import type { Metric } from "../../protocol/mlflow/entities.js";
import { parsePostgresUri } from "./connection-uri.js";
import { ensurePostgresSchema } from "./migrations.js";
import { PgDatabase } from "./pg-database.js";
import { PgTrackingStore } from "./pg-tracking-store.js";
import { createTempPgDatabase, type TempPgDatabase } from "./test-support/temp-database.js";
import { openPgTrackingStores } from "./tracking-stores.js";

/**
 * Several server processes on one database: each "replica" here has its own pool (its own connections), as separate
 * processes would. What SQLite's single writer guaranteed must hold across them.
 */
describe("PostgreSQL tracking stores shared by several replicas", () => {
  let temp: TempPgDatabase;
  const pools: PgDatabase[] = [];

  const replica = (): PgDatabase => {
    const db = new PgDatabase(parsePostgresUri(temp.uri), { maxConnections: 4 });
    pools.push(db);
    return db;
  };

  afterEach(async () => {
    await Promise.all(pools.splice(0).map((db) => db.close()));
    await temp.drop();
  });

  const setUp = async (): Promise<{ stores: PgTrackingStore[]; experimentId: string }> => {
    temp = await createTempPgDatabase("cairn_replicas");
    const dbs = [replica(), replica(), replica()];
    await Promise.all(dbs.map((db) => ensurePostgresSchema(db)));
    const stores = dbs.map((db) => new PgTrackingStore(db));
    const first = stores[0] as PgTrackingStore;
    await first.ensureDefaultExperiment("mlflow-artifacts:/0", 1);
    const experimentId = await first.createExperiment({ name: "shared", defaultArtifactLocation: (id) => `a/${id}`, tags: [], now: 1 });
    await first.createRun({ runId: "r".repeat(32), experimentId, userId: "u", runName: "r", status: "RUNNING", startTime: 1, artifactUri: "a", tags: [] });
    return { stores, experimentId };
  };

  it("creates the Default experiment once when replicas start together on an empty database", async () => {
    temp = await createTempPgDatabase("cairn_replicas");
    const dbs = [replica(), replica(), replica()];
    await Promise.all(dbs.map((db) => ensurePostgresSchema(db)));
    await Promise.all(dbs.map((db, index) => openPgTrackingStores(db, { now: () => 100 + index })));
    const rows = await (dbs[0] as PgDatabase).query("SELECT experiment_id, name FROM experiments");
    expect(rows).toEqual([{ experiment_id: 0, name: "Default" }]);
  });

  it("keeps the latest metric of concurrent batches from several replicas (no lost update), and every row once", async () => {
    const { stores } = await setUp();
    const runId = "r".repeat(32);
    const metric = (step: number, value: number): Metric => ({ key: "loss", value, step, timestamp: 1000 + step });
    // 60 batches, each replica logging interleaved steps; the highest step (59) comes from whichever replica.
    await Promise.all(
      Array.from({ length: 60 }, (_, step) =>
        (stores[step % 3] as PgTrackingStore).logBatch(runId, { metrics: [metric(step, step / 10), metric(step, step / 10)], params: [], tags: [] }),
      ),
    );
    const run = await (stores[1] as PgTrackingStore).getRun(runId);
    expect(run?.data.metrics).toEqual([metric(59, 5.9)]);
    const history = await (stores[2] as PgTrackingStore).getMetricHistory(runId, "loss", { maxResults: 1000 });
    expect(history.items).toHaveLength(60);
  });

  it("lets exactly one of two conflicting param values win, and stores nothing of the losing batch", async () => {
    const { stores } = await setUp();
    const runId = "r".repeat(32);
    const results = await Promise.allSettled(
      ["0.1", "0.2"].map((value, index) =>
        (stores[index] as PgTrackingStore).logBatch(runId, {
          metrics: [{ key: `m${value}`, value: 1, step: 0, timestamp: 1 }],
          params: [{ key: "lr", value }],
          tags: [],
        }),
      ),
    );
    expect(results.filter((result) => result.status === "fulfilled")).toHaveLength(1);
    const rejected = results.find((result) => result.status === "rejected") as PromiseRejectedResult;
    expect((rejected.reason as { code?: string }).code).toBe("INVALID_PARAMETER_VALUE");
    const run = await (stores[2] as PgTrackingStore).getRun(runId);
    const winner = run?.data.params[0]?.value;
    expect(run?.data.params).toHaveLength(1);
    expect(run?.data.metrics.map((metric) => metric.key)).toEqual([`m${winner}`]);
  });

  it("answers RESOURCE_ALREADY_EXISTS to all but one of replicas creating the same experiment name", async () => {
    const { stores } = await setUp();
    const results = await Promise.allSettled(
      stores.map((store) => store.createExperiment({ name: "race", defaultArtifactLocation: (id) => `a/${id}`, tags: [], now: 1 })),
    );
    expect(results.filter((result) => result.status === "fulfilled")).toHaveLength(1);
    for (const result of results) {
      if (result.status === "rejected") {
        expect(result.reason).toMatchObject({ code: "RESOURCE_ALREADY_EXISTS" });
      }
    }
    const error = await rejection((stores[0] as PgTrackingStore).renameExperiment("0", "race", 2));
    expect(error).toMatchObject({ code: "RESOURCE_ALREADY_EXISTS", message: "Experiment(name=race) already exists. Error: UNIQUE constraint failed: experiments.name" });
  });
});
