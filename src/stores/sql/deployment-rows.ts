import type { Actor } from "../../core/actor.js";
import type { Deployment, DeploymentRole, HistoryEntry, SavedShadowReport, SwitchReason, TrafficPolicy } from "../../serving/deployments/deployment.js";
import type { ShadowRecorderState, ShadowReport } from "../../serving/deployments/shadow-report.js";

/** Rows of deployments and their history and shadow reports as both backends read them (same columns). */
export interface DeploymentRow {
  name: string;
  model_uri: string;
  model_name: string;
  policy: string;
  followed_version: string | null;
  max_batch_size: number | null;
  max_latency_ms: number | null;
  prediction_log_sample_rate: number;
  inference_worker: number;
  prediction_log_max_age_seconds: number | null;
  prediction_log_max_rows: number | null;
  last_error: string | null;
  created_time: number;
  last_updated_time: number;
}

export interface ShadowReportRow {
  report: string;
  state: string;
  updated_time: number;
  replica: string;
  released: number;
  revision: number | string;
  merged_parts: number | string;
}

/** The columns of a saved part, in the order of the INSERT of both backends (merged_parts last). */
export const shadowReportParams = (saved: SavedShadowReport): Array<string | number> => [
  saved.report.deployment,
  saved.report.since,
  saved.report.candidate_version,
  saved.replica,
  encodeJson(saved.report),
  encodeJson(saved.state),
  saved.updatedTime,
  saved.released ? 1 : 0,
  saved.mergedParts ?? 0,
];

/** The columns both backends read of a saved part. */
export const SHADOW_REPORT_COLUMNS = "report, state, updated_time, replica, released, revision, merged_parts";

export const toSavedShadowReport = (row: ShadowReportRow): SavedShadowReport => {
  const merged = Number(row.merged_parts);
  return {
    report: decodeJson<ShadowReport>(row.report),
    state: decodeJson<ShadowRecorderState>(row.state),
    updatedTime: Number(row.updated_time),
    replica: row.replica,
    released: Number(row.released) === 1,
    revision: Number(row.revision),
    ...(merged > 0 ? { mergedParts: merged } : {}),
  };
};

/** JSON with non-finite numbers kept (a NaN output makes a NaN mean): written as "NaN", "Infinity", "-Infinity". */
export const NON_FINITE = new Set(["NaN", "Infinity", "-Infinity"]);
/** The report's string fields, never read back as numbers. */
export const STRING_FIELDS = new Set(["deployment", "primary_version", "candidate_version"]);
export const encodeJson = (value: unknown): string =>
  JSON.stringify(value, (_key, v: unknown) => (typeof v === "number" && !Number.isFinite(v) ? String(v) : v));
export const decodeJson = <T>(text: string): T =>
  JSON.parse(text, (key, v: unknown) => (typeof v === "string" && NON_FINITE.has(v) && !STRING_FIELDS.has(key) ? Number(v) : v)) as T;

export interface HistoryRow {
  deployment: string;
  time: number;
  role: DeploymentRole;
  from_version: string | null;
  to_version: string | null;
  reason: SwitchReason;
  actor: string;
  request_id: string;
}

export const toDeployment = (row: DeploymentRow): Deployment => ({
  name: row.name,
  modelUri: row.model_uri,
  modelName: row.model_name,
  policy: JSON.parse(row.policy) as TrafficPolicy,
  ...(row.followed_version !== null ? { followedVersion: row.followed_version } : {}),
  options: {
    ...(row.max_batch_size !== null ? { maxBatchSize: row.max_batch_size } : {}),
    ...(row.max_latency_ms !== null ? { maxLatencyMs: row.max_latency_ms } : {}),
    predictionLogSampleRate: row.prediction_log_sample_rate,
    inferenceWorker: row.inference_worker === 1,
    ...(row.prediction_log_max_age_seconds !== null ? { predictionLogMaxAgeSeconds: row.prediction_log_max_age_seconds } : {}),
    ...(row.prediction_log_max_rows !== null ? { predictionLogMaxRows: row.prediction_log_max_rows } : {}),
  },
  ...(row.last_error !== null ? { lastError: row.last_error } : {}),
  createdTime: row.created_time,
  lastUpdatedTime: row.last_updated_time,
});

export const toEntry = (row: HistoryRow): HistoryEntry => ({
  deployment: row.deployment,
  time: row.time,
  role: row.role,
  ...(row.from_version !== null ? { from: row.from_version } : {}),
  ...(row.to_version !== null ? { to: row.to_version } : {}),
  reason: row.reason,
  actor: JSON.parse(row.actor) as Actor,
  requestId: row.request_id,
});

export const rowValues = (d: Deployment): unknown[] => [
  d.modelUri,
  d.modelName,
  JSON.stringify(d.policy),
  d.followedVersion ?? null,
  d.options.maxBatchSize ?? null,
  d.options.maxLatencyMs ?? null,
  d.options.predictionLogSampleRate,
  d.options.inferenceWorker ? 1 : 0,
  d.options.predictionLogMaxAgeSeconds ?? null,
  d.options.predictionLogMaxRows ?? null,
  d.lastError ?? null,
  d.lastUpdatedTime,
];
