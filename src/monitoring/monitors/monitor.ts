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

/** Windows with fewer rows than this are insufficient_data unless the monitor sets its own min_rows. */
export const DEFAULT_MIN_ROWS = 100;

export interface MonitorSpec {
  name: string;
  deployment: string;
  window: MonitorWindow;
  scheduleSeconds: number;
  checks: MonitorChecks;
  /** Fewer window rows than this (labelled rows, for quality) and a check is insufficient_data. Default DEFAULT_MIN_ROWS. */
  minRows?: number;
  /**
   * The features to monitor. For a model whose registered signature names no columns, the names of the logged input
   * columns in order (required); for a model with named columns, a subset of them (default: all).
   */
  features?: string[];
}

export interface Monitor extends MonitorSpec {
  createdTime: number;
  lastUpdatedTime: number;
  /** When the last run finished (undefined before the first). */
  lastRunTime?: number;
}

/**
 * How a check ended: pass; fail (the data broke the check); insufficient_data (fewer rows than min_rows: nothing is
 * judged, nothing changes); error (it could not run, or compared zero features). Only pass passes.
 */
export type CheckStatus = "pass" | "fail" | "insufficient_data" | "error";
export const CHECK_STATUSES: readonly CheckStatus[] = ["pass", "fail", "insufficient_data", "error"];

/** A run's status: the most serious of its checks (error, then fail, then insufficient_data); no check: insufficient_data. */
export const runStatusOf = (statuses: readonly CheckStatus[]): CheckStatus => {
  for (const s of ["error", "fail", "insufficient_data"] as const) if (statuses.includes(s)) return s;
  return statuses.length === 0 ? "insufficient_data" : "pass";
};

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
  /** status === "pass" (kept on the wire for older clients). */
  passed: boolean;
  /** The check summary (feature ""): the check's status; a feature's score: pass or fail. */
  status: CheckStatus;
  /** Data tests only: what the expectation observed, as JSON text ("null" when it observed nothing). */
  observedValue?: string;
  /** Data tests only: why the expectation failed, in words ("" when it passed). */
  message?: string;
}

/** The check's summary score comes first in `scores` (share drifted, largest skew, success share, the metric, or "error"). */
export interface CheckOutcome {
  check: CheckName;
  status: CheckStatus;
  /** status === "pass". */
  passed: boolean;
  /** The features the check compared (sorted): a recovery needs a pass over the features that failed. */
  features: string[];
  /** Why it failed or could not run, in words (the alert's message). */
  message: string;
  scores: MonitorScore[];
}

export interface MonitorRun {
  monitor: string;
  time: number;
  /** Rows of the window (predictions x their batch rows). */
  rows: number;
  status: CheckStatus;
  /** status === "pass". */
  passed: boolean;
  checks: CheckOutcome[];
}

/** A stored score with the run it belongs to (history). */
export interface MonitorResult extends MonitorScore {
  monitor: string;
  time: number;
}

/** alert/recovered: the check started failing / passes again; error: it could not run (monitor.error). */
export type AlertKind = "alert" | "recovered" | "error";

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
  /** The check status that raised the event (fail for an alert, pass for a recovery, error). */
  status: CheckStatus;
  message: string;
  /** Rows of the window the run judged. */
  windowRows: number;
  /** The features the check compared on that run (sorted). */
  features: string[];
  /** Recoveries: since when the check had been failing. */
  failingSince?: number;
  scores: Array<Pick<MonitorScore, "feature" | "method" | "statistic" | "threshold">>;
}
