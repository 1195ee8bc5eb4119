import type { MetricWithRunId } from "../../protocol/mlflow/entities.js";
import { samplingRange } from "../../tracking/metric-sampling.js";
import type { SampledMetricHistoryQuery } from "../../tracking/store.js";
import { type MetricRow, toMetric } from "../sql/tracking-rows.js";
import type { SqliteConnection } from "./statement-cache.js";

/**
 * metrics/get-history-bulk-interval sampled in SQLite (see TrackingStore.getSampledMetricHistory): each run's first
 * and last step are two probes of the metrics primary key, the sampled steps one pass over the distinct steps, and
 * only the sampled rows are read out (the plan of the PostgreSQL store).
 */
const IN_KEYS = "IN (SELECT value FROM json_each(?))";
const DISTINCT_STEPS = `SELECT DISTINCT step FROM metrics WHERE run_key ${IN_KEYS} AND key = ? AND step BETWEEN ? AND ?`;
/**
 * One pass over the distinct steps in range (materialized): MLflow's positions `startIndex + trunc(i * (numSteps /
 * maxResults))`, kept while below numSteps (its quirk), and the last step. SQLite's REAL arithmetic is IEEE double as
 * JavaScript's, and CAST AS INTEGER truncates, so the positions are exactly sampleSteps' (metric-sampling.ts).
 */
const SAMPLED_STEPS =
  `WITH s AS MATERIALIZED (${DISTINCT_STEPS}), c AS (SELECT COUNT(*) AS total FROM s), ` +
  "n AS (SELECT step, ROW_NUMBER() OVER (ORDER BY step) - 1 AS position FROM s), " +
  "g(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM g WHERE i + 1 < ?), " +
  "p AS (SELECT DISTINCT CAST(g.i * (c.total * 1.0 / ?) AS INTEGER) AS position FROM c, g WHERE c.total > ?) " +
  "SELECT n.step FROM n, c WHERE c.total <= ? OR n.position = c.total - 1 " +
  "OR (? + n.position < c.total AND n.position IN (SELECT position FROM p))";

const ROW_COLUMNS = "SELECT r.run_uuid, m.key, m.step, m.timestamp, m.value, m.is_nan FROM metrics m JOIN runs r ON r.run_key = m.run_key ";
const ROW_ORDER = " ORDER BY r.run_uuid, m.step, m.timestamp, m.value";

export const getSampledMetricHistory = (conn: SqliteConnection, query: SampledMetricHistoryQuery): MetricWithRunId[] =>
  conn.read(() => {
    const bounds = conn
      .stmt(
        "SELECT r.run_key, " +
          "(SELECT MIN(m.step) FROM metrics m WHERE m.run_key = r.run_key AND m.key = ?) AS min_step, " +
          "(SELECT MAX(m.step) FROM metrics m WHERE m.run_key = r.run_key AND m.key = ?) AS max_step " +
          `FROM runs r WHERE r.run_uuid ${IN_KEYS}`,
      )
      .all(query.key, query.key, JSON.stringify([...new Set(query.runIds)])) as Array<{ run_key: number; min_step: number | null; max_step: number | null }>;
    const present = bounds.filter((row): row is { run_key: number; min_step: number; max_step: number } => row.min_step !== null && row.max_step !== null);
    if (present.length === 0) return [];
    const runKeys = JSON.stringify(present.map((row) => row.run_key));
    const lowest = Math.min(...present.map((row) => row.min_step));
    const { startStep, endStep } = samplingRange(query.range, Math.max(...present.map((row) => row.max_step)));
    if (startStep > endStep) return [];
    // Distinct steps below the range: none when the range starts at or below every run's first step (the usual case).
    const startIndex =
      startStep <= lowest ? 0 : (conn.stmt(`SELECT COUNT(*) AS n FROM (${DISTINCT_STEPS})`).get(runKeys, query.key, lowest, startStep - 1) as { n: number }).n;
    const sampled = conn
      .stmt(SAMPLED_STEPS)
      .all(runKeys, query.key, startStep, endStep, query.maxResults, query.maxResults, query.maxResults, query.maxResults, startIndex) as Array<{
      step: number;
    }>;
    const steps = new Set(sampled.map((row) => row.step));
    for (const row of present) {
      for (const step of [row.min_step, row.max_step]) if (step >= startStep && step <= endStep) steps.add(step);
    }
    if (steps.size === 0) return [];
    const rows = conn
      .stmt(`${ROW_COLUMNS}WHERE m.run_key ${IN_KEYS} AND m.key = ? AND m.step ${IN_KEYS}${ROW_ORDER}`)
      .all(runKeys, query.key, JSON.stringify([...steps])) as Array<MetricRow & { run_uuid: string }>;
    return rows.map((row) => ({ ...toMetric(row), run_id: row.run_uuid }));
  });
