import type { Migration } from "../migrations.js";

/**
 * Schema version 21 — registry integrity: the sha256 manifest of each registered model version's files (where they
 * are in the artifact store, and every file's path, size and digest). Keyed by version_key, so a manifest follows
 * its version through a model rename and goes when the version is deleted. root_key is indexed: an artifact write or
 * delete asks which versions pin its key (roots equal to or above it are prefix lookups, roots below it a range).
 */
export const MODEL_VERSION_MANIFESTS_MIGRATION: Migration = {
  version: 21,
  description: "registry: model_version_manifests and model_version_files (sha256 of every file a version registered)",
  sql: `
    CREATE TABLE model_version_manifests (
      version_key INTEGER NOT NULL PRIMARY KEY REFERENCES model_versions (version_key) ON DELETE CASCADE,
      root_key TEXT NOT NULL,
      root_is_file INTEGER NOT NULL CHECK (root_is_file IN (0, 1)),
      origin TEXT NOT NULL CHECK (origin IN ('registration', 'first_use')),
      recorded_time INTEGER NOT NULL
    );
    CREATE INDEX model_version_manifests_root_key ON model_version_manifests (root_key);

    CREATE TABLE model_version_files (
      version_key INTEGER NOT NULL REFERENCES model_version_manifests (version_key) ON DELETE CASCADE,
      path TEXT NOT NULL,
      size INTEGER NOT NULL,
      sha256 TEXT NOT NULL,
      PRIMARY KEY (version_key, path)
    ) WITHOUT ROWID;
  `,
};
