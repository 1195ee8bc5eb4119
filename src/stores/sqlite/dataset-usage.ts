import { type RunInfo, SystemTag } from "../../protocol/mlflow/entities.js";
import type { DatasetUsage } from "../../tracking/store.js";
import { type RunRow, toRunInfo } from "../sql/tracking-rows.js";
import type { SqliteConnection } from "./statement-cache.js";

const USAGE_COLUMNS =
  "r.run_key, r.run_uuid, r.experiment_id, r.name, r.user_id, r.status, r.start_time, r.end_time, r.lifecycle_stage, " +
  "r.artifact_uri, (SELECT t.value FROM input_tags t WHERE t.input_key = i.input_key AND t.key = ?) AS context";

const FROM =
  "FROM datasets d JOIN inputs i ON i.dataset_key = d.dataset_key JOIN runs r ON r.run_key = i.run_key " +
  "WHERE d.name = ? AND r.lifecycle_stage = 'active'";

const ORDER = "ORDER BY r.start_time, r.run_uuid, d.digest";

/**
 * Active runs that logged the dataset `name` (any digest, or one), in any experiment, oldest first, with the
 * context of each use (the mlflow.data.context input tag). Served by the datasets (name, digest) index of schema 5.
 */
export const findRunsByDataset = (conn: SqliteConnection, name: string, digest?: string): DatasetUsage[] => {
  const rows = (
    digest === undefined
      ? conn.stmt(`SELECT ${USAGE_COLUMNS} ${FROM} ${ORDER}`).all(SystemTag.DATASET_CONTEXT, name)
      : conn.stmt(`SELECT ${USAGE_COLUMNS} ${FROM} AND d.digest = ? ${ORDER}`).all(SystemTag.DATASET_CONTEXT, name, digest)
  ) as Array<RunRow & { context: string | null }>;
  return rows.map((row) => {
    const run: RunInfo = toRunInfo(row);
    return row.context === null ? { run } : { run, context: row.context };
  });
};

/**
 * Distinct sources of the datasets of one source type, after `after` in code-unit order (SQLite's BINARY collation),
 * `limit` at most. A full scan of datasets (no index on source_type): GC asks rarely, and the table holds one row per
 * (experiment, name, digest), not per use.
 */
export const listDatasetSources = (conn: SqliteConnection, sourceType: string, limit: number, after?: string): string[] => {
  const rows = (
    after === undefined
      ? conn.stmt("SELECT DISTINCT source FROM datasets WHERE source_type = ? ORDER BY source LIMIT ?").all(sourceType, limit)
      : conn.stmt("SELECT DISTINCT source FROM datasets WHERE source_type = ? AND source > ? ORDER BY source LIMIT ?").all(sourceType, after, limit)
  ) as Array<{ source: string }>;
  return rows.map((row) => row.source);
};
