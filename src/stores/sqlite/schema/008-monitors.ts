import type { Migration } from "../migrations.js";

/**
 * Schema version 8 — monitoring: monitors of live traffic, their results over time and their alert states.
 *
 * monitors: the definition as JSON (window and checks change shape with features; the name and deployment are
 * columns because lookups and lists use them). monitor_results: one row per run, check and feature; history reads
 * one monitor (optionally one feature) newest first, so the index leads with (monitor, feature, time).
 * monitor_alert_state: per monitor and check, failing or not since when: an alert is published on the change to
 * failing and a recovery on the change back, never again while the state holds (even across restarts).
 */
export const MONITORS_MIGRATION: Migration = {
  version: 8,
  description: "monitoring: monitors, results, alert states",
  sql: `
    CREATE TABLE monitors (
      name TEXT PRIMARY KEY,
      deployment TEXT NOT NULL,
      spec TEXT NOT NULL,
      created_time INTEGER NOT NULL,
      last_updated_time INTEGER NOT NULL,
      last_run_time INTEGER
    );
    CREATE INDEX monitors_deployment ON monitors (deployment);

    CREATE TABLE monitor_results (
      result_key INTEGER PRIMARY KEY,
      monitor TEXT NOT NULL,
      time INTEGER NOT NULL,
      check_name TEXT NOT NULL,
      feature TEXT NOT NULL,
      method TEXT NOT NULL,
      statistic REAL,
      threshold REAL,
      passed INTEGER NOT NULL
    );
    CREATE INDEX monitor_results_monitor_time ON monitor_results (monitor, time DESC, result_key DESC);
    CREATE INDEX monitor_results_monitor_feature_time ON monitor_results (monitor, feature, time DESC, result_key DESC);

    CREATE TABLE monitor_alert_state (
      monitor TEXT NOT NULL,
      check_name TEXT NOT NULL,
      failing INTEGER NOT NULL,
      since INTEGER NOT NULL,
      PRIMARY KEY (monitor, check_name)
    ) WITHOUT ROWID;
  `,
};
