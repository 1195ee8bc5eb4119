import type { MetricWithRunId } from "../../protocol/mlflow/entities.js";
import { sampledStepPositions, samplingRange } from "../../tracking/metric-sampling.js";
import type { SampledMetricHistoryQuery } from "../../tracking/store.js";
import { type MetricRow, toMetric } from "../sqlite/rows.js";
import type { PgDatabase } from "./pg-database.js";
import { readSnapshot } from "./pg-snapshot.js";

/**
 * metrics/get-history-bulk-interval sampled in PostgreSQL (see TrackingStore.getSampledMetricHistory): each run's
 * first and last step come from the metrics primary key (two index probes per run), the number of distinct steps
 * and the steps at the sampled positions from one aggregate each, and only the sampled rows are read out.
 */
const DISTINCT_STEPS = "SELECT DISTINCT step FROM metrics WHERE run_key = ANY($1::bigint[]) AND key = $2 AND step BETWEEN $3 AND $4";

const ROW_COLUMNS = "SELECT r.run_uuid, m.key, m.step, m.timestamp, m.value, m.is_nan FROM metrics m JOIN runs r ON r.run_key = m.run_key ";
const ROW_ORDER = " ORDER BY r.run_uuid, m.step, m.timestamp, m.value";

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
    const countSteps = async (from: number, to: number): Promise<number> =>
      (await db.one<{ n: number }>(`SELECT COUNT(*)::bigint AS n FROM (${DISTINCT_STEPS}) s`, [runKeys, query.key, from, to]))?.n ?? 0;
    // Distinct steps below the range: none when the range starts at or below every run's first step (the usual case).
    const startIndex = startStep <= lowest ? 0 : await countSteps(lowest, startStep - 1);
    const inRange = await countSteps(startStep, endStep);
    const positions = sampledStepPositions(startIndex, startIndex + inRange, query.maxResults);
    let rows: Array<MetricRow & { run_uuid: string }>;
    if (positions === undefined) {
      rows = await db.query(`${ROW_COLUMNS}WHERE m.run_key = ANY($1::bigint[]) AND m.key = $2 AND m.step BETWEEN $3 AND $4${ROW_ORDER}`, [
        runKeys,
        query.key,
        startStep,
        endStep,
      ]);
    } else {
      const sampled = await db.query<{ step: number }>(
        `SELECT step FROM (SELECT step, ROW_NUMBER() OVER (ORDER BY step) - 1 AS position FROM (${DISTINCT_STEPS}) s) n ` +
          "WHERE position = ANY($5::bigint[])",
        [runKeys, query.key, startStep, endStep, positions],
      );
      const steps = new Set(sampled.map((row) => row.step));
      // Each run's first and last step count too, when in range (MLflow's mins and maxes).
      for (const row of present) {
        for (const step of [row.min_step, row.max_step]) if (step >= startStep && step <= endStep) steps.add(step);
      }
      rows = await db.query(`${ROW_COLUMNS}WHERE m.run_key = ANY($1::bigint[]) AND m.key = $2 AND m.step = ANY($3::bigint[])${ROW_ORDER}`, [
        runKeys,
        query.key,
        [...steps],
      ]);
    }
    return rows.map((row) => ({ ...toMetric(row), run_id: row.run_uuid }));
  });
