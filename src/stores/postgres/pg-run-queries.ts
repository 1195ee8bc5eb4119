import { invalidParameter } from "../../core/errors.js";
import type { Metric, MetricWithRunId, Run } from "../../protocol/mlflow/entities.js";
import type { MetricHistoryRange, Page, PageRequest, RunSearch } from "../../tracking/store.js";
import { stagesOf } from "../sql/tracking-rows.js";
import { type MetricRow, parseExperimentId, toMetric } from "../sql/tracking-rows.js";
import { decodeOffsetToken, pageOf } from "../sql/page-token.js";
import { compileRunSearchTiers, runQueryTiers } from "../sql/run-search-compiler.js";
import { type PgDatabase, pgErrorCode } from "./pg-database.js";
import { loadPgRuns } from "./pg-run-loader.js";
import { pgRunKeyOf } from "./pg-runs.js";
import { readSnapshot } from "./pg-snapshot.js";
import { postgresDialect } from "./postgres-dialect.js";

/** Read paths over many rows on PostgreSQL: metric histories and run search. */

export const getPgMetricHistory = (db: PgDatabase, runId: string, key: string, page: PageRequest): Promise<Page<Metric>> => {
  const offset = decodeOffsetToken(page.pageToken);
  return readSnapshot(db, async () => {
    const { run_key: runKey } = await pgRunKeyOf(db, runId);
    const rows = await db.query<MetricRow>(
      "SELECT key, step, timestamp, value, is_nan FROM metrics WHERE run_key = $1 AND key = $2 " +
        "ORDER BY step, timestamp, value, is_nan LIMIT $3 OFFSET $4",
      [runKey, key, page.maxResults + 1, offset],
    );
    return pageOf(rows.map(toMetric), offset, page.maxResults);
  });
};

/** Runs are ordered by run id; unknown run ids contribute nothing. */
export const getPgMetricHistoryForRuns = async (db: PgDatabase, query: MetricHistoryRange): Promise<MetricWithRunId[]> => {
  if (query.runIds.length === 0) return [];
  const rows = await db.query<MetricRow & { run_uuid: string }>(
    "SELECT r.run_uuid, m.key, m.step, m.timestamp, m.value, m.is_nan FROM runs r " +
      "JOIN metrics m ON m.run_key = r.run_key AND m.key = $1 AND m.step >= $2 AND m.step <= $3 " +
      "WHERE r.run_uuid = ANY($4::text[]) ORDER BY r.run_uuid, m.step, m.timestamp, m.value",
    [query.key, query.startStep, query.endStep, query.runIds],
  );
  return rows.map((row) => ({ ...toMetric(row), run_id: row.run_uuid }));
};

/**
 * A filter value PostgreSQL cannot read as its column's type (22P02 invalid text, 22003 out of range) is a 400, not
 * a 500. Numeric attributes never get here (compileIntegerComparison binds only int64 values); this is the net for
 * whatever else a filter may bind.
 */
const refuseBadValue = (error: unknown): unknown =>
  pgErrorCode(error) === "22P02" || pgErrorCode(error) === "22003"
    ? invalidParameter(`Invalid search value: ${(error as Error).message}`)
    : error;

export const searchPgRuns = async (db: PgDatabase, query: RunSearch): Promise<Page<Run>> => {
  const offset = decodeOffsetToken(query.pageToken);
  const experimentIds = query.experimentIds.flatMap((id) => {
    const parsed = parseExperimentId(id);
    return parsed === undefined ? [] : [parsed];
  });
  const scope = { experimentIds, stages: stagesOf(query.viewType), filter: query.filter, orderBy: query.orderBy, limit: query.maxResults + 1, offset };
  const queries = compileRunSearchTiers(postgresDialect, scope);
  if (experimentIds.length === 0) return { items: [] };
  return readSnapshot(db, async () => {
    const keys = await runQueryTiers(queries, scope, async (compiled) =>
      (await db.query<{ run_key: number }>(compiled.sql, compiled.params).catch((error: unknown) => Promise.reject(refuseBadValue(error)))).map((row) => row.run_key),
    );
    return pageOf(await loadPgRuns(db, keys), offset, query.maxResults);
  });
};
