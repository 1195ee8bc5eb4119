import type { Monitor, MonitorResult, MonitorRun } from "./monitor.js";
import { monitorSpecToWire } from "./monitor-spec.js";

export const monitorToWire = (monitor: Monitor): Record<string, unknown> => ({
  ...monitorSpecToWire(monitor),
  created_time: monitor.createdTime,
  last_updated_time: monitor.lastUpdatedTime,
  ...(monitor.lastRunTime !== undefined ? { last_run_time: monitor.lastRunTime } : {}),
});

const scoreToWire = (s: { check: string; feature: string; method: string; statistic: number | null; threshold: number | null; passed: boolean }) => ({
  check: s.check,
  feature: s.feature,
  method: s.method,
  // JSON has no NaN: a score that could not be computed is null.
  statistic: s.statistic !== null && Number.isFinite(s.statistic) ? s.statistic : null,
  threshold: s.threshold,
  passed: s.passed,
});

export const runToWire = (run: MonitorRun): Record<string, unknown> => ({
  monitor: run.monitor,
  time: run.time,
  rows: run.rows,
  passed: run.passed,
  checks: run.checks.map((c) => ({ check: c.check, passed: c.passed, message: c.message, scores: c.scores.map(scoreToWire) })),
});

export const resultToWire = (r: MonitorResult): Record<string, unknown> => ({ time: r.time, ...scoreToWire(r) });
