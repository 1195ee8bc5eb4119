import type { CheckName, MonitorResult, MonitorScore } from "./monitor-wire";

/**
 * Reading a monitor's stored scores (monitors/history, newest first): which belong to the latest run, what failed
 * in it, one time series per feature, and the alerts the server sent (it alerts when a check goes from passing to
 * failing and recovers when it passes again; the history holds the same states, so the alerts follow from it).
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
  score.feature === "" && (score.check !== "data_tests" || score.method === "success_share" || score.method === "error");

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
  /** Checks failing in this run: each is an open alert on the server. */
  failingChecks: CheckName[];
}

export const runStatus = (run: readonly MonitorResult[]): RunStatus | undefined => {
  const first = run[0];
  if (first === undefined) return undefined;
  const failingChecks: CheckName[] = [];
  for (const score of run) if (isCheckSummary(score) && !score.passed && !failingChecks.includes(score.check)) failingChecks.push(score.check);
  return {
    time: first.time,
    driftedFeatures: run.filter((s) => s.check === "drift" && !isCheckSummary(s) && !s.passed).map((s) => s.feature),
    failedDataTests: run.filter((s) => s.check === "data_tests" && !isCheckSummary(s) && !s.passed),
    failingChecks,
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

export interface AlertEvent {
  time: number;
  check: CheckName;
  kind: "alert" | "recovered";
  /** The check's summary score at that run (share drifted, success share, ...), with its threshold. */
  method: string;
  statistic: number | null;
  threshold: number | null;
}

export interface OpenAlert {
  check: CheckName;
  since: number;
  /** The check was already failing at the oldest score read: it may have been failing for longer. */
  sinceBeforeRange: boolean;
}

export interface AlertsView {
  /** Newest first. */
  events: AlertEvent[];
  open: OpenAlert[];
}

/**
 * The alerts of the runs read. `fromStart`: the list reaches the monitor's first run, before which every check
 * counts as passing (as on the server); otherwise the oldest run read only sets the starting state.
 */
export const deriveAlerts = (results: readonly MonitorResult[], fromStart: boolean): AlertsView => {
  const summaries = results.filter(isCheckSummary).sort((a, b) => a.time - b.time);
  const state = new Map<CheckName, { passing: boolean | undefined; since: number; sinceBeforeRange: boolean }>();
  const events: AlertEvent[] = [];
  for (const score of summaries) {
    const current = state.get(score.check) ?? { passing: fromStart ? true : undefined, since: 0, sinceBeforeRange: false };
    if (current.passing === undefined) {
      state.set(score.check, { passing: score.passed, since: score.time, sinceBeforeRange: !score.passed });
      continue;
    }
    if (current.passing !== score.passed) {
      events.push({ time: score.time, check: score.check, kind: score.passed ? "recovered" : "alert", method: score.method, statistic: score.statistic, threshold: score.threshold });
      state.set(score.check, { passing: score.passed, since: score.time, sinceBeforeRange: false });
    } else {
      state.set(score.check, current);
    }
  }
  const open: OpenAlert[] = [];
  for (const [check, s] of state) if (s.passing === false) open.push({ check, since: s.since, sinceBeforeRange: s.sinceBeforeRange });
  open.sort((a, b) => (a.check < b.check ? -1 : 1));
  // Newest first; the checks of one run by name, so the order does not depend on how the store listed them.
  events.sort((a, b) => b.time - a.time || (a.check < b.check ? -1 : a.check > b.check ? 1 : 0));
  return { events, open };
};
