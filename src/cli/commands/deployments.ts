import type { CairnClient } from "../../sdk/client.js";
import { MAX_BATCH_SIZE, MAX_LATENCY_MS } from "../../serving/batching/adaptive-batcher.js";
import type { DeploymentHistoryEntryWire, DeploymentWire, SavedShadowReportWire, ShadowReportWire } from "../../sdk/serving-api.js";
import { CairnApiError } from "../../sdk/errors.js";
import { UsageError } from "../errors.js";
import { formatTime, formatTimeAgo, type CommandResult } from "../output.js";
import { MAX_PREDICTION_LOG_AGE_SECONDS, MAX_PREDICTION_LOG_ROWS } from "../../serving/deployments/deployment-rules.js";
import { parseFraction, parseMilliseconds, parseSecondsDuration } from "./serving-args.js";
import { parsePositiveInt } from "./view.js";

const percent = (fraction: number): string => `${Number((fraction * 100).toFixed(2))}%`;

const canaryText = (d: DeploymentWire): string =>
  d.canary ? `v${d.canary.version} ${percent(d.canary.weight)}${d.canary.sticky ? " sticky" : ""}` : "-";
const shadowText = (d: DeploymentWire): string => (d.shadow ? `v${d.shadow.version} ${percent(d.shadow.share)}` : "-");
/** Seconds in the largest whole unit (`7d`, `12h`, `90s`), as the flags take them. */
const secondsText = (seconds: number): string =>
  seconds % 86_400 === 0 ? `${seconds / 86_400}d` : seconds % 3600 === 0 ? `${seconds / 3600}h` : seconds % 60 === 0 ? `${seconds / 60}m` : `${seconds}s`;
const optional = (value: unknown): string => (value === undefined || value === null ? "-" : String(value));

const deploymentPairs = (d: DeploymentWire): [string, string][] => [
  ["model", d.model_uri],
  ["primary", d.primary_version === undefined ? "-" : `version ${d.primary_version}`],
  ["canary", canaryText(d)],
  ["shadow", shadowText(d)],
  ["max batch size", optional(d.max_batch_size)],
  ["max latency (ms)", optional(d.max_latency_ms)],
  ["log sample rate", d.prediction_log_sample_rate === undefined ? "-" : percent(d.prediction_log_sample_rate)],
  ["inference worker", d.inference_worker === undefined ? "-" : d.inference_worker ? "on" : "off"],
  ["log max age", d.prediction_log_max_age_seconds === undefined ? "server's" : secondsText(d.prediction_log_max_age_seconds)],
  ["log max rows", d.prediction_log_max_rows === undefined ? "server's" : String(d.prediction_log_max_rows)],
  ["serving", d.serving_versions === undefined || d.serving_versions.length === 0 ? "-" : d.serving_versions.map((v) => `v${v}`).join(", ")],
  ["ready", optional(d.ready)],
  ...(d.state !== undefined ? ([["state", d.state === "degraded" ? `DEGRADED: ${optional(d.degraded_reason)}` : d.state]] as [string, string][]) : []),
  ...(d.alias_version !== undefined ? ([["alias names", d.alias_version === null ? "no version" : `version ${d.alias_version}`]] as [string, string][]) : []),
  ...(d.last_error !== undefined ? ([["last error", d.last_error]] as [string, string][]) : []),
  ["created (UTC)", formatTime(d.creation_timestamp)],
  ["updated (UTC)", formatTime(d.last_updated_timestamp)],
];

const changed = (d: DeploymentWire, text: string): CommandResult<DeploymentWire> => ({ data: d, human: { kind: "message", text } });

export interface CreateDeploymentFlags {
  maxBatchSize?: string;
  maxLatencyMs?: string;
  sampleRate?: string;
  inferenceWorker?: boolean;
  /** The deployment's own prediction-log bounds (`--log-max-age 7d`, `--log-max-rows 100000`). */
  logMaxAge?: string;
  logMaxRows?: string;
}

/** The option flags of create and update, parsed (undefined when not given). */
const optionValues = (flags: CreateDeploymentFlags) => ({
  maxBatchSize: flags.maxBatchSize === undefined ? undefined : parsePositiveInt("--max-batch-size", flags.maxBatchSize, MAX_BATCH_SIZE),
  maxLatencyMs: flags.maxLatencyMs === undefined ? undefined : parseMilliseconds("--max-latency-ms", flags.maxLatencyMs, MAX_LATENCY_MS),
  predictionLogSampleRate: flags.sampleRate === undefined ? undefined : parseFraction("--sample-rate", flags.sampleRate),
  inferenceWorker: flags.inferenceWorker,
  predictionLogMaxAgeSeconds: flags.logMaxAge === undefined ? undefined : parseSecondsDuration("--log-max-age", flags.logMaxAge, MAX_PREDICTION_LOG_AGE_SECONDS),
  predictionLogMaxRows: flags.logMaxRows === undefined ? undefined : parsePositiveInt("--log-max-rows", flags.logMaxRows, MAX_PREDICTION_LOG_ROWS),
});

/** `cairn deployments create NAME MODEL_URI`: the server loads and warms the version before it answers. */
export const createDeployment = async (
  client: CairnClient,
  name: string,
  modelUri: string,
  flags: CreateDeploymentFlags,
): Promise<CommandResult<DeploymentWire>> => {
  if (!modelUri.startsWith("models:/")) {
    throw new UsageError(`MODEL_URI must be models:/<name>@<alias> or models:/<name>/<version>, got '${modelUri}'`);
  }
  const d = await client.serving.createDeployment({ name, modelUri, ...optionValues(flags) });
  const primary = d.primary_version === undefined ? "" : ` (version ${d.primary_version})`;
  return changed(d, `Created deployment ${d.name} serving ${d.model_uri}${primary}.`);
};

const optionsText = (d: DeploymentWire): string =>
  [
    `max batch size ${optional(d.max_batch_size)}`,
    `max latency ${d.max_latency_ms === undefined ? "-" : `${d.max_latency_ms} ms`}`,
    `log sample rate ${d.prediction_log_sample_rate === undefined ? "-" : percent(d.prediction_log_sample_rate)}`,
    `inference worker ${d.inference_worker ? "on" : "off"}`,
    `log max age ${d.prediction_log_max_age_seconds === undefined ? "server's" : secondsText(d.prediction_log_max_age_seconds)}`,
    `log max rows ${d.prediction_log_max_rows === undefined ? "server's" : d.prediction_log_max_rows}`,
  ].join(", ");

/**
 * `cairn deployments update NAME [--max-batch-size N] [--max-latency-ms MS] [--sample-rate R] [--[no-]inference-worker]
 * [--log-max-age DURATION] [--log-max-rows N]`.
 */
export const updateDeployment = async (client: CairnClient, name: string, flags: CreateDeploymentFlags): Promise<CommandResult<DeploymentWire>> => {
  const options = optionValues(flags);
  if (Object.values(options).every((value) => value === undefined)) {
    throw new UsageError("give at least one of --max-batch-size, --max-latency-ms, --sample-rate, --inference-worker, --no-inference-worker, --log-max-age, --log-max-rows");
  }
  const d = await client.serving.updateDeployment(name, options);
  return changed(d, `Deployment ${name}: ${optionsText(d)}.`);
};

/** `cairn deployments shadow-report NAME [--all]`: the current (or last saved) comparison, or every saved one. */
export const shadowReport = async (
  client: CairnClient,
  name: string,
  flags: { all?: boolean },
): Promise<CommandResult<ShadowReportWire | SavedShadowReportWire[]>> => {
  if (!flags.all) {
    const report = await client.serving.shadowReport(name);
    return { data: report, human: { kind: "sections", sections: [{ title: `Shadow report of ${name}`, pairs: flatten(report, "", []) }] } };
  }
  const reports = await client.serving.shadowReports(name);
  const num = (value: unknown): string => (typeof value === "number" ? String(Number(value.toFixed(6))) : "-");
  return {
    data: reports,
    human: {
      kind: "table",
      columns: ["SINCE (UTC)", "PRIMARY", "CANDIDATE", "SHARE", "MIRRORED", "COMPARED", "AGREEMENT", "SAVED (UTC)"],
      rows: reports.map((r) => [
        formatTime(r.since as number | undefined),
        `v${String(r.primary_version)}`,
        `v${String(r.candidate_version)}`,
        typeof r.share === "number" ? percent(r.share) : "-",
        num(r.mirrored),
        num(r.compared),
        num(r.agreement_rate),
        formatTime(r.updated_timestamp),
      ]),
      empty: `No saved shadow reports for ${name}.`,
    },
  };
};

/** `cairn deployments list`: every deployment with its state (serving, or degraded: see `show`) and traffic policy. */
export const listDeployments = async (client: CairnClient): Promise<CommandResult<DeploymentWire[]>> => {
  const deployments = [...(await client.serving.listDeployments())].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return {
    data: deployments,
    human: {
      kind: "table",
      columns: ["NAME", "STATE", "MODEL", "PRIMARY", "CANARY", "SHADOW", "UPDATED (UTC)"],
      rows: deployments.map((d) => [
        d.name,
        d.state ?? "-",
        d.model_uri,
        optional(d.primary_version),
        canaryText(d),
        shadowText(d),
        formatTime(d.last_updated_timestamp),
      ]),
      empty: "No deployments.",
    },
  };
};

export interface ShowDeploymentData {
  deployment: DeploymentWire;
  history: DeploymentHistoryEntryWire[];
  shadow_report?: ShadowReportWire;
}

const versionText = (v: string | null | undefined): string => (v === undefined || v === null ? "-" : `v${v}`);
const historyLine = (h: DeploymentHistoryEntryWire): [string, string] => [
  formatTime(h.time),
  [`${h.reason}${h.role === undefined ? "" : ` (${h.role})`}: ${versionText(h.from_version)} -> ${versionText(h.to_version)}`, h.actor === undefined ? "" : `by ${h.actor}`]
    .filter((part) => part !== "")
    .join("  "),
];

/** Report fields that hold a time in ms since the epoch: printed as a UTC time with how long ago, not as a number. */
const TIME_FIELD = /(^|\.|_)(since|time|timestamp)$/;

/**
 * Scalars of the shadow report as key/value lines; nested parts (per-side latencies...) flattened with dots; times
 * as "2026-12-04 17:20:56 (3 min ago)".
 */
export const flatten = (value: unknown, prefix: string, into: [string, string][]): [string, string][] => {
  if (typeof value === "object" && value !== null && !Array.isArray(value)) {
    for (const [key, inner] of Object.entries(value)) flatten(inner, prefix === "" ? key : `${prefix}.${key}`, into);
  } else if (typeof value === "number" && TIME_FIELD.test(prefix)) {
    into.push([`${prefix} (UTC)`, formatTimeAgo(value)]);
  } else {
    into.push([prefix, typeof value === "number" ? String(Number(value.toFixed(6))) : JSON.stringify(value) ?? "-"]);
  }
  return into;
};

/** `cairn deployments show NAME`: the policy, which version served when, and the shadow's comparison when there is one. */
export const showDeployment = async (client: CairnClient, name: string): Promise<CommandResult<ShowDeploymentData>> => {
  const [deployment, history] = await Promise.all([client.serving.getDeployment(name), client.serving.history(name)]);
  const data: ShowDeploymentData = { deployment, history };
  if (deployment.shadow !== undefined) {
    try {
      data.shadow_report = await client.serving.shadowReport(name);
    } catch (error) {
      // A shadow that has not seen traffic yet may have no report: the rest is still worth showing.
      if (!(error instanceof CairnApiError && error.status === 404)) throw error;
    }
  }
  const sections: { title?: string; pairs: [string, string][] }[] = [
    { title: `Deployment ${deployment.name}`, pairs: deploymentPairs(deployment) },
    { title: "History (UTC)", pairs: history.map(historyLine) },
  ];
  if (data.shadow_report !== undefined) sections.push({ title: "Shadow report", pairs: flatten(data.shadow_report, "", []) });
  return { data, human: { kind: "sections", sections } };
};

/** `cairn deployments canary NAME VERSION --weight W [--sticky|--no-sticky]`; without either the server's default (sticky) holds. */
export const setCanary = async (
  client: CairnClient,
  name: string,
  version: string,
  flags: { weight?: string; sticky?: boolean },
): Promise<CommandResult<DeploymentWire>> => {
  if (flags.weight === undefined) throw new UsageError("--weight is required (the canary's share of traffic, 0 to 1)");
  const weight = parseFraction("--weight", flags.weight);
  const d = await client.serving.setCanary({ name, version, weight, ...(flags.sticky !== undefined ? { sticky: flags.sticky } : {}) });
  return changed(d, `Deployment ${name}: canary ${canaryText(d)}, primary version ${optional(d.primary_version)}.`);
};

/** `cairn deployments shadow NAME VERSION --share S`. */
export const setShadow = async (client: CairnClient, name: string, version: string, flags: { share?: string }): Promise<CommandResult<DeploymentWire>> => {
  if (flags.share === undefined) throw new UsageError("--share is required (the share of traffic mirrored to the shadow, 0 to 1)");
  const share = parseFraction("--share", flags.share);
  const d = await client.serving.setShadow({ name, version, share });
  return changed(d, `Deployment ${name}: shadow ${shadowText(d)}, primary version ${optional(d.primary_version)}.`);
};

export const promoteDeployment = async (client: CairnClient, name: string): Promise<CommandResult<DeploymentWire>> => {
  const d = await client.serving.promote(name);
  return changed(d, `Deployment ${name}: version ${optional(d.primary_version)} is now the primary.`);
};

export const rollbackDeployment = async (client: CairnClient, name: string): Promise<CommandResult<DeploymentWire>> => {
  const d = await client.serving.rollback(name);
  // The rollback says what it relied on when it skipped approvals (a version that passed the same rule before).
  const skipped = d.approvals_skipped !== undefined ? ` (${d.approvals_skipped})` : "";
  return changed(d, `Deployment ${name}: rolled back; version ${optional(d.primary_version)} is the primary${skipped}.`);
};

export const deleteDeployment = async (client: CairnClient, name: string): Promise<CommandResult<{ name: string }>> => {
  await client.serving.deleteDeployment(name);
  return { data: { name }, human: { kind: "message", text: `Deleted deployment ${name}.` } };
};
