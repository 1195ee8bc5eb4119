import { SystemTag } from "../../protocol/mlflow/entities.js";
import type { DataVersionDataset, DataVersionRelation, DataVersionRunUse, DataVersionStore } from "../../pipelines/server/data-versions-store.js";
import { DATA_CONTEXT_OUTPUT, DATA_VERSION_SOURCE_TYPE, PIPELINE_TAGS, dataVersionUri } from "../../pipelines/tracking/repro-tracker.js";
import type { Page, PageRequest } from "../../tracking/store.js";
import { type RunRow, toRunInfo } from "../sql/tracking-rows.js";
import { decodeOffsetToken, pageOf } from "../sql/page-token.js";
import type { PgDatabase } from "./pg-database.js";
import { readSnapshot } from "./pg-snapshot.js";

/**
 * Data versions on PostgreSQL (the answers of sqlite-data-version-store.ts). The dataset rows of a hash are found
 * through the datasets_digest index (source type and the first 32 hex of the hash), and the source's uri is checked
 * here: PostgreSQL 15 has no `IS JSON` to skip a source that is not JSON, and the rows of one digest are few.
 */
const uriOf = (source: string): unknown => {
  try {
    const parsed: unknown = JSON.parse(source);
    return typeof parsed === "object" && parsed !== null && !Array.isArray(parsed) ? (parsed as { uri?: unknown }).uri : undefined;
  } catch {
    return undefined;
  }
};

interface DatasetRow {
  dataset_key: number;
  name: string;
  experiment_id: number;
  source: string;
  profile: string | null;
}

const RUN_COLUMNS =
  "r.run_key, r.run_uuid, r.experiment_id, r.name, r.user_id, r.status, r.start_time, r.end_time, r.lifecycle_stage, r.artifact_uri, " +
  "d.name AS dataset_name, (SELECT g.value FROM tags g WHERE g.run_key = r.run_key AND g.key = $1) AS stage";

const CONTEXT = "COALESCE((SELECT t.value FROM input_tags t WHERE t.input_key = i.input_key AND t.key = $3), '')";

export class PgDataVersionStore implements DataVersionStore {
  constructor(private readonly db: PgDatabase) {}

  /** The dataset rows naming this data version, in creation order. */
  private async datasets(hash: string): Promise<DatasetRow[]> {
    const rows = await this.db.query<DatasetRow>(
      "SELECT dataset_key, name, experiment_id, source, profile FROM datasets WHERE source_type = $1 AND digest = $2 ORDER BY dataset_key",
      [DATA_VERSION_SOURCE_TYPE, hash.slice(0, 32)],
    );
    const uri = dataVersionUri(hash);
    return rows.filter((row) => uriOf(row.source) === uri);
  }

  async findDataVersionDatasets(hash: string, limit: number): Promise<DataVersionDataset[]> {
    return (await this.datasets(hash)).slice(0, limit).map((row) => ({
      name: row.name,
      experimentId: String(row.experiment_id),
      ...(row.profile === null ? {} : { profile: row.profile }),
    }));
  }

  async findDataVersionRuns(hash: string, relation: DataVersionRelation, page: PageRequest): Promise<Page<DataVersionRunUse>> {
    const offset = decodeOffsetToken(page.pageToken);
    const comparison = relation === "produced" ? "=" : "<>";
    return readSnapshot(this.db, async () => {
      const datasetKeys = (await this.datasets(hash)).map((row) => row.dataset_key);
      if (datasetKeys.length === 0) return { items: [] };
      // The page is chosen on (start time, run id, name) alone, then only its rows are read in full.
      const rows = await this.db.query<RunRow & { dataset_name: string; stage: string | null }>(
        `SELECT ${RUN_COLUMNS} FROM (` +
          "SELECT i.run_key, i.dataset_key, r.start_time, r.run_uuid, d.name FROM datasets d " +
          "JOIN inputs i ON i.dataset_key = d.dataset_key JOIN runs r ON r.run_key = i.run_key " +
          `WHERE d.dataset_key = ANY($2::bigint[]) AND r.lifecycle_stage = 'active' AND ${CONTEXT} ${comparison} $4 ` +
          "ORDER BY r.start_time DESC, r.run_uuid, d.name LIMIT $5 OFFSET $6" +
          ") p JOIN runs r ON r.run_key = p.run_key JOIN datasets d ON d.dataset_key = p.dataset_key " +
          "ORDER BY p.start_time DESC, p.run_uuid, p.name",
        [PIPELINE_TAGS.stage, datasetKeys, SystemTag.DATASET_CONTEXT, DATA_CONTEXT_OUTPUT, page.maxResults + 1, offset],
      );
      return pageOf(
        rows.map((row) => ({ run: toRunInfo(row), name: row.dataset_name, ...(row.stage === null ? {} : { stage: row.stage }) })),
        offset,
        page.maxResults,
      );
    });
  }
}
