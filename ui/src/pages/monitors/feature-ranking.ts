import { isCheckSummary, isPValueMethod } from "./monitor-results";
import type { CheckName, MonitorResult } from "./monitor-wire";

/** Features the chart draws unless the reader chooses others: a monitor may watch hundreds of columns. */
export const TOP_FEATURES = 5;

/**
 * How far a score is on the drifted side of its threshold, comparable across tests: a distance over its threshold,
 * or a threshold over a p-value (a p-value of 0 is infinitely far). Without a threshold, the raw distance or 1 - p.
 */
const severity = (method: string, statistic: number | null, threshold: number | null): number => {
  if (statistic === null || !Number.isFinite(statistic)) return -Infinity;
  const pValue = isPValueMethod(method);
  if (threshold === null || threshold <= 0) return pValue ? 1 - statistic : statistic;
  if (pValue) return statistic <= 0 ? Infinity : threshold / statistic;
  return statistic / threshold;
};

/**
 * The check's features, most drifting first: by each feature's newest score, drifted (failed) ones before the
 * others, then by severity, then by name. The chart shows the first TOP_FEATURES of these by default.
 */
export const rankFeatures = (results: readonly MonitorResult[], check: CheckName): string[] => {
  const newest = new Map<string, MonitorResult>();
  for (const result of results) {
    if (result.check !== check || isCheckSummary(result)) continue;
    const seen = newest.get(result.feature);
    if (seen === undefined || result.time > seen.time) newest.set(result.feature, result);
  }
  return [...newest.values()]
    .map((score) => ({ feature: score.feature, failed: !score.passed, severity: severity(score.method, score.statistic, score.threshold) }))
    .sort((a, b) => Number(b.failed) - Number(a.failed) || b.severity - a.severity || (a.feature < b.feature ? -1 : a.feature > b.feature ? 1 : 0))
    .map((ranked) => ranked.feature);
};
