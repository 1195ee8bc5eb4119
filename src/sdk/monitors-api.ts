import type { HttpTransport } from "./transport.js";

/** Monitors of live traffic as the server answers them (src/monitoring/monitors/wire.ts, snake_case JSON). */
export type MonitorCheckName = "drift" | "skew" | "data_tests" | "quality";

/**
 * How a check ended: pass; fail (the data broke it); insufficient_data (fewer rows than the monitor's min_rows:
 * nothing judged); error (it could not run, or compared zero features). Only pass passes (`passed` is status === "pass").
 */
export type MonitorCheckStatus = "pass" | "fail" | "insufficient_data" | "error";

export interface MonitorDefinitionWire {
  name: string;
  deployment: string;
  window: { last_rows?: number; last_seconds?: number };
  schedule_seconds: number;
  /** Fewer window rows than this and a check is insufficient_data (default 100). */
  min_rows: number;
  /** The monitored features when the monitor names them (required for a model without a signature). */
  features?: string[];
  checks: Record<string, unknown>;
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

/** Cairn's monitors API (monitors/*): definitions, runs, the scores over time, and alerts. */
export class MonitorsApi {
  constructor(private readonly http: HttpTransport) {}

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

  async delete(name: string): Promise<void> {
    await this.http.callCairn("POST", "monitors/delete", { name });
  }
}
