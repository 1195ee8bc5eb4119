import type { Metric, MetricWithRunId, Run } from "../../protocol/mlflow/entities.js";
import type { MetricHistoryRange, Page, PageRequest, RunSearch } from "../../tracking/store.js";
import { decodeOffsetToken, pageOf } from "../sql/page-token.js";
import { compileRunSearchTiers, runQueryTiersSync } from "../sql/run-search-compiler.js";
import { stagesOf } from "../sql/tracking-rows.js";
import { loadRuns } from "./run-loader.js";
import { type MetricRow, parseExperimentId, toMetric } from "../sql/tracking-rows.js";
import { runKeyOf } from "./runs.js";
import { sqliteDialect } from "./sqlite-dialect.js";
import type { SqliteConnection } from "./statement-cache.js";

/** Read paths over many rows: metric histories and run search. */

const HISTORY_ORDER = "ORDER BY step, timestamp, value, is_nan";
const HISTORY_PAGE = `SELECT key, step, timestamp, value, is_nan FROM metrics WHERE run_key = ? AND key = ? ${HISTORY_ORDER} LIMIT ? OFFSET ?`;
/** The rows after a given one in the history's order: (step, timestamp, value, is_nan) is the key of a run's metric rows. */
const HISTORY_AFTER = `SELECT key, step, timestamp, value, is_nan FROM metrics WHERE run_key = ? AND key = ? AND (step, timestamp, value, is_nan) > (?, ?, ?, ?) ${HISTORY_ORDER} LIMIT ?`;
/**
 * A long page is read in chunks of this many rows, each after the last row of the one before (the primary key's
 * order, so each chunk is an index range), all in one read transaction. One statement returning 100,000 rows at
 * once made one 100,000-step page ~1.3-1.5x slower than the same rows fetched in pages of 10,000 (measured,
 * bench/pg-tracking.ts); in chunks it is as fast.
 */
const HISTORY_CHUNK = 4096;

type HistoryRow = [key: string, step: number, timestamp: number, value: number, isNan: number];

export const getMetricHistory = (conn: SqliteConnection, runId: string, key: string, page: PageRequest): Page<Metric> => {
  const offset = decodeOffsetToken(page.pageToken);
  return conn.read(() => {
    const { run_key: runKey } = runKeyOf(conn, runId);
    // One row more than the page, to know whether another page follows.
    const wanted = page.maxResults + 1;
    const metrics: Metric[] = [];
    let rows = conn.rawStmt(HISTORY_PAGE).all(runKey, key, Math.min(wanted, HISTORY_CHUNK), offset) as HistoryRow[];
    for (;;) {
      // Raw rows (arrays) become the answer's metrics directly: one object per value, not two.
      for (const [metricKey, step, timestamp, value, isNan] of rows) metrics.push({ key: metricKey, value: isNan === 1 ? Number.NaN : value, timestamp, step });
      const last = rows[rows.length - 1];
      if (last === undefined || rows.length < HISTORY_CHUNK || metrics.length >= wanted) break;
      rows = conn.rawStmt(HISTORY_AFTER).all(runKey, key, last[1], last[2], last[3], last[4], Math.min(wanted - metrics.length, HISTORY_CHUNK)) as HistoryRow[];
    }
    return pageOf(metrics, offset, page.maxResults);
  });
};

/** Runs are ordered by run id; unknown run ids contribute nothing. */
export const getMetricHistoryForRuns = (conn: SqliteConnection, query: MetricHistoryRange): MetricWithRunId[] => {
  if (query.runIds.length === 0) return [];
  const rows = conn
    .stmt(
      "SELECT r.run_uuid, m.key, m.step, m.timestamp, m.value, m.is_nan FROM runs r " +
        "JOIN metrics m ON m.run_key = r.run_key AND m.key = ? AND m.step >= ? AND m.step <= ? " +
        "WHERE r.run_uuid IN (SELECT value FROM json_each(?)) ORDER BY r.run_uuid, m.step, m.timestamp, m.value",
    )
    .all(query.key, query.startStep, query.endStep, JSON.stringify(query.runIds)) as (MetricRow & {
    run_uuid: string;
  })[];
  return rows.map((row) => ({ ...toMetric(row), run_id: row.run_uuid }));
};

export const searchRuns = (conn: SqliteConnection, query: RunSearch): Page<Run> => {
  const offset = decodeOffsetToken(query.pageToken);
  const experimentIds = query.experimentIds.flatMap((id) => {
    const parsed = parseExperimentId(id);
    return parsed === undefined ? [] : [parsed];
  });
  const scope = { experimentIds, stages: stagesOf(query.viewType), filter: query.filter, orderBy: query.orderBy, limit: query.maxResults + 1, offset };
  const queries = compileRunSearchTiers(sqliteDialect, scope);
  if (experimentIds.length === 0) return { items: [] };
  return conn.read(() => {
    const keys = runQueryTiersSync(queries, scope, (compiled) =>
      (conn.stmt(compiled.sql).all(...compiled.params) as { run_key: number }[]).map((row) => row.run_key),
    );
    return pageOf(loadRuns(conn, keys), offset, query.maxResults);
  });
};
