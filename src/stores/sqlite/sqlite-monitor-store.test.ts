import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import BetterSqlite3 from "better-sqlite3";
import { describeMonitorStoreContract } from "../../monitoring/monitors/store.contract.js";
import { migrate, SQLITE_MIGRATIONS } from "./migrations.js";
import { openDatabase } from "./open-database.js";
import { SqliteMonitorStore } from "./sqlite-monitor-store.js";

describeMonitorStoreContract("sqlite", async () => {
  const dir = mkdtempSync(join(tmpdir(), "cairn-monitor-store-"));
  const file = join(dir, "cairn.db");
  const db = openDatabase(file);
  return {
    store: new SqliteMonitorStore(db),
    another: async () => {
      const other = openDatabase(file);
      return { store: new SqliteMonitorStore(other), close: async () => void other.close() };
    },
    cleanup: async () => {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});

describe("SqliteMonitorStore", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "cairn-monitor-store-"));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it("migrates alert events and states written before schema 16: status from the kind, no features, failing kept", async () => {
    const path = join(dir, "old.db");
    const old = new BetterSqlite3(path);
    migrate(old, SQLITE_MIGRATIONS.filter((m) => m.version < 16));
    old.prepare("INSERT INTO monitor_alert_state (monitor, check_name, failing, since) VALUES ('m', 'drift', 1, 5)").run();
    old.prepare("INSERT INTO monitor_alert_events (monitor, time, check_name, kind, message, window_rows, failing_since, scores) VALUES ('m', 5, 'drift', 'alert', 'drifted', 10, NULL, '[]')").run();
    old.prepare("INSERT INTO monitor_alert_events (monitor, time, check_name, kind, message, window_rows, failing_since, scores) VALUES ('m', 4, 'drift', 'recovered', 'ok', 10, 3, '[]')").run();
    old.prepare("INSERT INTO monitor_results (monitor, time, check_name, feature, method, statistic, threshold, passed) VALUES ('m', 5, 'drift', '', 'share_drifted', 1, 0.5, 0)").run();
    migrate(old);
    const migrated = new SqliteMonitorStore(old);
    expect(await migrated.alertStates("m")).toEqual([{ check: "drift", failing: true, since: 5 }]);
    expect((await migrated.alertEvents({ monitor: "m", maxResults: 10 })).events.map((e) => [e.kind, e.status, e.features])).toEqual([
      ["alert", "fail", []],
      ["recovered", "pass", []],
    ]);
    expect((await migrated.history({ monitor: "m", maxResults: 10 })).results.map((r) => [r.passed, r.status])).toEqual([[false, "fail"]]);
    old.close();
  });
});
