import type { Dataset } from "../../validation/dataset.js";
import { computeSkew } from "../skew/compute-skew.js";
import { skewReferenceFromProfile } from "../skew/from-profile.js";
import type { MonitorDependencies, MonitoredModel } from "./dependencies.js";
import type { CheckOutcome, Monitor, MonitorScore } from "./monitor.js";
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

/** Runs each configured check over the window; a check that cannot run fails with the reason as its message. */
export const runChecks = async (
  monitor: Monitor,
  table: WindowTable,
  dataset: Dataset,
  model: MonitoredModel,
  deps: MonitorDependencies,
): Promise<CheckOutcome[]> => {
  const outcomes: CheckOutcome[] = [];
  const { drift, skew, dataTests, quality } = monitor.checks;
  const guarded = async (check: CheckOutcome["check"], work: () => Promise<CheckOutcome>): Promise<void> => {
    try {
      outcomes.push(await work());
    } catch (error) {
      const message = `${check} check could not run: ${error instanceof Error ? error.message : String(error)}`;
      outcomes.push({ check, passed: false, message, scores: [{ check, feature: "", method: "error", statistic: null, threshold: null, passed: false }] });
    }
  };

  if (drift !== undefined) {
    await guarded("drift", async () => {
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
      const scores: MonitorScore[] = [
        { check: "drift", feature: "", method: "share_drifted", statistic: summary.share_drifted, threshold: summary.drift_share, passed: !summary.dataset_drift },
      ];
      const drifted: string[] = [];
      for (const [feature, c] of Object.entries(summary.columns)) {
        const score = "p_value" in c && c.p_value !== null ? c.p_value : c.statistic;
        scores.push({ check: "drift", feature, method: c.method, statistic: score, threshold: c.threshold, passed: !c.drifted });
        if (c.drifted) drifted.push(`${feature} (${c.method} ${round(score)}, threshold ${c.threshold})`);
      }
      const message = summary.dataset_drift
        ? `dataset drift: ${drifted.length} of ${Object.keys(summary.columns).length} columns drifted (share ${round(summary.share_drifted)} >= ${summary.drift_share}): ${drifted.join(", ")}`
        : `no dataset drift (share drifted ${round(summary.share_drifted)} < ${summary.drift_share})`;
      return { check: "drift", passed: !summary.dataset_drift, message, scores };
    });
  }

  if (skew !== undefined) {
    await guarded("skew", async () => {
      if (model.trainingProfile === undefined) throw new Error(`deployment '${monitor.deployment}' has no training profile for its model version`);
      const result = await computeSkew(skewReferenceFromProfile(model.trainingProfile), dataset, {
        ...(skew.thresholds !== undefined ? { thresholds: skew.thresholds } : {}),
        ...(skew.defaultThreshold !== undefined ? { defaultThreshold: skew.defaultThreshold } : {}),
      });
      const features = Object.values(result.features);
      const max = features.reduce((m, f) => Math.max(m, f.statistic), 0);
      const scores: MonitorScore[] = [{ check: "skew", feature: "", method: "max", statistic: max, threshold: null, passed: !result.skewed }];
      for (const f of features) scores.push({ check: "skew", feature: f.feature, method: f.method, statistic: f.statistic, threshold: f.threshold, passed: !f.skewed });
      const skewed = features.filter((f) => f.skewed).map((f) => `${f.feature} (${f.method} ${round(f.statistic)} > ${f.threshold})`);
      return { check: "skew", passed: !result.skewed, message: result.skewed ? `training/serving skew: ${skewed.join(", ")}` : "no skew", scores };
    });
  }

  if (dataTests !== undefined) {
    await guarded("data_tests", async () => {
      const result = await deps.runSuite(dataset, deps.parseSuite(dataTests.suite));
      const passedCount = result.results.filter((r) => r.success).length;
      const share = result.results.length === 0 ? 1 : passedCount / result.results.length;
      const scores: MonitorScore[] = [{ check: "data_tests", feature: "", method: "success_share", statistic: share, threshold: 1, passed: result.success }];
      for (const r of result.results) {
        scores.push({
          check: "data_tests",
          feature: r.column ?? "",
          method: r.expectation,
          statistic: r.success ? 1 : 0,
          threshold: 1,
          passed: r.success,
          observedValue: observedJson(r.observed_value),
          message: r.message ?? "",
        });
      }
      const failed = result.results.filter((r) => !r.success).map((r) => (r.column !== undefined ? `${r.expectation} on '${r.column}'` : r.expectation));
      return { check: "data_tests", passed: result.success, message: result.success ? "all data tests passed" : `data tests failed: ${failed.join(", ")}`, scores };
    });
  }

  if (quality !== undefined) {
    await guarded("quality", async () => {
      const { value, labelled } = qualityScore(quality.metric, table.predictions, table.labels, quality.labelField);
      const higherIsBetter = quality.metric === "accuracy" || quality.metric === "f1";
      // No labelled row yet: nothing to judge, so no alert (the score is recorded as null).
      const passed = value === null || (higherIsBetter ? value >= quality.threshold : value <= quality.threshold);
      const message =
        value === null
          ? `no labelled rows in the window (${table.rows.length} rows)`
          : `${quality.metric} ${round(value)} over ${labelled} labelled rows, threshold ${higherIsBetter ? ">=" : "<="} ${quality.threshold}`;
      return { check: "quality", passed, message, scores: [{ check: "quality", feature: "", method: quality.metric, statistic: value, threshold: quality.threshold, passed }] };
    });
  }
  return outcomes;
};
