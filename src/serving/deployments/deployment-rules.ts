import { invalidParameter } from "../../core/errors.js";
import { DEPLOYMENT_NAME } from "../../registry/promotion/target.js";
import { MAX_BATCH_SIZE, MAX_LATENCY_MS } from "../batching/adaptive-batcher.js";
import type { WriteContext } from "../../core/actor.js";
import type { DeploymentRetention } from "../prediction-log/prediction-log.js";
import type { Deployment, DeploymentOptions, DeploymentRole, HistoryEntry, SwitchReason, TrafficPolicy } from "./deployment.js";
import type { RoutingState } from "./live-deployment.js";
import { sameLoadOptions } from "./version-slot.js";

/**
 * The pure rules of a deployment's settings: validation of names and options, comparisons of policies and options,
 * and the snapshots the audit trail records. No state; the service and its parts share them.
 */

export interface CreateDeploymentOptions {
  maxBatchSize?: number;
  maxLatencyMs?: number;
  predictionLogSampleRate?: number;
  /** Run merged batches on a worker thread (default false). */
  inferenceWorker?: boolean;
  /** The deployment's own prediction-log bounds; the server's bounds still cap every deployment. */
  predictionLogMaxAgeSeconds?: number;
  predictionLogMaxRows?: number;
}

/** Largest per-deployment bounds accepted: ten years, and a billion rows (well past any server's disk). */
export const MAX_PREDICTION_LOG_AGE_SECONDS = 10 * 365 * 86_400;
export const MAX_PREDICTION_LOG_ROWS = 1_000_000_000;

/** deployments/update: only the fields given change. */
export type UpdateDeploymentOptions = CreateDeploymentOptions;

/** The policy a live deployment routes by, in the store's terms. */
export const routedPolicy = (routing: RoutingState): TrafficPolicy => ({
  primary: routing.primary.version,
  ...(routing.canary ? { canary: { version: routing.canary.slot.version, weight: routing.canary.weight, sticky: routing.canary.sticky } } : {}),
  ...(routing.shadow ? { shadow: { version: routing.shadow.slot.version, share: routing.shadow.share } } : {}),
});

export const samePolicy = (a: TrafficPolicy, b: TrafficPolicy): boolean =>
  a.primary === b.primary &&
  a.canary?.version === b.canary?.version &&
  a.canary?.weight === b.canary?.weight &&
  a.canary?.sticky === b.canary?.sticky &&
  a.shadow?.version === b.shadow?.version &&
  a.shadow?.share === b.shadow?.share;

export const validateName = (name: string): void => {
  if (!DEPLOYMENT_NAME.test(name)) {
    throw invalidParameter(
      `Invalid deployment name '${name.slice(0, 100)}': expected 1 to 64 characters of letters, digits, '.', '_' or '-', starting with a letter or digit.`,
    );
  }
};

export const validateFraction = (field: string, value: number): void => {
  if (!Number.isFinite(value) || value < 0 || value > 1) {
    throw invalidParameter(`Invalid value ${value} for parameter '${field}': expected a number from 0 to 1.`);
  }
};

const validatePositive = (field: string, value: number | undefined, integer: boolean, max: number): void => {
  if (value === undefined) return;
  if (!Number.isFinite(value) || value <= 0 || (integer && !Number.isInteger(value))) {
    throw invalidParameter(`Invalid value ${value} for parameter '${field}': expected a positive ${integer ? "integer" : "number"}.`);
  }
  if (value > max) {
    throw invalidParameter(`Invalid value ${value} for parameter '${field}': expected a positive ${integer ? "integer" : "number"} up to ${max}.`);
  }
};

/** The same checks for create and update, in the order of the fields on the wire. */
export const validateOptions = (options: CreateDeploymentOptions): void => {
  validatePositive("max_batch_size", options.maxBatchSize, true, MAX_BATCH_SIZE);
  validatePositive("max_latency_ms", options.maxLatencyMs, false, MAX_LATENCY_MS);
  if (options.predictionLogSampleRate !== undefined) validateFraction("prediction_log_sample_rate", options.predictionLogSampleRate);
  validatePositive("prediction_log_max_age_seconds", options.predictionLogMaxAgeSeconds, true, MAX_PREDICTION_LOG_AGE_SECONDS);
  validatePositive("prediction_log_max_rows", options.predictionLogMaxRows, true, MAX_PREDICTION_LOG_ROWS);
};

/** A deployment's own retention options, each only when set (create and update share it). */
export const retentionOptions = (o: Pick<CreateDeploymentOptions, "predictionLogMaxAgeSeconds" | "predictionLogMaxRows">) => ({
  ...(o.predictionLogMaxAgeSeconds !== undefined ? { predictionLogMaxAgeSeconds: o.predictionLogMaxAgeSeconds } : {}),
  ...(o.predictionLogMaxRows !== undefined ? { predictionLogMaxRows: o.predictionLogMaxRows } : {}),
});

/** The prediction-log bounds of the deployments that set their own (for the log's retention passes). */
export const retentionBounds = (deployments: readonly Deployment[]): DeploymentRetention[] =>
  deployments.flatMap(({ name, options }) =>
    options.predictionLogMaxAgeSeconds === undefined && options.predictionLogMaxRows === undefined
      ? []
      : [
          {
            deployment: name,
            ...(options.predictionLogMaxAgeSeconds !== undefined ? { maxAgeMs: options.predictionLogMaxAgeSeconds * 1000 } : {}),
            ...(options.predictionLogMaxRows !== undefined ? { maxRows: options.predictionLogMaxRows } : {}),
          },
        ],
  );

/** The options as the audit trail records them (wire names; null for a server default). */
export const optionsSnapshot = (o: DeploymentOptions): Record<string, unknown> => ({
  max_batch_size: o.maxBatchSize ?? null,
  max_latency_ms: o.maxLatencyMs ?? null,
  prediction_log_sample_rate: o.predictionLogSampleRate,
  inference_worker: o.inferenceWorker,
  prediction_log_max_age_seconds: o.predictionLogMaxAgeSeconds ?? null,
  prediction_log_max_rows: o.predictionLogMaxRows ?? null,
});

export const sameOptions = (a: DeploymentOptions, b: DeploymentOptions): boolean =>
  sameLoadOptions(a, b) && a.predictionLogSampleRate === b.predictionLogSampleRate;

export const errorText = (error: unknown): string => (error instanceof Error ? error.message : String(error));

export const policySnapshot = (d: Deployment): Record<string, unknown> => ({ model_uri: d.modelUri, policy: d.policy });

/** One line of a deployment's history, as the store keeps it. */
export const historyEntry = (
  time: number,
  name: string,
  role: DeploymentRole,
  from: string | undefined,
  to: string | undefined,
  reason: SwitchReason,
  ctx: WriteContext,
): HistoryEntry => ({
  deployment: name,
  time,
  role,
  ...(from !== undefined ? { from } : {}),
  ...(to !== undefined ? { to } : {}),
  reason,
  actor: ctx.actor,
  requestId: ctx.requestId,
});
