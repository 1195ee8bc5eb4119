import { cairnGet, cairnPost } from "../../api/http";

/**
 * The monitors API as src/monitoring/monitors/routes.ts and wire.ts serve it (snake_case JSON). Kept here: the UI
 * bundles nothing of the server.
 */
export type CheckName = "drift" | "skew" | "data_tests" | "quality";

/**
 * How a check ended: pass; fail (the data broke it); insufficient_data (fewer window rows than min_rows: nothing
 * judged); error (it could not run, or compared zero features). Only pass passes.
 */
export type CheckStatus = "pass" | "fail" | "insufficient_data" | "error";

export interface MonitorWire {
  name: string;
  deployment: string;
  window: { last_rows?: number; last_seconds?: number };
  schedule_seconds: number;
  /** Fewer window rows than this and a check is insufficient_data (absent from servers before it existed: 100). */
  min_rows?: number;
  /** The monitored features when the monitor names them (a model without a signature needs them). */
  features?: string[];
  checks: {
    drift?: { reference: "training_profile" | { path: string }; methods?: Record<string, string>; drift_share?: number };
    skew?: { thresholds?: Record<string, number>; default_threshold?: number };
    data_tests?: { suite: string };
    quality?: { metric: string; threshold: number; label_field?: string };
  };
  created_time: number;
  last_updated_time: number;
  last_run_time?: number;
}

/** One score of one run: a feature's statistic, or (feature "") the check's own summary. */
export interface MonitorScore {
  check: CheckName;
  feature: string;
  /** The drift test, skew distance, data-test expectation or quality metric. */
  method: string;
  /** For p-value drift tests the p-value; otherwise the statistic. null when it could not be computed. */
  statistic: number | null;
  threshold: number | null;
  passed: boolean;
  /** The summary's: its check's status; a feature's: pass or fail. Absent from scores stored before statuses: read `passed`. */
  status?: CheckStatus;
  /** Data tests: what the expectation observed (a count, a value, a list; null when nothing). */
  observed_value?: unknown;
  /** Data tests: why the expectation failed ("" when it passed). */
  message?: string;
}

export interface MonitorResult extends MonitorScore {
  time: number;
}

export interface CheckOutcomeWire {
  check: CheckName;
  status?: CheckStatus;
  passed: boolean;
  message: string;
  /** The features the check compared. */
  features?: string[];
  scores: MonitorScore[];
}

export interface MonitorRunWire {
  monitor: string;
  time: number;
  rows: number;
  status?: CheckStatus;
  passed: boolean;
  checks: CheckOutcomeWire[];
}

export const monitorKeys = {
  all: ["monitors"] as const,
  list: () => ["monitors", "list"] as const,
  one: (name: string) => ["monitors", "get", name] as const,
  latest: (name: string) => ["monitors", "latest", name] as const,
  history: (name: string, range: string) => ["monitors", "history", name, range] as const,
  alerts: (name: string, range: string) => ["monitors", "alerts", name, range] as const,
};

/** A check's alert state on the server: failing or not since the alert or recovery that set it (no since: never failed). */
export interface AlertStateWire {
  check: CheckName;
  failing: boolean;
  since?: number;
  /** The check could not run on its latest runs, since then (a monitor.error was raised). */
  error_since?: number;
}

/** An alert (the check started failing), a recovery, or an error (the check could not run), as the server published it. */
export interface AlertEventWire {
  time: number;
  check: CheckName;
  kind: "alert" | "recovered" | "error";
  status?: CheckStatus;
  message: string;
  /** The features the check compared on that run. */
  features?: string[];
  window_rows: number;
  failing_since?: number;
  /** The check's summary score first, then an alert's failing features. */
  scores: Array<{ feature: string; method: string; statistic: number | null; threshold: number | null }>;
}

/** The most one page of monitors/alerts holds. */
export const ALERTS_PAGE = 1000;
/** Pages of events read for one view at most. */
export const MAX_ALERT_PAGES = 5;

export interface AlertsRead {
  states: AlertStateWire[];
  /** Newest first, all at or after `since`. */
  events: AlertEventWire[];
  /** The read stopped at MAX_ALERT_PAGES before reaching `since`. */
  truncated: boolean;
}

/** Each check's state, and the alerts and recoveries (monitors/alerts, newest first) back to `since` (undefined: all). */
export const readAlerts = async (name: string, since: number | undefined, signal?: AbortSignal, pageSize = ALERTS_PAGE): Promise<AlertsRead> => {
  const events: AlertEventWire[] = [];
  let states: AlertStateWire[] = [];
  let token: string | undefined;
  for (let page = 0; page < MAX_ALERT_PAGES; page += 1) {
    const answer = await cairnGet<{ states?: AlertStateWire[]; events?: AlertEventWire[]; next_page_token?: string }>(
      "monitors/alerts",
      { name, max_results: pageSize, page_token: token },
      signal,
    );
    if (page === 0) states = answer.states ?? [];
    for (const event of answer.events ?? []) {
      if (since !== undefined && event.time < since) return { states, events, truncated: false };
      events.push(event);
    }
    token = answer.next_page_token;
    if (token === undefined) return { states, events, truncated: false };
  }
  return { states, events, truncated: true };
};

export const listMonitors = async (signal?: AbortSignal): Promise<MonitorWire[]> =>
  (await cairnGet<{ monitors?: MonitorWire[] }>("monitors/list", undefined, signal)).monitors ?? [];

export const getMonitor = async (name: string, signal?: AbortSignal): Promise<MonitorWire> =>
  (await cairnGet<{ monitor: MonitorWire }>("monitors/get", { name }, signal)).monitor;

export const runMonitor = async (name: string): Promise<MonitorRunWire> => (await cairnPost<{ run: MonitorRunWire }>("monitors/run", { name })).run;

/** The most one page of monitors/history holds. */
export const HISTORY_PAGE = 1000;
/** Pages read for one view at most (scores, not runs: a run stores one score per check and feature). */
export const MAX_HISTORY_PAGES = 20;

export interface HistoryRead {
  /** Newest first, all at or after `since`. */
  results: MonitorResult[];
  /** The read reached the monitor's first score: nothing older exists. */
  fromStart: boolean;
  /** The read stopped at MAX_HISTORY_PAGES before reaching `since`. */
  truncated: boolean;
}

/** Pages monitors/history (newest first) back to `since` (epoch ms; undefined: all of it), up to MAX_HISTORY_PAGES. */
export const readHistory = async (name: string, since: number | undefined, signal?: AbortSignal, pageSize = HISTORY_PAGE): Promise<HistoryRead> => {
  const results: MonitorResult[] = [];
  let token: string | undefined;
  for (let page = 0; page < MAX_HISTORY_PAGES; page += 1) {
    const answer = await cairnGet<{ results?: MonitorResult[]; next_page_token?: string }>(
      "monitors/history",
      { name, max_results: pageSize, page_token: token },
      signal,
    );
    const batch = answer.results ?? [];
    for (const result of batch) {
      if (since !== undefined && result.time < since) return { results, fromStart: false, truncated: false };
      results.push(result);
    }
    token = answer.next_page_token;
    if (token === undefined) return { results, fromStart: true, truncated: false };
  }
  return { results, fromStart: false, truncated: true };
};

/**
 * The newest run's scores: one page of the newest results cut at the run before. A run with more scores than a page
 * (over a thousand features and expectations) would show in part.
 */
export const readLatestRun = async (name: string, signal?: AbortSignal): Promise<MonitorResult[]> => {
  const answer = await cairnGet<{ results?: MonitorResult[] }>("monitors/history", { name, max_results: HISTORY_PAGE }, signal);
  const results = answer.results ?? [];
  const newest = results[0];
  return newest === undefined ? [] : results.filter((r) => r.time === newest.time);
};
