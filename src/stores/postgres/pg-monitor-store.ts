import { alreadyExists } from "../../core/errors.js";
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
import { decodeKeysetToken, encodeKeysetToken } from "../sql/keyset-token.js";
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
import { pgErrorCode, type PgDatabase } from "./pg-database.js";

const MONITOR_COLUMNS = "name, spec, created_time, last_updated_time, last_run_time";
const RESULT_COLUMNS = "result_key, monitor, time, check_name, feature, method, statistic, threshold, passed, status, observed_value, message";
const EVENT_COLUMNS = "event_key, monitor, time, check_name, kind, status, message, window_rows, failing_since, features, scores";

/** Monitors on PostgreSQL. Schedulers in several replicas agree on who runs a window through claimRun's lease. */
export class PgMonitorStore implements MonitorStore {
  constructor(private readonly db: PgDatabase) {}

  async create(monitor: Monitor): Promise<void> {
    try {
      await this.db.execute(
        "INSERT INTO monitors (name, deployment, spec, created_time, last_updated_time, last_run_time) VALUES ($1, $2, $3, $4, $5, $6)",
        [monitor.name, monitor.deployment, JSON.stringify(specOf(monitor)), monitor.createdTime, monitor.lastUpdatedTime, monitor.lastRunTime ?? null],
      );
    } catch (error) {
      if (pgErrorCode(error) === "23505") throw alreadyExists(`Monitor '${monitor.name}' already exists.`);
      throw error;
    }
  }

  async get(name: string): Promise<Monitor | undefined> {
    const row = await this.db.one<MonitorRow>(`SELECT ${MONITOR_COLUMNS} FROM monitors WHERE name = $1`, [name]);
    return row === undefined ? undefined : toMonitor(row);
  }

  async list(): Promise<Monitor[]> {
    return (await this.db.query<MonitorRow>(`SELECT ${MONITOR_COLUMNS} FROM monitors ORDER BY name`)).map(toMonitor);
  }

  async delete(name: string): Promise<boolean> {
    return this.db.transaction(async () => {
      const deleted = (await this.db.execute("DELETE FROM monitors WHERE name = $1", [name])) > 0;
      await this.db.execute("DELETE FROM monitor_results WHERE monitor = $1", [name]);
      await this.db.execute("DELETE FROM monitor_alert_state WHERE monitor = $1", [name]);
      await this.db.execute("DELETE FROM monitor_alert_events WHERE monitor = $1", [name]);
      return deleted;
    });
  }

  async claimRun(name: string, lastRunTime: number | undefined, now: number, lease: MonitorLease): Promise<boolean> {
    // A compare-and-set: concurrent UPDATEs of the row queue on its lock, and each re-checks the condition on the
    // committed row (READ COMMITTED), so of the schedulers that saw the same last run exactly one takes the lease;
    // an expired lease (its holder presumed dead) is taken over the same way.
    const changed = await this.db.execute(
      `UPDATE monitors SET claimed_by = $1, claimed_until = $2
       WHERE name = $3 AND last_run_time IS NOT DISTINCT FROM $4 AND (claimed_until IS NULL OR claimed_until <= $5)`,
      [lease.holder, lease.until, name, lastRunTime ?? null, now],
    );
    return changed > 0;
  }

  async renewLease(name: string, holder: string, until: number): Promise<boolean> {
    return (await this.db.execute("UPDATE monitors SET claimed_until = $1 WHERE name = $2 AND claimed_by = $3", [until, name, holder])) > 0;
  }

  async leaseOf(name: string): Promise<MonitorLease | undefined> {
    const row = await this.db.one<LeaseRow>("SELECT claimed_by, claimed_until FROM monitors WHERE name = $1", [name]);
    return row === undefined ? undefined : toLease(row);
  }

  async recordRun(run: MonitorRun, holder?: string): Promise<boolean> {
    const scores = run.checks.flatMap((outcome) => outcome.scores);
    return this.db.transaction(async () => {
      // The fence first, and it locks the row until commit: a scheduled run whose lease is no longer its own (taken
      // over after it expired, or the monitor deleted) stores nothing, and no claim can slip in before the results.
      const moved =
        holder === undefined
          ? await this.db.execute("UPDATE monitors SET last_run_time = $1 WHERE name = $2", [run.time, run.monitor])
          : await this.db.execute("UPDATE monitors SET last_run_time = $1, claimed_by = NULL, claimed_until = NULL WHERE name = $2 AND claimed_by = $3", [
              run.time,
              run.monitor,
              holder,
            ]);
      if (holder !== undefined && moved === 0) return false;
      if (scores.length > 0) {
        // One statement, rows in score order (result_key ascending as SQLite's one-by-one inserts give).
        await this.db.execute(
          `INSERT INTO monitor_results (monitor, time, check_name, feature, method, statistic, threshold, passed, status, observed_value, message)
           SELECT $1, $2, check_name, feature, method, statistic, threshold, passed, status, observed_value, message
           FROM unnest($3::text[], $4::text[], $5::text[], $6::float8[], $7::float8[], $8::bigint[], $9::text[], $10::text[], $11::text[])
             WITH ORDINALITY AS s(check_name, feature, method, statistic, threshold, passed, status, observed_value, message, n)
           ORDER BY n`,
          [
            run.monitor,
            run.time,
            scores.map((s) => s.check),
            scores.map((s) => s.feature),
            scores.map((s) => s.method),
            scores.map((s) => (s.statistic !== null && Number.isFinite(s.statistic) ? s.statistic : null)),
            scores.map((s) => s.threshold),
            scores.map((s) => (s.passed ? 1 : 0)),
            scores.map((s) => s.status),
            scores.map((s) => s.observedValue ?? null),
            scores.map((s) => s.message ?? null),
          ],
        );
      }
      return true;
    });
  }

  async history(query: MonitorHistoryQuery): Promise<MonitorHistoryPage> {
    const where = ["monitor = $1"];
    const values: Array<string | number> = [query.monitor];
    if (query.feature !== undefined) {
      values.push(query.feature);
      where.push(`feature = $${values.length}`);
    }
    if (query.check !== undefined) {
      values.push(query.check);
      where.push(`check_name = $${values.length}`);
    }
    const page = await this.newestFirst<ResultRow>({
      table: "monitor_results",
      columns: RESULT_COLUMNS,
      key: "result_key",
      where,
      values,
      ...query,
      endpoint: "monitors/history",
    });
    return { results: page.rows.map(toResult), ...(page.nextPageToken ? { nextPageToken: page.nextPageToken } : {}) };
  }

  /** One page of a monitor's rows, newest first, keyset-paged on (time, key). */
  private async newestFirst<Row extends { time: number }>(page: {
    table: string;
    columns: string;
    key: string;
    where: string[];
    values: Array<string | number>;
    maxResults: number;
    pageToken?: string;
    endpoint: string;
  }): Promise<{ rows: Row[]; nextPageToken?: string }> {
    const where = [...page.where];
    const values = [...page.values];
    if (page.pageToken !== undefined) {
      const [afterTime, afterKey] = decodeKeysetToken(page.pageToken, 2, page.endpoint);
      values.push(afterTime ?? 0, afterKey ?? 0);
      where.push(`(time, ${page.key}) < ($${values.length - 1}, $${values.length})`);
    }
    values.push(page.maxResults + 1);
    const rows = await this.db.query<Row>(
      `SELECT ${page.columns} FROM ${page.table} WHERE ${where.join(" AND ")} ORDER BY time DESC, ${page.key} DESC LIMIT $${values.length}`,
      values,
    );
    const served = rows.slice(0, page.maxResults);
    const last = served[served.length - 1] as (Row & Record<string, unknown>) | undefined;
    return {
      rows: served,
      ...(rows.length > page.maxResults && last !== undefined ? { nextPageToken: encodeKeysetToken([last.time, last[page.key] as number]) } : {}),
    };
  }

  async alertStates(monitor: string): Promise<AlertState[]> {
    const rows = await this.db.query<AlertStateRow>(
      "SELECT check_name, failing, since, features, error_since FROM monitor_alert_state WHERE monitor = $1 ORDER BY check_name",
      [monitor],
    );
    return rows.map(toAlertState);
  }

  async recordAlert(event: MonitorAlertEvent): Promise<void> {
    const features = JSON.stringify(event.features);
    await this.db.transaction(async () => {
      if (event.kind === "error") {
        await this.db.execute(
          `INSERT INTO monitor_alert_state (monitor, check_name, failing, since, features, error_since) VALUES ($1, $2, 0, NULL, NULL, $3)
           ON CONFLICT (monitor, check_name) DO UPDATE SET error_since = excluded.error_since`,
          [event.monitor, event.check, event.time],
        );
      } else {
        const alert = event.kind === "alert";
        await this.db.execute(
          `INSERT INTO monitor_alert_state (monitor, check_name, failing, since, features, error_since) VALUES ($1, $2, $3, $4, $5, NULL)
           ON CONFLICT (monitor, check_name) DO UPDATE SET failing = excluded.failing, since = excluded.since, features = excluded.features, error_since = NULL`,
          [event.monitor, event.check, alert ? 1 : 0, event.time, alert ? features : null],
        );
      }
      await this.db.execute(
        `INSERT INTO monitor_alert_events (monitor, time, check_name, kind, status, message, window_rows, failing_since, features, scores)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
        [
          event.monitor,
          event.time,
          event.check,
          event.kind,
          event.status,
          event.message,
          event.windowRows,
          event.failingSince ?? null,
          features,
          JSON.stringify(storableScores(event)),
        ],
      );
    });
  }

  async clearAlertError(monitor: string, check: CheckName): Promise<void> {
    await this.db.execute("UPDATE monitor_alert_state SET error_since = NULL WHERE monitor = $1 AND check_name = $2", [monitor, check]);
  }

  async alertEvents(query: AlertEventsQuery): Promise<AlertEventsPage> {
    const page = await this.newestFirst<AlertEventRow>({
      table: "monitor_alert_events",
      columns: EVENT_COLUMNS,
      key: "event_key",
      where: ["monitor = $1"],
      values: [query.monitor],
      ...query,
      endpoint: "monitors/alerts",
    });
    return { events: page.rows.map(toAlertEvent), ...(page.nextPageToken ? { nextPageToken: page.nextPageToken } : {}) };
  }
}
