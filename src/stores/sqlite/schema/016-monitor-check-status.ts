import type { Migration } from "../migrations.js";

/**
 * Schema version 16 — monitoring: a check's status (pass, fail, insufficient_data, error) and the monitor.error
 * event.
 *
 * monitor_results.status: the status of the score (a check summary's: its check's); NULL for rows written before
 * this version, read as pass/fail from `passed`.
 *
 * monitor_alert_events is rebuilt (SQLite cannot change a CHECK): `kind` may be 'error' (a check that could not run:
 * monitor.error), `status` is the check status that raised the event, `features` the features it compared (JSON);
 * older rows get the status their kind implies and an empty feature list.
 *
 * monitor_alert_state is rebuilt: `since` may be NULL (a check that has only ever errored has no failing/passing
 * time), `features` holds what an open alert compared (JSON; a recovery needs a pass over those features; NULL for
 * states written before this version: any pass over at least one feature recovers), `error_since` when the check
 * started erroring (a monitor.error is raised once per spell, cleared by the next run that judged the data).
 */
export const MONITOR_CHECK_STATUS_MIGRATION: Migration = {
  version: 16,
  description: "monitoring: check status, monitor.error events, alert state features",
  sql: `
    ALTER TABLE monitor_results ADD COLUMN status TEXT CHECK (status IS NULL OR status IN ('pass', 'fail', 'insufficient_data', 'error'));

    CREATE TABLE monitor_alert_events_16 (
      event_key INTEGER PRIMARY KEY,
      monitor TEXT NOT NULL,
      time INTEGER NOT NULL,
      check_name TEXT NOT NULL,
      kind TEXT NOT NULL CHECK (kind IN ('alert', 'recovered', 'error')),
      status TEXT NOT NULL CHECK (status IN ('pass', 'fail', 'insufficient_data', 'error')),
      message TEXT NOT NULL,
      window_rows INTEGER NOT NULL,
      failing_since INTEGER,
      features TEXT NOT NULL,
      scores TEXT NOT NULL
    );
    INSERT INTO monitor_alert_events_16 (event_key, monitor, time, check_name, kind, status, message, window_rows, failing_since, features, scores)
      SELECT event_key, monitor, time, check_name, kind, CASE kind WHEN 'alert' THEN 'fail' ELSE 'pass' END, message, window_rows, failing_since, '[]', scores
      FROM monitor_alert_events;
    DROP TABLE monitor_alert_events;
    ALTER TABLE monitor_alert_events_16 RENAME TO monitor_alert_events;
    CREATE INDEX monitor_alert_events_monitor_time ON monitor_alert_events (monitor, time DESC, event_key DESC);

    CREATE TABLE monitor_alert_state_16 (
      monitor TEXT NOT NULL,
      check_name TEXT NOT NULL,
      failing INTEGER NOT NULL,
      since INTEGER,
      features TEXT,
      error_since INTEGER,
      PRIMARY KEY (monitor, check_name)
    ) WITHOUT ROWID;
    INSERT INTO monitor_alert_state_16 (monitor, check_name, failing, since) SELECT monitor, check_name, failing, since FROM monitor_alert_state;
    DROP TABLE monitor_alert_state;
    ALTER TABLE monitor_alert_state_16 RENAME TO monitor_alert_state;
  `,
};
