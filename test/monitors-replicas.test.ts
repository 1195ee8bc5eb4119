import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { noAudit } from "../src/audit/recorder.js";
import { systemContext } from "../src/core/actor.js";
import { monitorEngines } from "../src/monitoring/monitors/engines.js";
import { MonitorService } from "../src/monitoring/monitors/monitor-service.js";
import { parseMonitorSpec } from "../src/monitoring/monitors/monitor-spec.js";
import type { MonitorStore } from "../src/monitoring/monitors/store.js";
import type { PredictionLogStore } from "../src/serving/prediction-log/store.js";
import { PgMonitorStore } from "../src/stores/postgres/pg-monitor-store.js";
import { PgPredictionLogStore } from "../src/stores/postgres/pg-prediction-log-store.js";
import { openOperationsTestDatabase } from "../src/stores/postgres/test-support/operations-database.js";
import { openDatabase } from "../src/stores/sqlite/open-database.js";
import { SqliteMonitorStore } from "../src/stores/sqlite/sqlite-monitor-store.js";
import { SqlitePredictionLogStore } from "../src/stores/sqlite/sqlite-prediction-log-store.js";

/** Three replicas' stores on one database: each replica has its own connection (pool), as separate processes would. */
interface Replicas {
  stores: Array<{ monitors: MonitorStore; predictions: PredictionLogStore }>;
  close(): Promise<void>;
}

const onSqlite = async (): Promise<Replicas> => {
  const dir = mkdtempSync(join(tmpdir(), "cairn-monitor-replicas-"));
  const dbs = [0, 1, 2].map(() => openDatabase(join(dir, "cairn.db")));
  return {
    stores: dbs.map((db) => ({ monitors: new SqliteMonitorStore(db), predictions: new SqlitePredictionLogStore(db) })),
    close: async () => {
      for (const db of dbs) db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
};

const onPostgres = async (): Promise<Replicas> => {
  const database = await openOperationsTestDatabase();
  const pools = [database.db, database.connect(), database.connect()];
  return {
    stores: pools.map((db) => ({ monitors: new PgMonitorStore(db), predictions: new PgPredictionLogStore(db) })),
    close: () => database.cleanup(),
  };
};

describe.each([
  ["sqlite", onSqlite],
  ["postgresql", onPostgres],
])("monitor schedulers of three replicas on one %s database", (_backend, open) => {
  it("evaluate each window once, whichever replica claims it", async () => {
    const replicas = await open();
    let now = 1_000_000;
    const services = replicas.stores.map(
      (stores) =>
        new MonitorService(stores.monitors, {
          deps: { predictions: stores.predictions, servedVersion: async () => "3", model: async () => ({}), ...monitorEngines() },
          audit: noAudit,
          events: { publish: async () => undefined },
          clock: () => now,
          onError: () => undefined,
        }),
    );
    try {
      const [first] = services as [MonitorService];
      await first.create(
        parseMonitorSpec({ name: "watch", deployment: "loans", window: { last_rows: 100 }, schedule_seconds: 10, features: ["age"], min_rows: 1, checks: { quality: { metric: "accuracy", threshold: 0.5 } } }),
        systemContext(),
      );
      // Every replica's scheduler ticks at the same moments (every 2.5 s of fake time, for 60 s), all at once.
      const perTick: string[][] = [];
      for (let t = 0; t <= 60_000; t += 2500) {
        now = 1_000_000 + t;
        const ran = await Promise.all(services.map(async (service, i) => ((await service.runDue()).includes("watch") ? [`${i}@${t / 1000}`] : [])));
        perTick.push(ran.flat());
      }
      // Due at 0, 10, 20 ... 60 s: seven windows, each run by exactly one replica, no tick running it twice.
      const runs = perTick.flat();
      expect(runs).toHaveLength(7);
      expect(runs.map((run) => Number(run.split("@")[1]))).toEqual([0, 10, 20, 30, 40, 50, 60]);
      expect(perTick.every((tick) => tick.length <= 1)).toBe(true);
      const history = await first.history({ name: "watch", maxResults: 100 });
      expect(history.results.map((r) => (r.time - 1_000_000) / 1000)).toEqual([60, 50, 40, 30, 20, 10, 0]);
    } finally {
      for (const service of services) await service.stop();
      await replicas.close();
    }
  });
});
