import type { Migration } from "../migrations.js";

/**
 * Schema version 10 — monitoring: the alerts and recoveries of monitors, and the detail of data-test results.
 *
 * monitor_alert_events: one row per alert or recovery, written in the transaction that changes the check's
 * monitor_alert_state, so monitors/alerts lists exactly what was published. Read per monitor newest first (the
 * index). `scores` is the event's scores as JSON (the check's summary first, then an alert's failing features).
 *
 * monitor_results.observed_value / message: for data-test rows, the expectation's observed value as JSON text and
 * its message ("" when it passed); NULL for every other score and for rows written before this version.
 */
export const MONITOR_ALERT_EVENTS_MIGRATION: Migration = {
  version: 10,
  description: "monitoring: alert events, observed value and message of data-test results",
  sql: `
    CREATE TABLE monitor_alert_events (
      event_key INTEGER PRIMARY KEY,
      monitor TEXT NOT NULL,
      time INTEGER NOT NULL,
      check_name TEXT NOT NULL,
      kind TEXT NOT NULL CHECK (kind IN ('alert', 'recovered')),
      message TEXT NOT NULL,
      window_rows INTEGER NOT NULL,
      failing_since INTEGER,
      scores TEXT NOT NULL
    );
    CREATE INDEX monitor_alert_events_monitor_time ON monitor_alert_events (monitor, time DESC, event_key DESC);

    ALTER TABLE monitor_results ADD COLUMN observed_value TEXT;
    ALTER TABLE monitor_results ADD COLUMN message TEXT;
  `,
};
