import type { Migration } from "../migrations.js";

/**
 * Schema version 9 — serving: the inference-worker option of a deployment, and saved shadow comparisons.
 *
 * `deployments.inference_worker` (0 or 1): whether the deployment's versions run merged batches on a worker thread;
 * existing deployments keep running on the event loop's thread (0).
 *
 * `shadow_reports`: one row per comparison of a shadow with the primary, keyed by (deployment, since,
 * candidate_version) — `since` is when the comparison started, so a shadow replaced, dropped or reset by a new
 * primary gets a new row and earlier ones stay. `report` is the JSON deployments/shadow-report answers; `state` the
 * recorder's running totals and a sample of latencies, from which a restarted server continues the comparison. Rows
 * are replaced by each save (periodic, and on every change of the shadow) and, like the deployment history, kept
 * when the deployment is deleted. A rowid table: `state` can hold tens of kilobytes.
 */
export const DEPLOYMENT_OPTIONS_SHADOW_REPORTS_MIGRATION: Migration = {
  version: 9,
  description: "serving: deployments.inference_worker, saved shadow reports",
  sql: `
    ALTER TABLE deployments ADD COLUMN inference_worker INTEGER NOT NULL DEFAULT 0;

    CREATE TABLE shadow_reports (
      deployment TEXT NOT NULL,
      since INTEGER NOT NULL,
      candidate_version TEXT NOT NULL,
      report TEXT NOT NULL,
      state TEXT NOT NULL,
      updated_time INTEGER NOT NULL,
      PRIMARY KEY (deployment, since, candidate_version)
    );
  `,
};
