import type { Monitor, MonitorAlertEvent, MonitorResult, MonitorRun, MonitorScore } from "./monitor.js";
import type { MonitorAlerts } from "./monitor-service.js";
import { monitorSpecToWire } from "./monitor-spec.js";

export const monitorToWire = (monitor: Monitor): Record<string, unknown> => ({
  ...monitorSpecToWire(monitor),
  created_time: monitor.createdTime,
  last_updated_time: monitor.lastUpdatedTime,
  ...(monitor.lastRunTime !== undefined ? { last_run_time: monitor.lastRunTime } : {}),
});

// JSON has no NaN: a score that could not be computed is null.
const finiteOrNull = (value: number | null): number | null => (value !== null && Number.isFinite(value) ? value : null);

/** Data-test scores also carry the expectation's observed value (the stored JSON text, parsed) and its message. */
const scoreToWire = (s: MonitorScore): Record<string, unknown> => ({
  check: s.check,
  feature: s.feature,
  method: s.method,
  statistic: finiteOrNull(s.statistic),
  threshold: s.threshold,
  passed: s.passed,
  status: s.status,
  ...(s.observedValue !== undefined ? { observed_value: JSON.parse(s.observedValue) as unknown } : {}),
  ...(s.message !== undefined ? { message: s.message } : {}),
});

export const runToWire = (run: MonitorRun): Record<string, unknown> => ({
  monitor: run.monitor,
  time: run.time,
  rows: run.rows,
  status: run.status,
  passed: run.passed,
  checks: run.checks.map((c) => ({ check: c.check, status: c.status, passed: c.passed, message: c.message, features: c.features, scores: c.scores.map(scoreToWire) })),
});

export const resultToWire = (r: MonitorResult): Record<string, unknown> => ({ time: r.time, ...scoreToWire(r) });

export const alertEventToWire = (e: MonitorAlertEvent): Record<string, unknown> => ({
  time: e.time,
  check: e.check,
  kind: e.kind,
  status: e.status,
  message: e.message,
  window_rows: e.windowRows,
  features: e.features,
  ...(e.failingSince !== undefined ? { failing_since: e.failingSince } : {}),
  scores: e.scores.map((s) => ({ feature: s.feature, method: s.method, statistic: finiteOrNull(s.statistic), threshold: s.threshold })),
});

export const alertsToWire = (alerts: MonitorAlerts): Record<string, unknown> => ({
  states: alerts.states.map((s) => ({
    check: s.check,
    failing: s.failing,
    ...(s.since !== undefined ? { since: s.since } : {}),
    ...(s.errorSince !== undefined ? { error_since: s.errorSince } : {}),
  })),
  events: alerts.events.map(alertEventToWire),
  ...(alerts.nextPageToken !== undefined ? { next_page_token: alerts.nextPageToken } : {}),
});
