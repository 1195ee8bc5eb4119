import { type RunInfo, SystemTag } from "../../protocol/mlflow/entities.js";
import type { DatasetUsage } from "../../tracking/store.js";
import { type RunRow, toRunInfo } from "../sql/tracking-rows.js";
import type { PgDatabase } from "./pg-database.js";

/** Dataset lineage reads on PostgreSQL (the queries of sqlite/dataset-usage.ts). */

const USAGE_COLUMNS =
  "r.run_key, r.run_uuid, r.experiment_id, r.name, r.user_id, r.status, r.start_time, r.end_time, r.lifecycle_stage, " +
  "r.artifact_uri, (SELECT t.value FROM input_tags t WHERE t.input_key = i.input_key AND t.key = $1) AS context";

const FROM =
  "FROM datasets d JOIN inputs i ON i.dataset_key = d.dataset_key JOIN runs r ON r.run_key = i.run_key " +
  "WHERE d.name = $2 AND r.lifecycle_stage = 'active'";

const ORDER = "ORDER BY r.start_time, r.run_uuid, d.digest";

export const findPgRunsByDataset = async (db: PgDatabase, name: string, digest?: string): Promise<DatasetUsage[]> => {
  const rows =
    digest === undefined
      ? await db.query<RunRow & { context: string | null }>(`SELECT ${USAGE_COLUMNS} ${FROM} ${ORDER}`, [SystemTag.DATASET_CONTEXT, name])
      : await db.query<RunRow & { context: string | null }>(`SELECT ${USAGE_COLUMNS} ${FROM} AND d.digest = $3 ${ORDER}`, [
          SystemTag.DATASET_CONTEXT,
          name,
          digest,
        ]);
  return rows.map((row) => {
    const run: RunInfo = toRunInfo(row);
    return row.context === null ? { run } : { run, context: row.context };
  });
};

/** Distinct sources of one source type after `after`, in code-unit order (source is COLLATE "C"). */
export const listPgDatasetSources = async (db: PgDatabase, sourceType: string, limit: number, after?: string): Promise<string[]> => {
  const rows =
    after === undefined
      ? await db.query<{ source: string }>("SELECT DISTINCT source FROM datasets WHERE source_type = $1 ORDER BY source LIMIT $2", [sourceType, limit])
      : await db.query<{ source: string }>("SELECT DISTINCT source FROM datasets WHERE source_type = $1 AND source > $2 ORDER BY source LIMIT $3", [
          sourceType,
          after,
          limit,
        ]);
  return rows.map((row) => row.source);
};
