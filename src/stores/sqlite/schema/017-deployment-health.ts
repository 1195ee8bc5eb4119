import type { Migration } from "../migrations.js";

/**
 * Schema version 17 — deployments: the last health verdict of each deployment (serving / degraded, with the reason and
 * when the state last changed). It is what makes deployment.degraded / deployment.recovered fire once per change of
 * state rather than once per process: a restart, or a second replica reaching the same verdict, finds the state
 * already recorded. Removed with its deployment.
 */
export const DEPLOYMENT_HEALTH_MIGRATION: Migration = {
  version: 17,
  description: "deployments: deployment_health (the last serving/degraded verdict, for alerts that fire once)",
  sql: `
    CREATE TABLE deployment_health (
      name TEXT NOT NULL PRIMARY KEY,
      state TEXT NOT NULL CHECK (state IN ('serving', 'degraded')),
      reason TEXT,
      changed_time INTEGER NOT NULL
    ) WITHOUT ROWID;
  `,
};
