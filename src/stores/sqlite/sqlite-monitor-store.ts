import type { Database } from "better-sqlite3";
import { decodeKeysetToken, encodeKeysetToken } from "../sql/keyset-token.js";
import type { CheckName, Monitor, MonitorAlertEvent, MonitorRun } from "../../monitoring/monitors/monitor.js";
import type {
  AlertEventsPage,
  AlertEventsQuery,
  AlertState,
  MonitorHistoryPage,
  MonitorHistoryQuery,
  MonitorLease,
  MonitorStore,
} from "../../monitoring/monitors/store.js";
import {
  specOf,
  storableScores,
  toAlertEvent,
  toAlertState,
  toLease,
  toMonitor,
  toResult,
  type AlertEventRow,
  type AlertStateRow,
  type LeaseRow,
  type MonitorRow,
  type ResultRow,
} from "../sql/monitor-rows.js";
import { SqliteConnection } from "./statement-cache.js";

/** Monitors on the process's shared better-sqlite3 connection (close() belongs to whoever opened it). */
export class SqliteMonitorStore implements MonitorStore {
  private readonly conn: SqliteConnection;

  constructor(db: Database) {
    this.conn = new SqliteConnection(db);
  }

  async create(monitor: Monitor): Promise<void> {
    this.conn
      .stmt("INSERT INTO monitors (name, deployment, spec, created_time, last_updated_time, last_run_time) VALUES (?, ?, ?, ?, ?, ?)")
      .run(monitor.name, monitor.deployment, JSON.stringify(specOf(monitor)), monitor.createdTime, monitor.lastUpdatedTime, monitor.lastRunTime ?? null);
  }

  async get(name: string): Promise<Monitor | undefined> {
    const row = this.conn.stmt("SELECT name, spec, created_time, last_updated_time, last_run_time FROM monitors WHERE name = ?").get(name) as
      | MonitorRow
      | undefined;
    return row === undefined ? undefined : toMonitor(row);
  }

  async list(): Promise<Monitor[]> {
    const rows = this.conn.stmt("SELECT name, spec, created_time, last_updated_time, last_run_time FROM monitors ORDER BY name").all() as MonitorRow[];
    return rows.map(toMonitor);
  }

  async delete(name: string): Promise<boolean> {
    return this.conn.write(() => {
      const deleted = this.conn.stmt("DELETE FROM monitors WHERE name = ?").run(name).changes > 0;
      this.conn.stmt("DELETE FROM monitor_results WHERE monitor = ?").run(name);
      this.conn.stmt("DELETE FROM monitor_alert_state WHERE monitor = ?").run(name);
      this.conn.stmt("DELETE FROM monitor_alert_events WHERE monitor = ?").run(name);
      return deleted;
    });
  }

  async recordRun(run: MonitorRun, holder?: string): Promise<boolean> {
    const insert = this.conn.stmt(
      `INSERT INTO monitor_results (monitor, time, check_name, feature, method, statistic, threshold, passed, status, observed_value, message)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    return this.conn.write(() => {
      // The fence first: a scheduled run whose lease is no longer its own (taken over after it expired, or the
      // monitor deleted) stores nothing. BEGIN IMMEDIATE holds the write lock, so no claim comes in between.
      const moved =
        holder === undefined
          ? this.conn.stmt("UPDATE monitors SET last_run_time = ? WHERE name = ?").run(run.time, run.monitor).changes > 0
          : this.conn
              .stmt("UPDATE monitors SET last_run_time = ?, claimed_by = NULL, claimed_until = NULL WHERE name = ? AND claimed_by = ?")
              .run(run.time, run.monitor, holder).changes > 0;
      if (holder !== undefined && !moved) return false;
      for (const outcome of run.checks) {
        for (const s of outcome.scores) {
          const statistic = s.statistic !== null && Number.isFinite(s.statistic) ? s.statistic : null;
          insert.run(run.monitor, run.time, s.check, s.feature, s.method, statistic, s.threshold, s.passed ? 1 : 0, s.status, s.observedValue ?? null, s.message ?? null);
        }
      }
      return true;
    });
  }

  async claimRun(name: string, lastRunTime: number | undefined, now: number, lease: MonitorLease): Promise<boolean> {
    // One UPDATE (SQLite serialises writers, across processes too): the window is still the one the scheduler read
    // as due (last_run_time unchanged) and no live lease holds it; an expired lease's holder is presumed dead.
    return (
      this.conn
        .stmt(
          `UPDATE monitors SET claimed_by = ?, claimed_until = ?
           WHERE name = ? AND last_run_time IS ? AND (claimed_until IS NULL OR claimed_until <= ?)`,
        )
        .run(lease.holder, lease.until, name, lastRunTime ?? null, now).changes > 0
    );
  }

  async renewLease(name: string, holder: string, until: number): Promise<boolean> {
    return this.conn.stmt("UPDATE monitors SET claimed_until = ? WHERE name = ? AND claimed_by = ?").run(until, name, holder).changes > 0;
  }

  async leaseOf(name: string): Promise<MonitorLease | undefined> {
    const row = this.conn.stmt("SELECT claimed_by, claimed_until FROM monitors WHERE name = ?").get(name) as LeaseRow | undefined;
    return row === undefined ? undefined : toLease(row);
  }

  async history(query: MonitorHistoryQuery): Promise<MonitorHistoryPage> {
    const where = ["monitor = ?"];
    const values: Array<string | number> = [query.monitor];
    if (query.feature !== undefined) {
      where.push("feature = ?");
      values.push(query.feature);
    }
    if (query.check !== undefined) {
      where.push("check_name = ?");
      values.push(query.check);
    }
    const page = this.newestFirst<ResultRow>({ table: "monitor_results", key: "result_key", where, values, ...query, endpoint: "monitors/history" });
    return { results: page.rows.map(toResult), ...(page.nextPageToken ? { nextPageToken: page.nextPageToken } : {}) };
  }

  /**
   * One page of a monitor's rows, newest first, keyset-paged on (time, key) so that rows written meanwhile neither
   * repeat nor go missing between pages.
   */
  private newestFirst<Row extends { time: number }>(page: {
    table: string;
    key: string;
    where: string[];
    values: Array<string | number>;
    maxResults: number;
    pageToken?: string;
    endpoint: string;
  }): { rows: Row[]; nextPageToken?: string } {
    const where = [...page.where];
    const values = [...page.values];
    if (page.pageToken !== undefined) {
      const [afterTime, afterKey] = decodeKeysetToken(page.pageToken, 2, page.endpoint);
      where.push(`(time < ? OR (time = ? AND ${page.key} < ?))`);
      values.push(afterTime ?? 0, afterTime ?? 0, afterKey ?? 0);
    }
    const rows = this.conn
      .stmt(`SELECT * FROM ${page.table} WHERE ${where.join(" AND ")} ORDER BY time DESC, ${page.key} DESC LIMIT ?`)
      .all(...values, page.maxResults + 1) as Row[];
    const served = rows.slice(0, page.maxResults);
    const last = served[served.length - 1] as (Row & Record<string, unknown>) | undefined;
    return {
      rows: served,
      ...(rows.length > page.maxResults && last !== undefined ? { nextPageToken: encodeKeysetToken([last.time, last[page.key] as number]) } : {}),
    };
  }

  async alertStates(monitor: string): Promise<AlertState[]> {
    const rows = this.conn
      .stmt("SELECT check_name, failing, since, features, error_since FROM monitor_alert_state WHERE monitor = ? ORDER BY check_name")
      .all(monitor) as AlertStateRow[];
    return rows.map(toAlertState);
  }

  async recordAlert(event: MonitorAlertEvent): Promise<void> {
    const scores = storableScores(event);
    const features = JSON.stringify(event.features);
    this.conn.write(() => {
      if (event.kind === "error") {
        this.conn
          .stmt(
            `INSERT INTO monitor_alert_state (monitor, check_name, failing, since, features, error_since) VALUES (?, ?, 0, NULL, NULL, ?)
             ON CONFLICT (monitor, check_name) DO UPDATE SET error_since = excluded.error_since`,
          )
          .run(event.monitor, event.check, event.time);
      } else {
        const alert = event.kind === "alert";
        this.conn
          .stmt(
            `INSERT INTO monitor_alert_state (monitor, check_name, failing, since, features, error_since) VALUES (?, ?, ?, ?, ?, NULL)
             ON CONFLICT (monitor, check_name) DO UPDATE SET failing = excluded.failing, since = excluded.since, features = excluded.features, error_since = NULL`,
          )
          .run(event.monitor, event.check, alert ? 1 : 0, event.time, alert ? features : null);
      }
      this.conn
        .stmt(
          `INSERT INTO monitor_alert_events (monitor, time, check_name, kind, status, message, window_rows, failing_since, features, scores)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(event.monitor, event.time, event.check, event.kind, event.status, event.message, event.windowRows, event.failingSince ?? null, features, JSON.stringify(scores));
    });
  }

  async clearAlertError(monitor: string, check: CheckName): Promise<void> {
    this.conn.stmt("UPDATE monitor_alert_state SET error_since = NULL WHERE monitor = ? AND check_name = ?").run(monitor, check);
  }

  async alertEvents(query: AlertEventsQuery): Promise<AlertEventsPage> {
    const page = this.newestFirst<AlertEventRow>({
      table: "monitor_alert_events",
      key: "event_key",
      where: ["monitor = ?"],
      values: [query.monitor],
      ...query,
      endpoint: "monitors/alerts",
    });
    return { events: page.rows.map(toAlertEvent), ...(page.nextPageToken ? { nextPageToken: page.nextPageToken } : {}) };
  }
}
