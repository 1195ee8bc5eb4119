import { SystemTag } from "../../protocol/mlflow/entities.js";
import type { DataVersionDataset, DataVersionRelation, DataVersionRunUse, DataVersionStore } from "../../pipelines/server/data-versions-store.js";
import { DATA_CONTEXT_OUTPUT, DATA_VERSION_SOURCE_TYPE, PIPELINE_TAGS, dataVersionUri } from "../../pipelines/tracking/repro-tracker.js";
import type { Page, PageRequest } from "../../tracking/store.js";
import { decodeOffsetToken, pageOf } from "../sql/page-token.js";
import { type RunRow, toRunInfo } from "../sql/tracking-rows.js";
import { SqliteConnection } from "./statement-cache.js";
import type { Database } from "better-sqlite3";

/**
 * A data version's dataset rows: source_type cairn-data, digest = the first 32 hex of the hash (MLflow's cap), and
 * the source's uri naming the whole hash (the digest alone could name a file and a directory of the same hex).
 * The datasets table has no index on digest alone, so this scans it: datasets are deduplicated per experiment
 * (far fewer rows than inputs or runs), and the inputs of each matching row are then read through inputs_dataset.
 */
const MATCH =
  "d.source_type = ? AND d.digest = ? AND (CASE WHEN json_valid(d.source) THEN json_extract(d.source, '$.uri') END) = ?";

const matchArgs = (hash: string): [string, string, string] => [DATA_VERSION_SOURCE_TYPE, hash.slice(0, 32), dataVersionUri(hash)];

const RUN_COLUMNS =
  "r.run_key, r.run_uuid, r.experiment_id, r.name, r.user_id, r.status, r.start_time, r.end_time, r.lifecycle_stage, r.artifact_uri, " +
  "d.name AS dataset_name, (SELECT g.value FROM tags g WHERE g.run_key = r.run_key AND g.key = ?) AS stage";

const CONTEXT = "COALESCE((SELECT t.value FROM input_tags t WHERE t.input_key = i.input_key AND t.key = ?), '')";

export class SqliteDataVersionStore implements DataVersionStore {
  private readonly conn: SqliteConnection;

  constructor(db: Database) {
    this.conn = new SqliteConnection(db);
  }

  async findDataVersionDatasets(hash: string, limit: number): Promise<DataVersionDataset[]> {
    const rows = this.conn
      .stmt(`SELECT d.name, d.experiment_id, d.profile FROM datasets d WHERE ${MATCH} ORDER BY d.dataset_key LIMIT ?`)
      .all(...matchArgs(hash), limit) as Array<{ name: string; experiment_id: number; profile: string | null }>;
    return rows.map((row) => ({
      name: row.name,
      experimentId: String(row.experiment_id),
      ...(row.profile === null ? {} : { profile: row.profile }),
    }));
  }

  async findDataVersionRuns(hash: string, relation: DataVersionRelation, page: PageRequest): Promise<Page<DataVersionRunUse>> {
    const offset = decodeOffsetToken(page.pageToken);
    const comparison = relation === "produced" ? "=" : "<>";
    // The page is chosen on (start time, run id, name) alone, then only its rows are read in full (run columns, the
    // stage tag): a version used by 100,000 runs sorts 100,000 small keys, not 100,000 full rows.
    const rows = this.conn
      .stmt(
        `SELECT ${RUN_COLUMNS} FROM (` +
          "SELECT i.run_key, i.dataset_key, r.start_time, r.run_uuid, d.name FROM datasets d " +
          "JOIN inputs i ON i.dataset_key = d.dataset_key JOIN runs r ON r.run_key = i.run_key " +
          `WHERE ${MATCH} AND r.lifecycle_stage = 'active' AND ${CONTEXT} ${comparison} ? ` +
          "ORDER BY r.start_time DESC, r.run_uuid, d.name LIMIT ? OFFSET ?" +
          ") p JOIN runs r ON r.run_key = p.run_key JOIN datasets d ON d.dataset_key = p.dataset_key " +
          "ORDER BY p.start_time DESC, p.run_uuid, p.name",
      )
      .all(PIPELINE_TAGS.stage, ...matchArgs(hash), SystemTag.DATASET_CONTEXT, DATA_CONTEXT_OUTPUT, page.maxResults + 1, offset) as Array<
      RunRow & { dataset_name: string; stage: string | null }
    >;
    return pageOf(
      rows.map((row) => ({ run: toRunInfo(row), name: row.dataset_name, ...(row.stage === null ? {} : { stage: row.stage }) })),
      offset,
      page.maxResults,
    );
  }
}
