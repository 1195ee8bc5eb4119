import type { MetricWithRunId } from "../../protocol/mlflow/entities.js";
import { samplingRange } from "../../tracking/metric-sampling.js";
import type { SampledMetricHistoryQuery } from "../../tracking/store.js";
import { type MetricRow, toMetric } from "../sql/tracking-rows.js";
import type { PgDatabase } from "./pg-database.js";
import { readSnapshot } from "./pg-snapshot.js";

/**
 * metrics/get-history-bulk-interval sampled in PostgreSQL (see TrackingStore.getSampledMetricHistory). Each run's
 * first and last step are two probes of the metrics primary key. The sampled steps come from ONE pass over the
 * distinct steps in range (a materialized CTE): MLflow's positions `startIndex + trunc(i * (numSteps / maxResults))`
 * (kept while below numSteps, its quirk) and the last step, computed with float8 arithmetic, which is IEEE double as
 * in JavaScript and Python, so the positions are exactly sampleSteps' (metric-sampling.ts). Only the sampled rows are read out.
 */
const SAMPLED_STEPS =
  "WITH s AS MATERIALIZED (SELECT DISTINCT step FROM metrics WHERE run_key = ANY($1::bigint[]) AND key = $2 AND step BETWEEN $3 AND $4), " +
  "c AS (SELECT COUNT(*)::bigint AS total FROM s), " +
  "n AS (SELECT step, ROW_NUMBER() OVER (ORDER BY step) - 1 AS position FROM s), " +
  "p AS (SELECT DISTINCT trunc(g * (c.total::float8 / $5::float8))::bigint AS position FROM c, generate_series(0, $5::bigint - 1) g " +
  "WHERE c.total > $5) " +
  "SELECT n.step FROM n, c WHERE c.total <= $5 OR n.position = c.total - 1 " +
  "OR ($6::bigint + n.position < c.total AND n.position IN (SELECT position FROM p))";

const ROWS =
  "SELECT r.run_uuid, m.key, m.step, m.timestamp, m.value, m.is_nan FROM metrics m JOIN runs r ON r.run_key = m.run_key " +
  "WHERE m.run_key = ANY($1::bigint[]) AND m.key = $2 AND m.step = ANY($3::bigint[]) ORDER BY r.run_uuid, m.step, m.timestamp, m.value";

export const getPgSampledMetricHistory = (db: PgDatabase, query: SampledMetricHistoryQuery): Promise<MetricWithRunId[]> =>
  readSnapshot(db, async () => {
    const bounds = await db.query<{ run_key: number; min_step: number | null; max_step: number | null }>(
      "SELECT r.run_key, " +
        "(SELECT MIN(m.step) FROM metrics m WHERE m.run_key = r.run_key AND m.key = $2) AS min_step, " +
        "(SELECT MAX(m.step) FROM metrics m WHERE m.run_key = r.run_key AND m.key = $2) AS max_step " +
        "FROM runs r WHERE r.run_uuid = ANY($1::text[])",
      [[...new Set(query.runIds)], query.key],
    );
    const present = bounds.filter((row): row is { run_key: number; min_step: number; max_step: number } => row.min_step !== null && row.max_step !== null);
    if (present.length === 0) return [];
    const runKeys = present.map((row) => row.run_key);
    const lowest = Math.min(...present.map((row) => row.min_step));
    const { startStep, endStep } = samplingRange(query.range, Math.max(...present.map((row) => row.max_step)));
    if (startStep > endStep) return [];
    // Distinct steps below the range: none when the range starts at or below every run's first step (the usual case).
    const startIndex =
      startStep <= lowest
        ? 0
        : ((
            await db.one<{ n: number }>(
              "SELECT COUNT(*)::bigint AS n FROM (SELECT DISTINCT step FROM metrics WHERE run_key = ANY($1::bigint[]) AND key = $2 AND step BETWEEN $3 AND $4) s",
              [runKeys, query.key, lowest, startStep - 1],
            )
          )?.n ?? 0);
    const sampled = await db.query<{ step: number }>(SAMPLED_STEPS, [runKeys, query.key, startStep, endStep, query.maxResults, startIndex]);
    const steps = new Set(sampled.map((row) => row.step));
    // Each run's first and last step count too, when in range (MLflow's mins and maxes).
    for (const row of present) {
      for (const step of [row.min_step, row.max_step]) if (step >= startStep && step <= endStep) steps.add(step);
    }
    if (steps.size === 0) return [];
    const rows = await db.query<MetricRow & { run_uuid: string }>(ROWS, [runKeys, query.key, [...steps]]);
    return rows.map((row) => ({ ...toMetric(row), run_id: row.run_uuid }));
  });
