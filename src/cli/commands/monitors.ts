import { readFile } from "node:fs/promises";
import { UsageError } from "../errors.js";
import { formatTime, type CommandResult } from "../output.js";
import type {
  MonitorAlertsWire as AlertsWire,
  MonitorDefinitionWire as MonitorWire,
  MonitorRunWire as RunWire,
  MonitorScoreWire as ScoreWire,
} from "../../sdk/monitors-api.js";
import { parsePositiveInt } from "./view.js";

/** The one call the monitors commands need: Cairn's JSON API (the SDK transport's callCairn). */
export interface MonitorsCaller {
  callCairn<T>(method: "GET" | "POST" | "DELETE", endpoint: string, message?: object): Promise<T>;
}

/** The monitor and score shapes are the SDK's (src/sdk/monitors-api.ts), which mirrors the server's wire.ts. */
export type { AlertsWire, MonitorWire, RunWire, ScoreWire };

export interface CreateMonitorFlags {
  deployment?: string;
  windowRows?: string;
  windowSeconds?: string;
  every?: string;
  drift?: boolean;
  driftReference?: string;
  skew?: boolean;
  suite?: string;
  quality?: string;
  /** Comma-separated feature names (required for a model without a signature). */
  features?: string;
  minRows?: string;
}

/** --features a,b,c: names trimmed, none empty. */
export const parseFeaturesFlag = (text: string): string[] => {
  const names = text.split(",").map((n) => n.trim());
  if (names.some((n) => n === "")) throw new UsageError(`--features '${text}': give comma-separated feature names, none empty (e.g. age,income,city)`);
  return names;
};

/** A check's status as the tables print it: failures and errors in capitals, to stand out. */
export const statusText = (status: string | undefined, passed: boolean): string => {
  switch (status ?? (passed ? "pass" : "fail")) {
    case "pass":
      return "pass";
    case "fail":
      return "FAIL";
    case "error":
      return "ERROR";
    default:
      return "insufficient data";
  }
}

const QUALITY_METRICS = ["accuracy", "f1", "rmse", "mae"];

/** --quality metric:threshold[:label_field], e.g. accuracy:0.9:label. */
export const parseQualityFlag = (text: string): { metric: string; threshold: number; label_field?: string } => {
  const [metric = "", thresholdText = "", ...rest] = text.split(":");
  if (!QUALITY_METRICS.includes(metric)) throw new UsageError(`--quality metric must be one of ${QUALITY_METRICS.join(", ")}, got '${metric}'`);
  const threshold = Number(thresholdText);
  if (thresholdText.trim() === "" || !Number.isFinite(threshold)) throw new UsageError(`--quality '${text}': the threshold must be a number (metric:threshold[:label_field])`);
  const labelField = rest.join(":");
  return { metric, threshold, ...(labelField !== "" ? { label_field: labelField } : {}) };
};

const windowText = (w: MonitorWire["window"]): string => (w.last_rows !== undefined ? `last ${w.last_rows} rows` : `last ${w.last_seconds} s`);
const num = (value: number | null): string => (value === null ? "-" : Number.isInteger(value) ? String(value) : value.toPrecision(6));

/** `cairn monitors create NAME ...`: the checks are those named by flags (at least one). */
export const createMonitor = async (api: MonitorsCaller, name: string, flags: CreateMonitorFlags): Promise<CommandResult<MonitorWire>> => {
  if (flags.deployment === undefined) throw new UsageError("--deployment is required");
  if ((flags.windowRows === undefined) === (flags.windowSeconds === undefined)) throw new UsageError("give exactly one of --window-rows or --window-seconds");
  if (flags.every === undefined) throw new UsageError("--every SECONDS is required");
  const window =
    flags.windowRows !== undefined
      ? { last_rows: parsePositiveInt("--window-rows", flags.windowRows, 1_000_000) }
      : { last_seconds: parsePositiveInt("--window-seconds", flags.windowSeconds as string, 366 * 24 * 3600) };
  const checks: Record<string, unknown> = {};
  if (flags.drift === true || flags.driftReference !== undefined) {
    checks.drift = { reference: flags.driftReference !== undefined ? { path: flags.driftReference } : "training_profile" };
  }
  if (flags.skew === true) checks.skew = {};
  if (flags.suite !== undefined) {
    const suite = await readFile(flags.suite, "utf8").catch(() => {
      throw new UsageError(`--suite: cannot read '${flags.suite}'`);
    });
    checks.data_tests = { suite };
  }
  if (flags.quality !== undefined) checks.quality = parseQualityFlag(flags.quality);
  if (Object.keys(checks).length === 0) throw new UsageError("name at least one check: --drift, --skew, --suite FILE or --quality metric:threshold[:label_field]");
  const { monitor } = await api.callCairn<{ monitor: MonitorWire }>("POST", "monitors/create", {
    name,
    deployment: flags.deployment,
    window,
    schedule_seconds: parsePositiveInt("--every", flags.every, 31 * 24 * 3600),
    checks,
    ...(flags.minRows !== undefined ? { min_rows: parsePositiveInt("--min-rows", flags.minRows, 1_000_000) } : {}),
    ...(flags.features !== undefined ? { features: parseFeaturesFlag(flags.features) } : {}),
  });
  return { data: monitor, human: { kind: "message", text: `Created monitor ${monitor.name} on deployment ${monitor.deployment} (${Object.keys(monitor.checks).join(", ")}, ${windowText(monitor.window)}, every ${monitor.schedule_seconds} s).` } };
};

export const listMonitors = async (api: MonitorsCaller): Promise<CommandResult<MonitorWire[]>> => {
  const { monitors = [] } = await api.callCairn<{ monitors?: MonitorWire[] }>("GET", "monitors/list");
  return {
    data: monitors,
    human: {
      kind: "table",
      columns: ["NAME", "DEPLOYMENT", "CHECKS", "WINDOW", "EVERY (S)", "LAST RUN (UTC)"],
      rows: monitors.map((m) => [m.name, m.deployment, Object.keys(m.checks).join(","), windowText(m.window), String(m.schedule_seconds), m.last_run_time === undefined ? "-" : formatTime(m.last_run_time)]),
      empty: "No monitors.",
    },
  };
};

/**
 * `cairn monitors run NAME`: exits 1 unless every check passed (like `cairn data validate`): a check that failed,
 * could not run, or had too few rows to judge is not a pass. Each check's message follows the table.
 */
export const runMonitor = async (api: MonitorsCaller, name: string): Promise<CommandResult<RunWire>> => {
  const { run } = await api.callCairn<{ run: RunWire }>("POST", "monitors/run", { name });
  // A check that did not pass says why in one more row (the reason an error or insufficient data has no score for).
  const rows = run.checks.flatMap((c) => [
    ...c.scores.map((s) => [c.check, s.feature === "" ? "(all)" : s.feature, s.method, num(s.statistic), num(s.threshold), statusText(s.status, s.passed)]),
    ...(c.status !== "pass" ? [[c.check, "(why)", c.message, "-", "-", statusText(c.status, c.passed)]] : []),
  ]);
  return {
    data: run,
    human:
      run.checks.length === 0
        ? { kind: "message", text: `Monitor ${name}: nothing checked.` }
        : { kind: "table", columns: ["CHECK", "FEATURE", "METHOD", "SCORE", "THRESHOLD", "RESULT"], rows, empty: "" },
    ...(run.passed ? {} : { exitCode: 1 }),
  };
};

export const monitorHistory = async (
  api: MonitorsCaller,
  name: string,
  flags: { feature?: string; maxResults?: string; pageToken?: string },
): Promise<CommandResult<{ results: ScoreWire[]; next_page_token?: string }>> => {
  const page = await api.callCairn<{ results?: ScoreWire[]; next_page_token?: string }>("GET", "monitors/history", {
    name,
    ...(flags.feature !== undefined ? { feature: flags.feature } : {}),
    ...(flags.maxResults !== undefined ? { max_results: parsePositiveInt("--max-results", flags.maxResults, 1000) } : {}),
    ...(flags.pageToken !== undefined ? { page_token: flags.pageToken } : {}),
  });
  const results = page.results ?? [];
  return {
    data: { results, ...(page.next_page_token !== undefined ? { next_page_token: page.next_page_token } : {}) },
    human: {
      kind: "table",
      columns: ["TIME (UTC)", "CHECK", "FEATURE", "METHOD", "SCORE", "THRESHOLD", "RESULT"],
      rows: results.map((r) => [formatTime(r.time ?? 0), r.check, r.feature === "" ? "(all)" : r.feature, r.method, num(r.statistic), num(r.threshold), statusText(r.status, r.passed)]),
      empty: "No results yet.",
    },
  };
};

/** `cairn monitors alerts NAME`: each check's state now, then the alerts and recoveries, newest first. */
export const monitorAlerts = async (api: MonitorsCaller, name: string, flags: { maxResults?: string; pageToken?: string }): Promise<CommandResult<AlertsWire>> => {
  const answer = await api.callCairn<Partial<AlertsWire>>("GET", "monitors/alerts", {
    name,
    ...(flags.maxResults !== undefined ? { max_results: parsePositiveInt("--max-results", flags.maxResults, 1000) } : {}),
    ...(flags.pageToken !== undefined ? { page_token: flags.pageToken } : {}),
  });
  const data: AlertsWire = { states: answer.states ?? [], events: answer.events ?? [], ...(answer.next_page_token !== undefined ? { next_page_token: answer.next_page_token } : {}) };
  const stateRows = data.states.map((s) => [
    "now",
    s.check,
    s.failing ? "FAILING" : "passing",
    [s.since === undefined ? "never failed" : `since ${formatTime(s.since)}`, ...(s.error_since !== undefined ? [`could not run since ${formatTime(s.error_since)}`] : [])].join("; "),
  ]);
  const eventRows = data.events.map((e) => [formatTime(e.time), e.check, e.kind === "alert" ? "ALERT" : e.kind === "error" ? "ERROR" : "recovered", e.message]);
  return {
    data,
    human: { kind: "table", columns: ["TIME (UTC)", "CHECK", "EVENT", "DETAIL"], rows: [...stateRows, ...eventRows], empty: "No checks." },
  };
};

export const deleteMonitor = async (api: MonitorsCaller, name: string): Promise<CommandResult<Record<string, never>>> => {
  await api.callCairn("POST", "monitors/delete", { name });
  return { data: {}, human: { kind: "message", text: `Deleted monitor ${name}.` } };
};
