import type { Migration } from "../migrations.js";

/**
 * Schema version 15 — governance: approvals worth the name.
 *
 * - promotion_rules.forbid_self_approval: the rule refuses approvals by the version's creator or its run's user
 *   (0 for every rule written before, which keeps their meaning).
 * - promotion_approvals is rebuilt with a rowid (`approval_id`) and revocation columns: a revoked approval stays
 *   visible, and approving again after a revoke is a new row, so the old primary key (model, version, target, actor)
 *   cannot hold. One STANDING approval per actor is kept by a partial unique index instead. Existing rows are
 *   copied oldest first so that their ids follow their times.
 * - The (model_name, time) index serves the model-wide listing, newest first, keyset-paged on (time, approval_id).
 */
export const APPROVAL_REVOCATION_MIGRATION: Migration = {
  version: 15,
  description: "governance: rule option forbid_self_approval; approvals get ids and revocation (revoked_by, revoked_time)",
  sql: `
    ALTER TABLE promotion_rules ADD COLUMN forbid_self_approval INTEGER NOT NULL DEFAULT 0;

    CREATE TABLE promotion_approvals_v15 (
      approval_id INTEGER PRIMARY KEY,
      model_name TEXT NOT NULL,
      version TEXT NOT NULL,
      target TEXT NOT NULL,
      actor_name TEXT NOT NULL,
      actor_verified INTEGER NOT NULL,
      time INTEGER NOT NULL,
      comment TEXT,
      revoked_by TEXT,
      revoked_by_verified INTEGER,
      revoked_time INTEGER,
      CHECK ((revoked_by IS NULL) = (revoked_time IS NULL))
    );
    INSERT INTO promotion_approvals_v15 (model_name, version, target, actor_name, actor_verified, time, comment)
      SELECT model_name, version, target, actor_name, actor_verified, time, comment FROM promotion_approvals
      ORDER BY time, model_name, version, target, actor_name;
    DROP TABLE promotion_approvals;
    ALTER TABLE promotion_approvals_v15 RENAME TO promotion_approvals;

    CREATE UNIQUE INDEX promotion_approvals_standing ON promotion_approvals (model_name, version, target, actor_name)
      WHERE revoked_time IS NULL;
    CREATE INDEX promotion_approvals_model_time ON promotion_approvals (model_name, time);
  `,
};
