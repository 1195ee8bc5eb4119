import type { CheckName, CheckStatus, MonitorResult, MonitorScore } from "./monitor-wire";

/**
 * Reading a monitor's stored scores (monitors/history, newest first): which belong to the latest run, what failed
 * in it, and one time series per feature. Alerts are the server's (monitors/alerts), never derived here.
 */

/** Drift tests whose score is a p-value (drifted below the threshold); the others are distances (at or above). */
const P_VALUE_METHODS: ReadonlySet<string> = new Set(["ks", "chisquare", "z", "anderson", "cramer_von_mises", "mannw", "t_test", "fisher_exact"]);

export const isPValueMethod = (method: string): boolean => P_VALUE_METHODS.has(method);

/**
 * The score that stands for a check as a whole (feature ""): drift's share drifted, skew's largest score, the data
 * tests' success share, the quality metric, or "error" when the check could not run. A data test on the whole table
 * also has feature "" but is an expectation, not the summary.
 */
export const isCheckSummary = (score: Pick<MonitorScore, "check" | "feature" | "method">): boolean =>
  score.feature === "" && (score.check !== "data_tests" || score.method === "success_share" || score.method === "error" || score.method === "min_rows");

/** A score's status; scores stored before statuses existed have only `passed`. */
export const statusOf = (score: Pick<MonitorScore, "status" | "passed">): CheckStatus => score.status ?? (score.passed ? "pass" : "fail");

/** The scores of the newest run in a newest-first list. */
export const latestRun = (results: readonly MonitorResult[]): MonitorResult[] => {
  const newest = results[0];
  return newest === undefined ? [] : results.filter((r) => r.time === newest.time);
};

export interface RunStatus {
  time: number;
  /** Features whose drift test failed, in the order the run stored them. */
  driftedFeatures: string[];
  /** Expectations of the data-test suite that failed. */
  failedDataTests: MonitorResult[];
  /** Checks that failed or could not run in this run (a failure is an open alert on the server, an error a monitor.error). */
  failingChecks: CheckName[];
  /** Each check's status in this run. */
  checkStatuses: Partial<Record<CheckName, CheckStatus>>;
}

export const runStatus = (run: readonly MonitorResult[]): RunStatus | undefined => {
  const first = run[0];
  if (first === undefined) return undefined;
  const failingChecks: CheckName[] = [];
  const checkStatuses: Partial<Record<CheckName, CheckStatus>> = {};
  for (const score of run) {
    if (!isCheckSummary(score) || checkStatuses[score.check] !== undefined) continue;
    const status = statusOf(score);
    checkStatuses[score.check] = status;
    // Too few rows is not a failure: nothing was judged.
    if (status === "fail" || status === "error") failingChecks.push(score.check);
  }
  return {
    time: first.time,
    driftedFeatures: run.filter((s) => s.check === "drift" && !isCheckSummary(s) && !s.passed).map((s) => s.feature),
    failedDataTests: run.filter((s) => s.check === "data_tests" && !isCheckSummary(s) && !s.passed),
    failingChecks,
    checkStatuses,
  };
};

export interface FeatureSeries {
  feature: string;
  /** The test of the newest run (a monitor's method per column can change when it is recreated). */
  method: string;
  /** Aligned with FeatureSeriesSet.times; null where the run has no score for the feature. */
  values: (number | null)[];
}

export interface FeatureSeriesSet {
  /** Run times, oldest first (epoch ms). */
  times: number[];
  /** One per feature, by feature name. */
  series: FeatureSeries[];
  /** The distinct thresholds of the features, ascending (a line each on the chart). */
  thresholds: number[];
}

/** One series per feature of one check (drift or skew), over the runs in the list. */
export const featureSeries = (results: readonly MonitorResult[], check: CheckName): FeatureSeriesSet => {
  const scores = results.filter((r) => r.check === check && !isCheckSummary(r));
  const times = [...new Set(scores.map((s) => s.time))].sort((a, b) => a - b);
  const column = new Map(times.map((time, index) => [time, index]));
  const byFeature = new Map<string, FeatureSeries & { methodTime: number }>();
  const thresholds = new Set<number>();
  for (const score of scores) {
    let series = byFeature.get(score.feature);
    if (series === undefined) {
      series = { feature: score.feature, method: score.method, methodTime: score.time, values: times.map(() => null) };
      byFeature.set(score.feature, series);
    }
    series.values[column.get(score.time) as number] = score.statistic;
    if (score.time > series.methodTime) {
      series.method = score.method;
      series.methodTime = score.time;
    }
    if (score.threshold !== null) thresholds.add(score.threshold);
  }
  const series = [...byFeature.values()]
    .sort((a, b) => (a.feature < b.feature ? -1 : a.feature > b.feature ? 1 : 0))
    .map(({ feature, method, values }) => ({ feature, method, values }));
  return { times, series, thresholds: [...thresholds].sort((a, b) => a - b) };
};
