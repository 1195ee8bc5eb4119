import type { Migration } from "../migrations.js";

/**
 * Schema version 14 — registry: the logged model a model version registers (MLflow 3's ModelVersion.model_id,
 * `m-` + 32 hex; NULL for versions registered from a run or an artifact path, and for every version written before
 * this version). Indexed for lineage from a logged model to its registrations.
 */
export const MODEL_VERSION_MODEL_ID_MIGRATION: Migration = {
  version: 14,
  description: "registry: model_versions.model_id (MLflow 3 registration by logged model)",
  sql: `
    ALTER TABLE model_versions ADD COLUMN model_id TEXT;
    CREATE INDEX model_versions_model_id ON model_versions (model_id) WHERE model_id IS NOT NULL;
  `,
};
