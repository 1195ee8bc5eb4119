import type { Migration } from "../migrations.js";

/**
 * Schema version 13 — webhooks: the format of each subscription (the API that created it) and a description.
 *
 * `format` says what the receiver gets: 'cairn' (Cairn's envelope and X-Cairn-* signature; every webhook written
 * before this version) or 'mlflow' (MLflow's {entity, action, timestamp, data} and X-MLflow-* signature, for
 * webhooks created through /api/2.0/mlflow/webhooks). Both share the delivery queue, its retries and its log.
 * `description` is MLflow's optional field. `events` keeps Cairn's event names for both formats.
 */
export const WEBHOOK_FORMATS_MIGRATION: Migration = {
  version: 13,
  description: "webhooks: format (cairn | mlflow) and description of each subscription",
  sql: `
    ALTER TABLE webhooks ADD COLUMN format TEXT NOT NULL DEFAULT 'cairn' CHECK (format IN ('cairn', 'mlflow'));
    ALTER TABLE webhooks ADD COLUMN description TEXT;
  `,
};
