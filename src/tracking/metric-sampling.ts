import type { MetricWithRunId } from "../protocol/mlflow/entities.js";

/**
 * The step sampling of metrics/get-history-bulk-interval, as MLflow's handler does it
 * (mlflow/server/handlers.py: `_get_sampled_steps_from_steps` and `get_metric_history_bulk_interval_impl`), so that
 * charts drawn from Cairn show the same points as from MLflow.
 */

/** Index of the first element >= value (Python's bisect_left) in a sorted array. */
const bisectLeft = (sorted: readonly number[], value: number): number => {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if ((sorted[middle] as number) < value) low = middle + 1;
    else high = middle;
  }
  return low;
};

/** Index after the last element <= value (Python's bisect_right). */
const bisectRight = (sorted: readonly number[], value: number): number => {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (value < (sorted[middle] as number)) high = middle;
    else low = middle + 1;
  }
  return low;
};

/**
 * MLflow's `_get_sampled_steps_from_steps`, including its quirk: an index is kept only while it is below the
 * number of steps in range (`idx < num_steps`), which drops samples when the range does not start at index 0.
 */
export const sampleSteps = (startStep: number, endStep: number, maxResults: number, allSteps: readonly number[]): Set<number> => {
  const startIndex = bisectLeft(allSteps, startStep);
  const endIndex = bisectRight(allSteps, endStep);
  if (endIndex - startIndex <= maxResults) return new Set(allSteps.slice(startIndex, endIndex));
  const numSteps = endIndex - startIndex;
  const interval = numSteps / maxResults;
  const sampled = new Set<number>();
  for (let i = 0; i < maxResults; i += 1) {
    const index = startIndex + Math.trunc(i * interval);
    if (index < numSteps) sampled.add(allSteps[index] as number);
  }
  sampled.add(allSteps[endIndex - 1] as number);
  return sampled;
};

/** Per run, at most this many values are returned for the sampled steps (MAX_RESULTS_GET_METRIC_HISTORY). */
export const MAX_RESULTS_GET_METRIC_HISTORY = 25_000;

/**
 * Given every value of one metric for the requested runs, returns the sampled values in MLflow's order: runs in
 * request order, then by step and timestamp. `range` is absent when the client gave neither start_step nor end_step.
 */
export const sampleMetricHistory = (
  runIds: readonly string[],
  history: readonly MetricWithRunId[],
  maxResults: number,
  range: { startStep: number; endStep: number } | undefined,
): MetricWithRunId[] => {
  const byRun = new Map<string, MetricWithRunId[]>();
  for (const metric of history) {
    const list = byRun.get(metric.run_id);
    if (list) list.push(metric);
    else byRun.set(metric.run_id, [metric]);
  }
  const minsAndMaxes = new Set<number>();
  const stepSet = new Set<number>();
  for (const runId of runIds) {
    const values = byRun.get(runId);
    if (!values || values.length === 0) continue;
    let min = Number.POSITIVE_INFINITY;
    let max = Number.NEGATIVE_INFINITY;
    for (const { step } of values) {
      stepSet.add(step);
      if (step < min) min = step;
      if (step > max) max = step;
    }
    minsAndMaxes.add(min).add(max);
  }
  const allSteps = [...stepSet].sort((a, b) => a - b);
  const startStep = range ? range.startStep : 0;
  const endStep = range ? range.endStep : (allSteps[allSteps.length - 1] ?? 0);
  const steps = sampleSteps(startStep, endStep, maxResults, allSteps);
  for (const step of minsAndMaxes) if (step >= startStep && step <= endStep) steps.add(step);

  const result: MetricWithRunId[] = [];
  for (const runId of runIds) {
    const values = (byRun.get(runId) ?? []).filter((metric) => steps.has(metric.step));
    // Stable sort, as Python's sorted(key=(step, timestamp)).
    values.sort((a, b) => a.step - b.step || a.timestamp - b.timestamp);
    result.push(...values.slice(0, MAX_RESULTS_GET_METRIC_HISTORY));
  }
  return result;
};

/** The sampling range: the request's, else from step 0 to the highest step of any run (MLflow's default). */
export const samplingRange = (range: { startStep: number; endStep: number } | undefined, highestStep: number): { startStep: number; endStep: number } =>
  range ?? { startStep: 0, endStep: highestStep };

/**
 * A store's sampled rows (ordered by run id, step, timestamp, value) in MLflow's answer order: runs in request order
 * (a run named twice answers twice, as MLflow's loop does), at most MAX_RESULTS_GET_METRIC_HISTORY values per run.
 */
export const orderSampledHistory = (runIds: readonly string[], rows: readonly MetricWithRunId[]): MetricWithRunId[] => {
  const byRun = new Map<string, MetricWithRunId[]>();
  for (const row of rows) {
    const list = byRun.get(row.run_id);
    if (list) list.push(row);
    else byRun.set(row.run_id, [row]);
  }
  const result: MetricWithRunId[] = [];
  for (const runId of runIds) result.push(...(byRun.get(runId) ?? []).slice(0, MAX_RESULTS_GET_METRIC_HISTORY));
  return result;
};
