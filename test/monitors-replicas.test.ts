import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { noAudit } from "../src/audit/recorder.js";
import { systemContext } from "../src/core/actor.js";
import { monitorEngines } from "../src/monitoring/monitors/engines.js";
import { MonitorService } from "../src/monitoring/monitors/monitor-service.js";
import { leaseMsFor } from "../src/monitoring/monitors/run-lease.js";
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

type Replica = Replicas["stores"][number];

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

const watch = () =>
  parseMonitorSpec({ name: "watch", deployment: "loans", window: { last_rows: 100 }, schedule_seconds: 10, features: ["age"], min_rows: 1, checks: { quality: { metric: "accuracy", threshold: 0.5 } } });

/** A replica's scheduler on its stores, with a fake clock. */
const service = (stores: Replica, clock: () => number, options: { leaseMs?: number; onError?: (error: unknown, what: string) => void; published?: string[]; name?: string } = {}): MonitorService =>
  new MonitorService(stores.monitors, {
    deps: { predictions: stores.predictions, servedVersion: async () => "3", model: async () => ({}), ...monitorEngines() },
    audit: noAudit,
    events: { publish: async () => void options.published?.push(options.name ?? "") },
    clock,
    onError: options.onError ?? (() => undefined),
    ...(options.leaseMs !== undefined ? { leaseMs: options.leaseMs } : {}),
  });

/** The real store with some methods replaced (a slow read, a stuck connection); every other call goes to it. */
const delegate = <T extends object>(target: T, overrides: Partial<T>): T =>
  new Proxy(target, {
    get: (object, key) => {
      const own = (overrides as Record<string | symbol, unknown>)[key];
      if (own !== undefined) return own;
      const value = Reflect.get(object, key, object) as unknown;
      return typeof value === "function" ? (value as (...args: unknown[]) => unknown).bind(object) : value;
    },
  });

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

  it("retake a window whose claimer died (claimed, never recorded) once its lease expires, and evaluate it once", async () => {
    const replicas = await open();
    let now = 1_000_000;
    const services = replicas.stores.slice(0, 2).map((stores) => service(stores, () => now));
    try {
      const [first] = services as [MonitorService];
      await first.create(watch(), systemContext());
      // A third replica claims the first window and is SIGKILLed: it never records, never renews.
      const killed = replicas.stores[2]?.monitors as MonitorStore;
      expect(await killed.claimRun("watch", undefined, now, { holder: "killed-replica", until: now + leaseMsFor(10) })).toBe(true);
      expect(leaseMsFor(10)).toBe(5000);
      // While its lease holds, the live schedulers see the window due but cannot claim it.
      const ranAt = async (t: number): Promise<string[]> => {
        now = 1_000_000 + t;
        const ran = await Promise.all(services.map(async (s, i) => ((await s.runDue()).includes("watch") ? [`${i}@${t}`] : [])));
        return ran.flat();
      };
      for (const t of [0, 1000, 2500, 4999]) expect(await ranAt(t)).toEqual([]);
      expect(await first.history({ name: "watch", maxResults: 10 })).toEqual({ results: [] });
      // At its expiry one of them takes the window over and evaluates it; the next window is due a schedule later.
      expect(await ranAt(5000)).toHaveLength(1);
      expect(await killed.leaseOf("watch")).toBeUndefined();
      for (const t of [5001, 7500, 14_999]) expect(await ranAt(t)).toEqual([]);
      expect(await ranAt(15_000)).toHaveLength(1);
      const history = await first.history({ name: "watch", maxResults: 100 });
      expect(history.results.map((r) => (r.time - 1_000_000) / 1000)).toEqual([15, 5]);
      // The dead claimer's result, were it to arrive now, is fenced off: the window is recorded once.
      expect(await killed.recordRun({ monitor: "watch", time: 1_000_000, rows: 0, status: "pass", passed: true, checks: [] }, "killed-replica")).toBe(false);
      expect((await first.get("watch")).lastRunTime).toBe(1_015_000);
    } finally {
      for (const s of services) await s.stop();
      await replicas.close();
    }
  });

  it("keep a slow run's window by renewing its lease; a run that could not renew and was taken over records nothing", async () => {
    const replicas = await open();
    let now = 1_000_000;
    let openWindow: () => void = () => undefined;
    const windowRead = new Promise<void>((resolve) => (openWindow = resolve));
    let stalled = false;
    const [a, b] = replicas.stores as [Replica, Replica];
    // Replica A reads its window slowly (until the test opens it), and its renewals hang once `stalled` (its database
    // connection stuck): a stand-in for a process that stops renewing but is not dead.
    const slow: Replica = {
      monitors: delegate(a.monitors, { renewLease: async (...args) => (stalled ? windowRead.then(() => false) : a.monitors.renewLease(...args)) }),
      predictions: delegate(a.predictions, { searchPredictions: async (query) => windowRead.then(() => a.predictions.searchPredictions(query)) }),
    };
    const errors: string[] = [];
    const published: string[] = [];
    const first = service(slow, () => now, { leaseMs: 300, onError: (error, what) => errors.push(`${what}: ${(error as Error).message}`), published, name: "first" });
    const second = service(b, () => now, { leaseMs: 300, published, name: "second" });
    try {
      await first.create(watch(), systemContext());
      const running = first.runDue();
      while ((await b.monitors.leaseOf("watch")) === undefined) await sleep(10);
      const holder = (await b.monitors.leaseOf("watch"))?.holder;
      // The run outlasts its lease (300 ms) many times over: renewals every 100 ms keep the window A's.
      now += 60_000;
      const deadline = Date.now() + 10_000;
      while ((await b.monitors.leaseOf("watch"))?.until !== now + 300 && Date.now() < deadline) await sleep(20);
      expect(await b.monitors.leaseOf("watch")).toEqual({ holder, until: now + 300 });
      expect(await second.runDue()).toEqual([]);

      // A's renewals hang: once its lease has expired on the clock, B takes the window over and records it.
      // (A renewal already under way when the stall starts computed its expiry from the clock before it moves.)
      stalled = true;
      now += 1000;
      expect(await second.runDue()).toEqual(["watch"]);
      openWindow();
      // A's run then finishes: fenced, nothing recorded, no alert published, and said so.
      expect(await running).toEqual([]);
      expect(errors).toEqual(["monitor 'watch': its lease was taken over by another scheduler; the result is not recorded"]);
      const history = await first.history({ name: "watch", maxResults: 100 });
      expect([...new Set(history.results.map((r) => r.time))]).toEqual([now]);
      expect((await first.get("watch")).lastRunTime).toBe(now);
      expect(await b.monitors.leaseOf("watch")).toBeUndefined();
      expect(published.filter((who) => who === "first")).toEqual([]);
    } finally {
      openWindow();
      await first.stop();
      await second.stop();
      await replicas.close();
    }
  });
});
