import type { HttpTransport } from "./transport.js";

/** Monitors of live traffic as the server answers them (src/monitoring/monitors/wire.ts, snake_case JSON). */
export type MonitorCheckName = "drift" | "skew" | "data_tests" | "quality";

/**
 * How a check ended: pass; fail (the data broke it); insufficient_data (fewer rows than the monitor's min_rows:
 * nothing judged); error (it could not run, or compared zero features). Only pass passes (`passed` is status === "pass").
 */
export type MonitorCheckStatus = "pass" | "fail" | "insufficient_data" | "error";

export type MonitorQualityMetric = "accuracy" | "f1" | "rmse" | "mae";

/** A monitor's checks as the server returns them (src/monitoring/monitors/monitor-spec.ts, monitorSpecToWire). */
export interface MonitorChecksWire {
  drift?: { reference: "training_profile" | { path: string }; methods?: Record<string, string>; drift_share?: number };
  skew?: { thresholds?: Record<string, number>; default_threshold?: number };
  data_tests?: { suite: string };
  quality?: { metric: MonitorQualityMetric; threshold: number; label_field?: string };
}

export interface MonitorDefinitionWire {
  name: string;
  deployment: string;
  window: { last_rows?: number; last_seconds?: number };
  schedule_seconds: number;
  /** Fewer window rows than this and a check is insufficient_data (default 100). */
  min_rows: number;
  /** The monitored features when the monitor names them (required for a model without a signature). */
  features?: string[];
  checks: MonitorChecksWire;
  created_time: number;
  last_updated_time: number;
  last_run_time?: number;
  [field: string]: unknown;
}

/** One score of one run: a feature's statistic, or (feature "") the check's summary. */
export interface MonitorScoreWire {
  check: MonitorCheckName;
  feature: string;
  method: string;
  statistic: number | null;
  threshold: number | null;
  /** status === "pass". */
  passed: boolean;
  /** The check summary (feature ""): the check's status; a feature's score: pass or fail. */
  status: MonitorCheckStatus;
  /** Data tests: what the expectation observed (a count, a value, a list; null when it observed nothing). */
  observed_value?: unknown;
  /** Data tests: why the expectation failed ("" when it passed). */
  message?: string;
  /** History only: the run's time. */
  time?: number;
}

export interface MonitorRunWire {
  monitor: string;
  time: number;
  rows: number;
  /** The most serious of the checks' statuses (error, fail, insufficient_data, pass). */
  status: MonitorCheckStatus;
  passed: boolean;
  checks: Array<{ check: MonitorCheckName; status: MonitorCheckStatus; passed: boolean; message: string; features: string[]; scores: MonitorScoreWire[] }>;
}

/** A check's alert state: failing or not since the alert or recovery that set it (no `since`: it never failed). */
export interface MonitorAlertStateWire {
  check: MonitorCheckName;
  failing: boolean;
  since?: number;
  /** The check could not run on its latest runs, since then (a monitor.error was raised). */
  error_since?: number;
}

/**
 * An alert (the check started failing), a recovery (it passed again over the same features) or an error (it could
 * not run: monitor.error), as published to the webhooks.
 */
export interface MonitorAlertEventWire {
  time: number;
  check: MonitorCheckName;
  kind: "alert" | "recovered" | "error";
  status: MonitorCheckStatus;
  message: string;
  window_rows: number;
  /** The features the check compared on that run. */
  features: string[];
  /** Recoveries: since when the check had been failing. */
  failing_since?: number;
  /** The check's summary score first, then an alert's failing features. */
  scores: Array<{ feature: string; method: string; statistic: number | null; threshold: number | null }>;
}

export interface MonitorAlertsWire {
  states: MonitorAlertStateWire[];
  /** Newest first. */
  events: MonitorAlertEventWire[];
  next_page_token?: string;
}

export interface MonitorPageRequest {
  /** Page size (server default 100, at most 1000). */
  maxResults?: number;
  pageToken?: string;
}

/** The window a monitor's checks read: exactly one of the newest rows or the newest seconds of the prediction log. */
export type MonitorWindowRequest = { lastRows: number; lastSeconds?: never } | { lastSeconds: number; lastRows?: never };

/** The checks of a new monitor: at least one. The server refuses what cannot run (see docs/drift.md). */
export interface MonitorChecksRequest {
  drift?: {
    /** "training_profile" (the default): the served version's training profile; else a data file the server reads. */
    reference?: "training_profile" | { path: string };
    /** Per feature: a drift method, optionally with its threshold ("psi:0.2"). */
    methods?: Record<string, string>;
    /** Share of drifted features at which the check fails (default 0.5). */
    driftShare?: number;
  };
  /** Training-serving skew against the served version's training profile (it must have one). */
  skew?: { thresholds?: Record<string, number>; defaultThreshold?: number };
  /** A data-test suite as YAML text. */
  dataTests?: { suite: string };
  /** accuracy and f1 pass at >= threshold, rmse and mae at <= threshold, over labelled rows. */
  quality?: { metric: MonitorQualityMetric; threshold: number; labelField?: string };
}

/** monitors/create: the monitor's definition. */
export interface CreateMonitorRequest {
  name: string;
  deployment: string;
  window: MonitorWindowRequest;
  /** Seconds between scheduled runs (10 to 31 days). */
  scheduleSeconds: number;
  checks: MonitorChecksRequest;
  /** Fewer window rows than this and a check is insufficient_data (server default 100). */
  minRows?: number;
  /** The features to watch: required for a model without a signature, else a subset of the signature's (default: all). */
  features?: string[];
}

/** The snake_case body of monitors/create; absent options stay absent (the server applies its defaults). */
const createMonitorBody = (request: CreateMonitorRequest): Record<string, unknown> => {
  const { drift, skew, dataTests, quality } = request.checks;
  const checks: MonitorChecksWire = {};
  if (drift !== undefined) {
    checks.drift = {
      reference: drift.reference ?? "training_profile",
      ...(drift.methods !== undefined ? { methods: drift.methods } : {}),
      ...(drift.driftShare !== undefined ? { drift_share: drift.driftShare } : {}),
    };
  }
  if (skew !== undefined) {
    checks.skew = {
      ...(skew.thresholds !== undefined ? { thresholds: skew.thresholds } : {}),
      ...(skew.defaultThreshold !== undefined ? { default_threshold: skew.defaultThreshold } : {}),
    };
  }
  if (dataTests !== undefined) checks.data_tests = { suite: dataTests.suite };
  if (quality !== undefined) {
    checks.quality = { metric: quality.metric, threshold: quality.threshold, ...(quality.labelField !== undefined ? { label_field: quality.labelField } : {}) };
  }
  return {
    name: request.name,
    deployment: request.deployment,
    window: request.window.lastRows !== undefined ? { last_rows: request.window.lastRows } : { last_seconds: request.window.lastSeconds },
    schedule_seconds: request.scheduleSeconds,
    checks,
    min_rows: request.minRows,
    features: request.features,
  };
};

/** Cairn's monitors API (monitors/*): definitions, runs, the scores over time, and alerts. */
export class MonitorsApi {
  constructor(private readonly http: HttpTransport) {}

  /**
   * Creates a monitor and returns its definition as stored (defaults filled in). Configuration errors (a missing
   * training profile, an unreadable reference, an unknown feature) are refused here, as CairnApiError 400
   * INVALID_PARAMETER_VALUE naming the field; a name in use is RESOURCE_ALREADY_EXISTS.
   */
  async create(request: CreateMonitorRequest): Promise<MonitorDefinitionWire> {
    return (await this.http.callCairn<{ monitor: MonitorDefinitionWire }>("POST", "monitors/create", createMonitorBody(request))).monitor;
  }

  async list(): Promise<MonitorDefinitionWire[]> {
    return (await this.http.callCairn<{ monitors?: MonitorDefinitionWire[] }>("GET", "monitors/list")).monitors ?? [];
  }

  async get(name: string): Promise<MonitorDefinitionWire> {
    return (await this.http.callCairn<{ monitor: MonitorDefinitionWire }>("GET", "monitors/get", { name })).monitor;
  }

  /** Runs the monitor now (or joins its run in progress) and returns the run with each check's message. */
  async run(name: string): Promise<MonitorRunWire> {
    return (await this.http.callCairn<{ run: MonitorRunWire }>("POST", "monitors/run", { name })).run;
  }

  /** One page of stored scores, newest first. */
  async history(name: string, request: MonitorPageRequest & { feature?: string; check?: MonitorCheckName } = {}): Promise<{ results: MonitorScoreWire[]; next_page_token?: string }> {
    const answer = await this.http.callCairn<{ results?: MonitorScoreWire[]; next_page_token?: string }>("GET", "monitors/history", {
      name,
      feature: request.feature,
      check: request.check,
      max_results: request.maxResults,
      page_token: request.pageToken,
    });
    return { results: answer.results ?? [], ...(answer.next_page_token ? { next_page_token: answer.next_page_token } : {}) };
  }

  /** Each check's alert state now, and one page of the monitor's alerts and recoveries, newest first. */
  async alerts(name: string, request: MonitorPageRequest = {}): Promise<MonitorAlertsWire> {
    const answer = await this.http.callCairn<Partial<MonitorAlertsWire>>("GET", "monitors/alerts", { name, max_results: request.maxResults, page_token: request.pageToken });
    return { states: answer.states ?? [], events: answer.events ?? [], ...(answer.next_page_token ? { next_page_token: answer.next_page_token } : {}) };
  }

  /** Deletes the monitor and its stored runs; an unknown name is CairnApiError 404 RESOURCE_DOES_NOT_EXIST. */
  async delete(name: string): Promise<void> {
    await this.http.callCairn("POST", "monitors/delete", { name });
  }
}
