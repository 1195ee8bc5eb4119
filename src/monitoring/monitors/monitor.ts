/**
 * A monitor: scheduled checks over the newest part of a deployment's prediction log. Its definition is what a user
 * creates; each run stores one score per check and feature (the time series that `history` pages through).
 */
export type MonitorWindow = { lastRows: number } | { lastSeconds: number };

export type DriftMethodName = string;

export interface DriftCheckSpec {
  /** "training_profile": the deployed version's training profile; otherwise a data file path readable by the server. */
  reference: "training_profile" | { path: string };
  /** Per column: a method name (as `cairn data drift --column-method`), for a file reference any drift method. */
  methods?: Record<string, DriftMethodName>;
  /** Share of drifted columns at which the check fails (Evidently's drift_share, default 0.5). */
  driftShare?: number;
}

export interface SkewCheckSpec {
  thresholds?: Record<string, number>;
  defaultThreshold?: number;
}

export interface DataTestsCheckSpec {
  /** The suite as YAML text (kept verbatim so that the monitor shows what it runs). */
  suite: string;
}

export type QualityMetric = "accuracy" | "f1" | "rmse" | "mae";

export interface QualityCheckSpec {
  metric: QualityMetric;
  /** accuracy and f1 pass at >= threshold; rmse and mae pass at <= threshold. */
  threshold: number;
  /** When labels are JSON objects, the field that holds the label (else the label value itself is used). */
  labelField?: string;
}

export interface MonitorChecks {
  drift?: DriftCheckSpec;
  skew?: SkewCheckSpec;
  dataTests?: DataTestsCheckSpec;
  quality?: QualityCheckSpec;
}

export interface MonitorSpec {
  name: string;
  deployment: string;
  window: MonitorWindow;
  scheduleSeconds: number;
  checks: MonitorChecks;
}

export interface Monitor extends MonitorSpec {
  createdTime: number;
  lastUpdatedTime: number;
  /** When the last run finished (undefined before the first). */
  lastRunTime?: number;
}

export type CheckName = "drift" | "skew" | "data_tests" | "quality";
export const CHECK_NAMES: readonly CheckName[] = ["drift", "skew", "data_tests", "quality"];

/** One score of one run: a feature's statistic, or the check's own summary (feature ""). */
export interface MonitorScore {
  check: CheckName;
  /** "" for the check as a whole (share drifted, suite success share, the quality metric). */
  feature: string;
  method: string;
  /** null when it could not be computed (no labelled rows for quality, an empty window). */
  statistic: number | null;
  threshold: number | null;
  passed: boolean;
  /** Data tests only: what the expectation observed, as JSON text ("null" when it observed nothing). */
  observedValue?: string;
  /** Data tests only: why the expectation failed, in words ("" when it passed). */
  message?: string;
}

/** The check's summary score comes first in `scores` (share drifted, largest skew, success share, the metric, or "error"). */
export interface CheckOutcome {
  check: CheckName;
  passed: boolean;
  /** Why it failed or could not run, in words (the alert's message). */
  message: string;
  scores: MonitorScore[];
}

export interface MonitorRun {
  monitor: string;
  time: number;
  /** Rows of the window (predictions x their batch rows). */
  rows: number;
  passed: boolean;
  checks: CheckOutcome[];
}

/** A stored score with the run it belongs to (history). */
export interface MonitorResult extends MonitorScore {
  monitor: string;
  time: number;
}

export type AlertKind = "alert" | "recovered";

/**
 * An alert (a check went from passing, or never run, to failing) or a recovery (it passed again), as published to the
 * webhooks and kept for monitors/alerts. `scores` are the event's: the check's summary first, then for an alert the
 * features that failed (at most 50).
 */
export interface MonitorAlertEvent {
  monitor: string;
  time: number;
  check: CheckName;
  kind: AlertKind;
  message: string;
  /** Rows of the window the run judged. */
  windowRows: number;
  /** Recoveries: since when the check had been failing. */
  failingSince?: number;
  scores: Array<Pick<MonitorScore, "feature" | "method" | "statistic" | "threshold">>;
}
