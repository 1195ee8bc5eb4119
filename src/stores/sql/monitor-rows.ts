import type { AlertKind, CheckName, CheckStatus, Monitor, MonitorAlertEvent, MonitorResult, MonitorSpec } from "../../monitoring/monitors/monitor.js";
import type { AlertState, MonitorLease } from "../../monitoring/monitors/store.js";

/** Rows of monitors, their results and alert events and states as both backends read them (same columns). */
export interface MonitorRow {
  name: string;
  spec: string;
  created_time: number;
  last_updated_time: number;
  last_run_time: number | null;
}

export interface ResultRow {
  result_key: number;
  monitor: string;
  time: number;
  check_name: string;
  feature: string;
  method: string;
  statistic: number | null;
  threshold: number | null;
  passed: number;
  status: string | null;
  observed_value: string | null;
  message: string | null;
}

export interface AlertEventRow {
  event_key: number;
  monitor: string;
  time: number;
  check_name: string;
  kind: string;
  status: string;
  message: string;
  window_rows: number;
  failing_since: number | null;
  features: string;
  scores: string;
}

export const toMonitor = (row: MonitorRow): Monitor => {
  const spec = JSON.parse(row.spec) as MonitorSpec;
  return {
    ...spec,
    name: row.name,
    createdTime: row.created_time,
    lastUpdatedTime: row.last_updated_time,
    ...(row.last_run_time !== null ? { lastRunTime: row.last_run_time } : {}),
  };
};

export const toResult = (row: ResultRow): MonitorResult => ({
  monitor: row.monitor,
  time: row.time,
  check: row.check_name as CheckName,
  feature: row.feature,
  method: row.method,
  statistic: row.statistic,
  threshold: row.threshold,
  passed: row.passed === 1,
  // Rows older than schema 16 have no status: theirs is what `passed` says.
  status: (row.status ?? (row.passed === 1 ? "pass" : "fail")) as CheckStatus,
  ...(row.observed_value !== null ? { observedValue: row.observed_value } : {}),
  ...(row.message !== null ? { message: row.message } : {}),
});

export const toAlertEvent = (row: AlertEventRow): MonitorAlertEvent => ({
  monitor: row.monitor,
  time: row.time,
  check: row.check_name as CheckName,
  kind: row.kind as AlertKind,
  status: row.status as CheckStatus,
  message: row.message,
  windowRows: row.window_rows,
  features: JSON.parse(row.features) as string[],
  ...(row.failing_since !== null ? { failingSince: row.failing_since } : {}),
  scores: JSON.parse(row.scores) as MonitorAlertEvent["scores"],
});

export const specOf = (monitor: Monitor): MonitorSpec => ({
  name: monitor.name,
  deployment: monitor.deployment,
  window: monitor.window,
  scheduleSeconds: monitor.scheduleSeconds,
  checks: monitor.checks,
  ...(monitor.minRows !== undefined ? { minRows: monitor.minRows } : {}),
  ...(monitor.features !== undefined ? { features: monitor.features } : {}),
});

export interface AlertStateRow {
  check_name: string;
  failing: number;
  since: number | null;
  features: string | null;
  error_since: number | null;
}

export const toAlertState = (r: AlertStateRow): AlertState => ({
  check: r.check_name as CheckName,
  failing: r.failing === 1,
  ...(r.since !== null ? { since: r.since } : {}),
  ...(r.features !== null ? { features: JSON.parse(r.features) as string[] } : {}),
  ...(r.error_since !== null ? { errorSince: r.error_since } : {}),
});

/** JSON has no NaN: a score that could not be computed is null, as in the webhook's payload. */
export const storableScores = (event: MonitorAlertEvent): MonitorAlertEvent["scores"] =>
  event.scores.map((score) => ({ ...score, statistic: score.statistic !== null && Number.isFinite(score.statistic) ? score.statistic : null }));

/** A monitor's lease columns (schema 24 / PostgreSQL 5); both NULL when no run holds its window. */
export interface LeaseRow {
  claimed_by: string | null;
  claimed_until: number | null;
}

export const toLease = (row: LeaseRow): MonitorLease | undefined =>
  row.claimed_by === null || row.claimed_until === null ? undefined : { holder: row.claimed_by, until: row.claimed_until };
