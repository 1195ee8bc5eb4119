import type { Migration } from "../migrations.js";

/**
 * Schema version 19 — authorization (issue 12): MLflow's per-user permissions on experiments and registered models
 * (its basic-auth app's experiment_permissions and registered_model_permissions, keyed by user name rather than a user
 * row id so that the grants do not depend on how users are stored), and Cairn's approvers of each registered model's
 * promotions. Only explicit grants are rows: the default permission is a server setting.
 */
export const PERMISSIONS_MIGRATION: Migration = {
  version: 19,
  description: "auth: experiment_permissions, registered_model_permissions, model_approvers",
  sql: `
    CREATE TABLE experiment_permissions (
      experiment_id TEXT NOT NULL,
      username TEXT NOT NULL,
      permission TEXT NOT NULL CHECK (permission IN ('READ', 'EDIT', 'MANAGE', 'NO_PERMISSIONS')),
      PRIMARY KEY (experiment_id, username)
    ) WITHOUT ROWID;
    CREATE INDEX experiment_permissions_user ON experiment_permissions (username);

    CREATE TABLE registered_model_permissions (
      name TEXT NOT NULL,
      username TEXT NOT NULL,
      permission TEXT NOT NULL CHECK (permission IN ('READ', 'EDIT', 'MANAGE', 'NO_PERMISSIONS')),
      PRIMARY KEY (name, username)
    ) WITHOUT ROWID;
    CREATE INDEX registered_model_permissions_user ON registered_model_permissions (username);

    CREATE TABLE model_approvers (
      name TEXT NOT NULL,
      username TEXT NOT NULL,
      granted_by TEXT NOT NULL,
      granted_time INTEGER NOT NULL,
      PRIMARY KEY (name, username)
    ) WITHOUT ROWID;
    CREATE INDEX model_approvers_user ON model_approvers (username);
  `,
};
