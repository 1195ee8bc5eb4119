import type { Migration } from "../migrations.js";

/**
 * Schema version 20 — deployments: versions marked failed. A version whose runs kept failing by an execution limit
 * (timeout, output cap, a crashed executor) or whose warm-up did takes no traffic in that deployment and is not
 * loaded again at start-up or by a sync; deleting the deployment (a redeploy) clears its marks.
 */
export const DEPLOYMENT_VERSION_FAILURES_MIGRATION: Migration = {
  version: 20,
  description: "deployments: deployment_version_failures (versions that take no traffic after repeated execution failures)",
  sql: `
    CREATE TABLE deployment_version_failures (
      deployment TEXT NOT NULL,
      version TEXT NOT NULL,
      kind TEXT NOT NULL,
      reason TEXT NOT NULL,
      failed_time INTEGER NOT NULL,
      PRIMARY KEY (deployment, version)
    ) WITHOUT ROWID;
  `,
};
