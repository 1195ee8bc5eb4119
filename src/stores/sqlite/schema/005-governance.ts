import type { Migration } from "../migrations.js";

/**
 * Schema version 5 — governance: promotion rules, approvals, model cards.
 *
 * Rows name their model by name and version text rather than by a foreign key into the registry tables: the
 * governance store follows renames and deletes through explicit calls (renameModel/deleteModel/deleteVersion), so
 * that the two domains' schemas can evolve apart. Rule lists (required tags, metric thresholds) are small JSON
 * arrays read whole with their rule, never queried inside.
 *
 * The index on datasets (name, digest) serves the reverse lineage view "which runs used dataset X": the tracking
 * table's unique key starts with experiment_id and cannot answer a lookup by name across experiments.
 */
export const GOVERNANCE_MIGRATION: Migration = {
  version: 5,
  description: "governance: promotion rules, approvals, model cards",
  sql: `
    CREATE TABLE promotion_rules (
      model_name TEXT NOT NULL,
      target TEXT NOT NULL,
      required_tags TEXT NOT NULL,
      metric_thresholds TEXT NOT NULL,
      required_approvals INTEGER NOT NULL CHECK (required_approvals >= 0),
      updated_by TEXT NOT NULL,
      updated_by_verified INTEGER NOT NULL,
      updated_time INTEGER NOT NULL,
      PRIMARY KEY (model_name, target)
    ) WITHOUT ROWID;

    CREATE TABLE promotion_approvals (
      model_name TEXT NOT NULL,
      version TEXT NOT NULL,
      target TEXT NOT NULL,
      actor_name TEXT NOT NULL,
      actor_verified INTEGER NOT NULL,
      time INTEGER NOT NULL,
      comment TEXT,
      PRIMARY KEY (model_name, version, target, actor_name)
    ) WITHOUT ROWID;

    CREATE TABLE model_cards (
      model_name TEXT NOT NULL,
      version TEXT NOT NULL,
      description TEXT NOT NULL,
      intended_use TEXT NOT NULL,
      training_data TEXT NOT NULL,
      limitations TEXT NOT NULL,
      ethical_considerations TEXT NOT NULL,
      owners TEXT NOT NULL,
      updated_by TEXT NOT NULL,
      updated_by_verified INTEGER NOT NULL,
      updated_time INTEGER NOT NULL,
      PRIMARY KEY (model_name, version)
    ) WITHOUT ROWID;

    CREATE INDEX datasets_name_digest ON datasets (name, digest);
  `,
};
