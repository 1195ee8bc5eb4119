import type { Dataset } from "../../validation/dataset.js";
import { computeSkew } from "../skew/compute-skew.js";
import { skewReferenceFromProfile } from "../skew/from-profile.js";
import type { MonitorDependencies, MonitoredModel } from "./dependencies.js";
import { DEFAULT_MIN_ROWS, type CheckName, type CheckOutcome, type CheckStatus, type Monitor, type MonitorScore } from "./monitor.js";
import { profileDrift } from "./profile-drift.js";
import { qualityScore } from "./quality.js";
import type { WindowTable } from "./log-columns.js";

/** Items of a listed observed value kept in the history (a list of distinct values can be long). */
export const MAX_OBSERVED_ITEMS = 100;

/** An expectation's observed value as JSON text; a list past MAX_OBSERVED_ITEMS keeps its first items. */
export const observedJson = (value: unknown): string => {
  const kept = Array.isArray(value) && value.length > MAX_OBSERVED_ITEMS ? value.slice(0, MAX_OBSERVED_ITEMS) : value;
  return JSON.stringify(kept, (_key, v: unknown) => (typeof v === "bigint" ? v.toString() : v)) ?? "null";
};

const round = (value: number): string => (Number.isInteger(value) ? String(value) : value.toPrecision(4));

/** A feature's score: pass or fail by `passed`. */
const featureScore = (score: Omit<MonitorScore, "status">): MonitorScore => ({ ...score, status: score.passed ? "pass" : "fail" });

/** An outcome whose summary score (feature "") carries the check's status; `passed` is derived from it. */
export const outcomeOf = (check: CheckName, status: CheckStatus, message: string, scores: MonitorScore[], features: readonly string[]): CheckOutcome => ({
  check,
  status,
  passed: status === "pass",
  message,
  scores: scores.map((s) => (s.feature === "" ? { ...s, status, passed: status === "pass" } : s)),
  features: [...features].sort(),
});

/** A check that could not run (or compared nothing): status error, one summary score "error". */
export const errorOutcome = (check: CheckName, reason: string): CheckOutcome =>
  outcomeOf(check, "error", `${check} check could not run: ${reason}`, [{ check, feature: "", method: "error", statistic: null, threshold: null, passed: false, status: "error" }], []);

/** Fewer rows than the monitor's minimum: nothing judged. The summary score is the rows seen against min_rows. */
const insufficientOutcome = (check: CheckName, rows: number, minRows: number, what = "rows"): CheckOutcome =>
  outcomeOf(
    check,
    "insufficient_data",
    `insufficient data: ${rows} ${what} in the window, at least ${minRows} needed (min_rows)`,
    [{ check, feature: "", method: "min_rows", statistic: rows, threshold: minRows, passed: false, status: "insufficient_data" }],
    [],
  );

export interface CheckWindow {
  /** The window restricted to the monitored features. */
  table: WindowTable;
  /** The window's rows as a dataset; undefined when no monitored feature is in the window (nothing to compare). */
  dataset: Dataset | undefined;
  /** Logged columns that are none of the monitored features (named in the error when nothing matched). */
  unmatched: readonly string[];
  /** The features the monitor watches (its own, else the registered signature's). */
  monitored: readonly string[];
}

const zeroFeatures = (window: CheckWindow): string => {
  const logged = window.unmatched.length === 0 ? "no input columns" : `input columns ${window.unmatched.slice(0, 10).join(", ")}${window.unmatched.length > 10 ? ", ..." : ""}`;
  return `compared zero features: the window has ${logged}, none of the monitored features ${window.monitored.slice(0, 10).join(", ")}${window.monitored.length > 10 ? ", ..." : ""}`;
};

/**
 * Runs each configured check over the window. A window with fewer rows than min_rows judges nothing
 * (insufficient_data); a check that cannot run, or that would compare zero features, is an error, never a pass.
 */
export const runChecks = async (monitor: Monitor, window: CheckWindow, model: MonitoredModel, deps: MonitorDependencies): Promise<CheckOutcome[]> => {
  const outcomes: CheckOutcome[] = [];
  const { drift, skew, dataTests, quality } = monitor.checks;
  const { table } = window;
  const minRows = monitor.minRows ?? DEFAULT_MIN_ROWS;
  /** Checks over the features: insufficient rows first, then nothing to compare, then the work itself. */
  const overFeatures = async (check: CheckName, work: (dataset: Dataset) => Promise<CheckOutcome>): Promise<void> => {
    if (table.rows.length < minRows) return void outcomes.push(insufficientOutcome(check, table.rows.length, minRows));
    const dataset = window.dataset;
    if (dataset === undefined) return void outcomes.push(errorOutcome(check, zeroFeatures(window)));
    try {
      outcomes.push(await work(dataset));
    } catch (error) {
      outcomes.push(errorOutcome(check, error instanceof Error ? error.message : String(error)));
    }
  };

  if (drift !== undefined) {
    await overFeatures("drift", async (dataset) => {
      let summary;
      if (drift.reference === "training_profile") {
        if (model.trainingProfile === undefined) throw new Error(`deployment '${monitor.deployment}' has no training profile for its model version`);
        summary = await profileDrift(skewReferenceFromProfile(model.trainingProfile), dataset, {
          ...(drift.methods !== undefined ? { methods: drift.methods } : {}),
          ...(drift.driftShare !== undefined ? { driftShare: drift.driftShare } : {}),
        });
      } else {
        const reference = await deps.openFile(drift.reference.path);
        try {
          summary = await deps.driftAgainstFile(reference, dataset, {
            ...(drift.methods !== undefined ? { methods: drift.methods } : {}),
            ...(drift.driftShare !== undefined ? { driftShare: drift.driftShare } : {}),
          });
        } finally {
          await reference.close();
        }
      }
      const compared = Object.keys(summary.columns);
      if (compared.length === 0) throw new Error(`compared zero features: the reference has none of the window's features ${table.features.map((f) => f.name).slice(0, 10).join(", ")}`);
      const scores: MonitorScore[] = [
        { check: "drift", feature: "", method: "share_drifted", statistic: summary.share_drifted, threshold: summary.drift_share, passed: !summary.dataset_drift, status: "pass" },
      ];
      const drifted: string[] = [];
      for (const [feature, c] of Object.entries(summary.columns)) {
        const score = "p_value" in c && c.p_value !== null && c.p_value !== undefined ? c.p_value : c.statistic;
        scores.push(featureScore({ check: "drift", feature, method: c.method, statistic: score, threshold: c.threshold, passed: !c.drifted }));
        if (c.drifted) drifted.push(`${feature} (${c.method} ${round(score)}, threshold ${c.threshold})`);
      }
      const message = summary.dataset_drift
        ? `dataset drift: ${drifted.length} of ${compared.length} columns drifted (share ${round(summary.share_drifted)} >= ${summary.drift_share}): ${drifted.join(", ")}`
        : `no dataset drift (share drifted ${round(summary.share_drifted)} < ${summary.drift_share})`;
      return outcomeOf("drift", summary.dataset_drift ? "fail" : "pass", message, scores, compared);
    });
  }

  if (skew !== undefined) {
    await overFeatures("skew", async (dataset) => {
      if (model.trainingProfile === undefined) throw new Error(`deployment '${monitor.deployment}' has no training profile for its model version`);
      const result = await computeSkew(skewReferenceFromProfile(model.trainingProfile), dataset, {
        ...(skew.thresholds !== undefined ? { thresholds: skew.thresholds } : {}),
        ...(skew.defaultThreshold !== undefined ? { defaultThreshold: skew.defaultThreshold } : {}),
      });
      const features = Object.values(result.features);
      if (features.length === 0) throw new Error(`compared zero features: the training profile has none of the window's features ${table.features.map((f) => f.name).slice(0, 10).join(", ")}`);
      const max = features.reduce((m, f) => Math.max(m, f.statistic), 0);
      const scores: MonitorScore[] = [{ check: "skew", feature: "", method: "max", statistic: max, threshold: null, passed: !result.skewed, status: "pass" }];
      for (const f of features) scores.push(featureScore({ check: "skew", feature: f.feature, method: f.method, statistic: f.statistic, threshold: f.threshold, passed: !f.skewed }));
      const skewed = features.filter((f) => f.skewed).map((f) => `${f.feature} (${f.method} ${round(f.statistic)} > ${f.threshold})`);
      return outcomeOf("skew", result.skewed ? "fail" : "pass", result.skewed ? `training/serving skew: ${skewed.join(", ")}` : "no skew", scores, features.map((f) => f.feature));
    });
  }

  if (dataTests !== undefined) {
    await overFeatures("data_tests", async (dataset) => {
      const result = await deps.runSuite(dataset, await deps.parseSuite(dataTests.suite));
      const passedCount = result.results.filter((r) => r.success).length;
      const share = result.results.length === 0 ? 1 : passedCount / result.results.length;
      const scores: MonitorScore[] = [{ check: "data_tests", feature: "", method: "success_share", statistic: share, threshold: 1, passed: result.success, status: "pass" }];
      for (const r of result.results) {
        scores.push(
          featureScore({
            check: "data_tests",
            feature: r.column ?? "",
            method: r.expectation,
            statistic: r.success ? 1 : 0,
            threshold: 1,
            passed: r.success,
            observedValue: observedJson(r.observed_value),
            message: r.message ?? "",
          }),
        );
      }
      const failed = result.results.filter((r) => !r.success).map((r) => (r.column !== undefined ? `${r.expectation} on '${r.column}'` : r.expectation));
      const columns = [...new Set(result.results.flatMap((r) => (r.column !== undefined ? [r.column] : [])))];
      return outcomeOf("data_tests", result.success ? "pass" : "fail", result.success ? "all data tests passed" : `data tests failed: ${failed.join(", ")}`, scores, columns);
    });
  }

  if (quality !== undefined) {
    try {
      const { value, labelled } = qualityScore(quality.metric, table.predictions, table.labels, quality.labelField);
      const higherIsBetter = quality.metric === "accuracy" || quality.metric === "f1";
      if (labelled < minRows) {
        // Labels arrive after the predictions: until min_rows of them have, nothing is judged (no alert, no recovery).
        outcomes.push(insufficientOutcome("quality", labelled, minRows, "labelled rows"));
      } else if (value === null) {
        outcomes.push(errorOutcome("quality", `${quality.metric} needs numeric labels and predictions (${labelled} labelled rows)`));
      } else {
        const status = (higherIsBetter ? value >= quality.threshold : value <= quality.threshold) ? "pass" : "fail";
        const message = `${quality.metric} ${round(value)} over ${labelled} labelled rows, threshold ${higherIsBetter ? ">=" : "<="} ${quality.threshold}`;
        outcomes.push(
          outcomeOf("quality", status, message, [{ check: "quality", feature: "", method: quality.metric, statistic: value, threshold: quality.threshold, passed: status === "pass", status }], []),
        );
      }
    } catch (error) {
      outcomes.push(errorOutcome("quality", error instanceof Error ? error.message : String(error)));
    }
  }
  return outcomes;
};
